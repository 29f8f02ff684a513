/**
 * Directories that hold SCM data or keys are private to the SCM's user: created 0700 (Ozone's
 * `ozone.metadata.dirs.permissions` / `ozone.scm.db.dirs.permissions` default), and tightened to 0700
 * when they already exist with group or other permissions. Parents that do not exist are created 0700 too.
 */
import { chmodSync, mkdirSync, statSync } from 'node:fs';

export function privateDir(dir: string, mode = 0o700): void {
  mkdirSync(dir, { recursive: true, mode });
  const current = statSync(dir).mode & 0o777;
  if ((current & ~mode) !== 0) chmodSync(dir, mode);
}
