/**
 * The record of one migration on the operator machine (`<state dir>/migrate/<cluster>-<id8>.json`, written
 * atomically): which SCM is migrated, its clusterID when the migration began, the backup made of it (path,
 * size, the containers it held) and whether the migration finished. The hosts are the truth — every run
 * plans from fresh facts — the record only carries what facts cannot show: that a backup exists, which
 * containers must survive, that a stopped SCM was stopped by this migration.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BackupRecord } from '../apply/scm-backup.js';
import { stateDir } from '../apply/state-dirs.js';
import { MigrateError } from './migrate-error.js';

export const MIGRATION_FORMAT = 'scmctl-migration/v1';

export interface MigrationState {
  readonly format: typeof MIGRATION_FORMAT;
  readonly cluster: string;
  readonly serviceId: string;
  /** the SCM that holds the data (the primordial node of the HA configuration) */
  readonly existingNode: string;
  readonly existingHost: string;
  /** what the existing SCM was when the migration began */
  readonly from: 'standalone' | 'ratis';
  readonly clusterId: string;
  /** node ids added by the migration */
  readonly addedNodes: readonly string[];
  readonly topologyFile: string;
  readonly startedAt: string;
  readonly backup: BackupRecord | null;
  readonly completedAt: string | null;
}

type Env = Readonly<Record<string, string | undefined>>;

/** One record per (cluster name, service, existing SCM's address): the SCM being migrated names it. */
export function migrationStatePath(env: Env, cluster: string, serviceId: string, existingAddress: string): string {
  const id = createHash('sha256').update(`${serviceId}\n${existingAddress}`).digest('hex').slice(0, 8);
  return join(stateDir(env), 'migrate', `${cluster.replace(/[^A-Za-z0-9._-]/g, '_')}-${id}.json`);
}

export function readMigrationState(path: string): MigrationState | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new MigrateError('MIGRATE_STATE_INVALID', `cannot read the migration record ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const v = JSON.parse(text) as MigrationState;
    if (v.format !== MIGRATION_FORMAT) throw new Error(`format ${String(v.format)}`);
    return v;
  } catch (err) {
    throw new MigrateError('MIGRATE_STATE_INVALID', `the migration record ${path} is damaged: ${(err as Error).message}`, {
      cause: err,
      hint: 'move it away; the hosts are the truth, so migrate can plan without it (it then makes a new backup if the existing SCM still runs alone)',
    });
  }
}

/** temp file, fsync, rename: a killed scmctl leaves the old record or the new one, never half of one */
export function writeMigrationState(path: string, state: MigrationState): void {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(state, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    throw new MigrateError('MIGRATE_STATE_INVALID', `cannot write the migration record ${path}: ${(err as Error).message}`, { cause: err, hint: 'set SCMCTL_STATE_DIR to a writable directory' });
  }
}
