/**
 * The SCM's data and key directories are private (Ozone's `ozone.metadata.dirs.permissions` and
 * `ozone.scm.db.dirs.permissions`, default 700): metadata, db, scm.db, scm/ (VERSION), the Raft storage
 * and snapshot directories and the key directories (scm/ca, scm/sub-ca, scm/admin). `--init`,
 * `--bootstrap` and every start call `tightenDataDirs`: each of these that exists is set to the configured
 * mode when it is wider. Files inside keep their own modes (private keys are 0600).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ScmConfig } from '../config/scm-config.js';
import { privateDir } from './private-dir.js';

export function dataDirMode(config: ScmConfig): number {
  const raw = config.conf.get('ozone.scm.db.dirs.permissions') ?? config.conf.get('ozone.metadata.dirs.permissions') ?? '700';
  const mode = /^[0-7]{3}$/.test(raw.trim()) ? parseInt(raw.trim(), 8) : 0o700;
  return mode | 0o700; // the SCM itself always needs rwx
}

export function tightenDataDirs(config: ScmConfig): void {
  const d = config.dirs;
  const mode = dataDirMode(config);
  const candidates = [d.metadata, d.db, d.scmDb, join(d.db, 'scm'), d.ratis, d.snapshot, ...(d.security ? ['ca', 'sub-ca', 'admin'].map((k) => join(d.security!, 'scm', k)) : [])];
  for (const dir of new Set(candidates)) if (dir !== undefined && existsSync(dir)) privateDir(dir, mode);
}
