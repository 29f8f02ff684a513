/**
 * Reads a join token handed over out of band: from a file that only its owner can read (mode 0600 or
 * stricter, a regular file, not a symlink — like ssh's identity files: anything else is refused,
 * SECRET_FILE; security/private-file.ts) or from stdin (`-`, not a terminal). The token is never taken from argv or the
 * environment, and never echoed.
 */
import { readPrivateFile } from '../security/private-file.js';
import { parseToken } from '../security/join-token.js';
import { SecurityError } from '../security/security-error.js';

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
