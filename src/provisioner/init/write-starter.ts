/**
 * Puts the starter topology at its path so that it validates as written and nothing is lost:
 *  - an existing file is refused (INIT_FILE_EXISTS) unless `force`; then it is moved aside to
 *    `FILE.bak-<UTC timestamp>` (`-2`, `-3`… when that exists too), never deleted;
 *  - the text is first written to a hidden file beside FILE and loaded exactly as `scmctl validate FILE`
 *    loads it (same directory, so relative paths resolve alike); only when it has no error is it renamed
 *    to FILE. An error there is a bug of init (INIT_STARTER_INVALID): the hidden file is removed and FILE
 *    is left as it was.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { hasErrors, type Diagnostic } from '../topology/diagnostic.js';
import { formatDiagnostics } from '../topology/diagnostic-text.js';
import { loadTopology } from '../topology/load.js';
import { InitError } from './init-error.js';

export interface WriteOptions {
  /** the name shown in diagnostics (FILE as the operator typed it) */
  readonly displayName: string;
  readonly force: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** the working directory `validate` would run in (relative SSH identity files are read from it) */
  readonly cwd: string;
  /** when the old file is moved aside (its timestamp) */
  readonly now: Date;
}

export interface WriteResult {
  /** where the old file went, when there was one */
  readonly backup: string | null;
  /** warnings of the written file (it has no errors) */
  readonly diagnostics: readonly Diagnostic[];
}

const errno = (err: unknown): string => (err as NodeJS.ErrnoException | undefined)?.code ?? String(err);

/** `2026-12-07T10:15:30.123Z` → `20261207T101530Z` */
export function backupStamp(now: Date): string {
  return now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
}

function backupPath(path: string, now: Date): string {
  const base = `${path}.bak-${backupStamp(now)}`;
  let candidate = base;
  for (let n = 2; existsSync(candidate); n++) candidate = `${base}-${n}`;
  return candidate;
}

/** Refuses a FILE that exists without `force`, or that is not a regular file; checks its directory. */
export async function checkTarget(path: string, shown: string, force: boolean): Promise<boolean> {
  const st = await stat(path).catch((err: unknown) => (errno(err) === 'ENOENT' ? null : Promise.reject(err)));
  if (st?.isDirectory()) throw new InitError('INIT_WRITE_FAILED', `${shown} is a directory`, { hint: 'name a file, e.g. cluster.yaml' });
  if (st && !force) {
    throw new InitError('INIT_FILE_EXISTS', `${shown} already exists; init does not overwrite it`, {
      hint: 'choose another FILE, or add --force to move the old one aside to FILE.bak-<timestamp>',
    });
  }
  const dir = await stat(dirname(path)).catch(() => null);
  if (!dir?.isDirectory()) throw new InitError('INIT_WRITE_FAILED', `the directory of ${shown} (${dirname(path)}) does not exist`, { hint: `mkdir -p ${dirname(path)}` });
  return st !== null;
}

export async function writeStarter(path: string, text: string, options: WriteOptions): Promise<WriteResult> {
  const exists = await checkTarget(path, options.displayName, options.force);
  const temp = join(dirname(path), `.${basename(path)}.init-${randomBytes(4).toString('hex')}${extname(path)}`);
  try {
    await writeFile(temp, text, { flag: 'wx', mode: 0o644 });
  } catch (err) {
    throw new InitError('INIT_WRITE_FAILED', `cannot write in ${dirname(path)}: ${errno(err)}`, { cause: err, hint: 'check the permissions of the directory' });
  }
  let backup: string | null = null;
  try {
    const loaded = await loadTopology(temp, { env: options.env, displayName: options.displayName, identityFiles: { cwd: options.cwd } });
    if (hasErrors(loaded.diagnostics)) {
      throw new InitError('INIT_STARTER_INVALID', `the starter topology would not validate, so nothing was written:\n${formatDiagnostics(loaded.diagnostics, loaded.text)}`, {
        hint: 'this is a bug in scmctl init; please report it with the command line',
      });
    }
    if (exists) {
      backup = backupPath(path, options.now);
      await rename(path, backup).catch((err: unknown) => {
        backup = null;
        throw new InitError('INIT_WRITE_FAILED', `cannot move ${options.displayName} aside: ${errno(err)}`, { cause: err, hint: 'check the permissions of the directory' });
      });
    }
    await rename(temp, path).catch(async (err: unknown) => {
      if (backup !== null) await rename(backup, path).catch(() => undefined);
      throw new InitError('INIT_WRITE_FAILED', `cannot write ${options.displayName}: ${errno(err)}`, { cause: err, hint: 'check the permissions of the directory' });
    });
    return { backup, diagnostics: loaded.diagnostics };
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}
