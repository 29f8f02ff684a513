/**
 * Reads a join token handed over out of band: from a file that only its owner can read (mode 0600 or
 * stricter, owned by the reader or root, not a symlink — like ssh's identity files: anything else is
 * refused, SECRET_FILE) or from stdin (`-`, not a terminal). The token is never taken from argv or the
 * environment, and never echoed.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { parseToken } from '../security/join-token.js';
import { SecurityError } from '../security/security-error.js';

/**
 * The file's content, read through one descriptor opened without following a symlink, after checking on
 * that descriptor that it is a regular file of this user (or root) that nobody else may read.
 */
export function readPrivateFile(path: string, maxBytes = 64 * 1024): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    throw new SecurityError('SECRET_FILE', `cannot open ${path}: ${(err as Error).message}`, { cause: err, hint: 'give a regular file (not a symlink) that only you can read' });
  }
  try {
    const st = fstatSync(fd);
    const me = process.getuid?.() ?? st.uid;
    if (!st.isFile()) throw new SecurityError('SECRET_FILE', `${path} is not a regular file`);
    if (st.uid !== me && st.uid !== 0) throw new SecurityError('SECRET_FILE', `${path} belongs to uid ${st.uid}, not to you (uid ${me}) or root; refusing to use it`);
    if ((st.mode & 0o077) !== 0) throw new SecurityError('SECRET_FILE', `${path} is readable by others (mode ${(st.mode & 0o777).toString(8)}); refusing to use it`, { hint: `chmod 600 ${path}` });
    if (st.size > maxBytes) throw new SecurityError('TOKEN_INVALID', `${path} holds more than ${maxBytes} bytes: that is not a join token`);
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < buf.length) {
      const n = readSync(fd, buf, off, buf.length - off, off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export async function readTokenFile(path: string, stdin: () => Promise<string>): Promise<string> {
  const text = path === '-' ? await stdin() : readPrivateFile(path);
  const token = text.split('\n').map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('#'));
  if (token === undefined || !parseToken(token)) {
    throw new SecurityError('TOKEN_INVALID', `${path === '-' ? 'stdin' : path} holds no join token (expected one line <6 chars>.<32 chars> of [a-z0-9])`, {
      hint: 'write the token printed by `ozone admin scm token create` into the file, alone on its line',
    });
  }
  return token;
}
