/**
 * The POSIX sh scripts behind RemoteHost's file primitives (pure; shared by every transport so `ssh` and
 * `local` behave the same). Each script uses only POSIX tools plus GNU/busybox `stat -c`, `sync FILE`.
 *
 * "Nothing at that path" is told apart from "cannot look" (a directory on the way that the user may not
 * search) by the C-locale error text: `isMissing`.
 */
import { posix } from 'node:path';
import { HostError } from './host-error.js';
import type { FileStat, FileType } from './remote-host.js';
import { sh, type ShellCommand } from './shell-quote.js';

/** Whether a failed readFileScript/statScript said that nothing exists at the path (ENOENT, ENOTDIR). */
export function isMissing(exitCode: number, stderr: string): boolean {
  return exitCode !== 0 && /No such file or directory|Not a directory/.test(stderr);
}

/** Refuses relative paths and characters no managed path needs (a newline would corrupt parsing). */
export function checkPath(host: string, path: string): void {
  if (!posix.isAbsolute(path) || /[\0\n\r]/.test(path)) {
    throw new HostError('HOST_INVALID_PATH', host, `${JSON.stringify(path)} is not an absolute path without newlines`);
  }
}

export function readFileScript(path: string): ShellCommand {
  return sh`LC_ALL=C exec cat -- ${path}`;
}

export interface AtomicWriteParams {
  readonly path: string;
  readonly mode: number;
  readonly owner?: string;
  readonly backupSuffix?: string;
  /** unique per call: names the temp file */
  readonly nonce: string;
}

/** The content arrives on stdin. Prints `backup` on stdout when it copied an existing file aside. */
export function atomicWriteScript(p: AtomicWriteParams): ShellCommand {
  const dir = posix.dirname(p.path);
  const tmp = posix.join(dir, `.${posix.basename(p.path)}.scmctl-${p.nonce}.tmp`);
  const mode = (p.mode & 0o7777).toString(8).padStart(4, '0');
  const owner = p.owner === undefined ? sh`:` : sh`chown -- ${p.owner} "$t"`;
  const backup =
    p.backupSuffix === undefined
      ? sh`:`
      : sh`if test -f ${p.path}; then cp -p -- ${p.path} ${p.path + p.backupSuffix + '.tmp'} && mv -f -- ${p.path + p.backupSuffix + '.tmp'} ${p.path + p.backupSuffix} && echo backup; fi`;
  return sh`set -e
umask 077
t=${tmp}
trap 'rm -f -- "$t"' EXIT
cat > "$t"
chmod ${mode} "$t"
${owner}
${backup}
sync -- "$t" 2>/dev/null || sync
mv -f -- "$t" ${p.path}
trap - EXIT
sync -- ${dir} 2>/dev/null || :`;
}

export function statScript(path: string): ShellCommand {
  return sh`LC_ALL=C stat -c '%F|%s|%a|%u|%g|%U|%G|%Y' -- ${path} || exit
if test -L ${path}; then readlink -- ${path}; fi`;
}

function fileType(f: string): FileType {
  if (f === 'regular file' || f === 'regular empty file') return 'file';
  if (f === 'directory') return 'directory';
  if (f === 'symbolic link') return 'symlink';
  return 'other';
}

/** Parses statScript's output; null when it does not have the expected shape. */
export function parseStat(path: string, stdout: string): FileStat | null {
  const [first, link] = stdout.split('\n');
  const parts = (first ?? '').split('|');
  if (parts.length !== 8) return null;
  const [f, size, mode, uid, gid, owner, group, mtime] = parts as [string, string, string, string, string, string, string, string];
  const nums = [size, uid, gid, mtime].map((x) => Number.parseInt(x, 10));
  const modeNum = Number.parseInt(mode, 8);
  if (nums.some((n) => !Number.isFinite(n)) || !Number.isFinite(modeNum)) return null;
  const type = fileType(f);
  return {
    exists: true,
    path,
    type,
    size: nums[0]!,
    mode: modeNum,
    uid: nums[1]!,
    gid: nums[2]!,
    owner,
    group,
    mtimeMs: nums[3]! * 1000,
    ...(type === 'symlink' && link !== undefined ? { linkTarget: link } : {}),
  };
}
