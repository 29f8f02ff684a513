/**
 * Where the keeper's socket lives, and the check that makes it safe to use: the directory is the operator's
 * own (owner = this user, no group or other access, not a symlink), as OpenSSH asks of a ControlPath. The
 * socket's name carries the protocol version. A Unix socket path is at most 107 bytes; a state directory too
 * deep for that gets a private directory under the system temp directory instead (same checks).
 */
import { createHash } from 'node:crypto';
import { lstat, mkdir, realpath, rename, rm, stat } from 'node:fs/promises';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { KeeperError } from './keeper-error.js';
import { KEEPER_PROTOCOL } from './keeper-messages.js';

/** sun_path is 108 bytes with its NUL; kept below with room */
const MAX_SOCKET_PATH = 100;

export function keeperSocketPath(stateDir: string): string {
  const name = `ssh-keeper-${KEEPER_PROTOCOL}.sock`;
  const preferred = join(stateDir, 'ssh', name);
  if (Buffer.byteLength(preferred) <= MAX_SOCKET_PATH) return preferred;
  const uid = process.getuid?.() ?? 0;
  const tag = createHash('sha256').update(stateDir).digest('hex').slice(0, 12);
  return join(tmpdir(), `scmctl-${uid}-${tag}`, name);
}

/**
 * Every directory above `dir` must be owned by root or this user and not writable by others unless sticky
 * (/tmp): else someone could swap the socket's directory between the check and the connect (OpenSSH's
 * safe_path rule for a ControlPath).
 */
async function checkAncestors(dir: string): Promise<void> {
  const uid = process.getuid?.();
  let cur = await realpath(dir);
  for (;;) {
    const st = await stat(cur);
    const ownerOk = uid === undefined || st.uid === 0 || st.uid === uid;
    const writableByOthers = (st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0;
    if (!ownerOk || writableByOthers) {
      throw new KeeperError('SSH_KEEPER_UNSAFE', `${cur} (above the keeper's socket) ${!ownerOk ? `belongs to uid ${st.uid}` : 'is writable by other users'}: another user could replace the socket`);
    }
    const up = dirname(cur);
    if (up === cur) return;
    cur = up;
  }
}

/**
 * Checks (and with `create`, makes: mode 0700) the socket's directory: owned by this user, no group or other
 * access, not a symlink, and every directory above it safe. Throws SSH_KEEPER_UNSAFE; false when the
 * directory does not exist and `create` is not set.
 */
export async function ensurePrivateDir(socketPath: string, options: { create?: boolean } = { create: true }): Promise<boolean> {
  const dir = dirname(socketPath);
  const parent = dirname(dir);
  if (options.create) await mkdir(parent, { recursive: true, mode: 0o700 });
  try {
    await checkAncestors(parent);
  } catch (err) {
    if (!options.create && (err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  if (options.create) await mkdir(dir, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
  let st;
  try {
    st = await lstat(dir);
  } catch (err) {
    if (!options.create && (err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  const uid = process.getuid?.();
  if (!st.isDirectory()) throw new KeeperError('SSH_KEEPER_UNSAFE', `${dir} is not a directory (a symlink is refused)`);
  if (uid !== undefined && st.uid !== uid) throw new KeeperError('SSH_KEEPER_UNSAFE', `${dir} belongs to uid ${st.uid}, not to this user (${uid})`);
  if ((st.mode & 0o077) !== 0) throw new KeeperError('SSH_KEEPER_UNSAFE', `${dir} is open to other users (mode ${(st.mode & 0o777).toString(8)}); it must be 0700`);
  return true;
}

/**
 * Listens on `socketPath` by binding a temporary name beside it and renaming that over the path: a stale socket
 * left by a killed keeper is replaced in one step, and no client ever has to remove a socket (which could be
 * one another keeper has just made). Resolves with the socket's inode (the keeper removes the path on exit
 * only while it is still its own).
 */
export async function listenAtomically(server: Server, socketPath: string): Promise<number> {
  const tmp = `${socketPath}.${process.pid}.tmp`;
  await rm(tmp, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(tmp, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  await rename(tmp, socketPath);
  return (await lstat(socketPath)).ino;
}
