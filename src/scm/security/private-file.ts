/**
 * Reading a secret from a file — a join token, a private key — the way ssh reads identity files: one
 * descriptor opened without following a symlink, then checked on that descriptor (a regular file with no
 * group/other permission bits, not oversized). Anything else is refused with SECRET_FILE rather than used.
 * As with ssh, the owner is not checked: a file private to another user can only be opened by root
 * (operating an SCM that runs as that user), and a file others may read is refused whoever owns it.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { SecurityError } from './security-error.js';

/**
 * The file's content, read through one descriptor opened without following a symlink, after checking on
 * that descriptor that it is a regular file that only its owner may read.
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
    if (!st.isFile()) throw new SecurityError('SECRET_FILE', `${path} is not a regular file`);
    if ((st.mode & 0o077) !== 0) throw new SecurityError('SECRET_FILE', `${path} is readable by others (mode ${(st.mode & 0o777).toString(8)}); refusing to use it`, { hint: `chmod 600 ${path}` });
    if (st.size > maxBytes) throw new SecurityError('SECRET_FILE', `${path} holds more than ${maxBytes} bytes: that is not a token or key file`);
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

