/**
 * A backup of one stopped SCM node on its own host: the VERSION's clusterID and the container ids are read
 * first (the database is closed, so the tool reads it directly), then the node's directories go into
 * `<dir>/<prefix><UTC time>.tar.gz` (paths relative to `/`, so `tar -C / -xzf ARCHIVE` puts everything
 * back), written as `.partial` and renamed once complete. Nothing is removed or changed in the directories.
 */
import type { Clock } from '../../common/clock.js';
import { sh } from '../hosts/shell-quote.js';
import type { Task } from '../plan/plan-model.js';
import { ApplyError } from './apply-error.js';
import { scanContainers } from './container-scan.js';
import { DAEMON_STATUS } from './scm-commands.js';
import { tail, type ScmOps } from './scm-ops.js';

export interface BackupRecord {
  readonly node: string;
  readonly host: string;
  /** the archive on the host */
  readonly path: string;
  readonly bytes: number;
  readonly clusterId: string;
  /** the node's container ids when it was backed up */
  readonly containers: readonly string[];
  /** ISO time */
  readonly at: string;
}

/** `2026-11-24T19:05:01.123Z` → `20261124T190501Z` */
export function compactUtc(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

export async function backupScm(ops: ScmOps, t: Extract<Task, { kind: 'backup-scm' }>, clock: Clock, signal?: AbortSignal, progress?: (m: string) => void): Promise<BackupRecord> {
  const sig = signal ? { signal } : {};
  const status = await ops.ozone(DAEMON_STATUS, sig);
  if (status.exitCode === 0) {
    throw new ApplyError('APPLY_BACKUP_FAILED', `${ops.node.key} is running; a consistent backup needs it stopped`, { host: t.host, hint: 'run migrate again: it stops the SCM before the backup' });
  }
  const version = await ops.version(sig);
  if (!version?.clusterId) {
    throw new ApplyError('APPLY_BACKUP_FAILED', `${ops.node.key} has no VERSION: there is nothing to back up`, { host: t.host });
  }
  progress?.('reading the containers (ozone debug ldb)');
  const scan = await scanContainers(ops, sig);
  const at = clock.wallTime();
  const archive = `${t.archiveDir}/${t.archivePrefix}${compactUtc(at)}.tar.gz`;
  progress?.(`writing ${archive}`);
  const script = sh`set -e; umask 077; mkdir -p -- ${t.archiveDir}; set --; for p in ${t.paths}; do if [ -e "$p" ]; then set -- "$@" "\${p#/}"; fi; done; tar -C / -czf ${`${archive}.partial`} -- "$@"; mv -f -- ${`${archive}.partial`} ${archive}; wc -c < ${archive}`;
  const r = await ops.host.exec(script, { ...(t.sudo ? { sudo: true } : {}), ...sig, timeoutMs: 3_600_000 });
  const bytes = Number(r.stdout.trim().split('\n').pop());
  if (r.exitCode !== 0 || !Number.isFinite(bytes)) {
    throw new ApplyError('APPLY_BACKUP_FAILED', `backup of ${ops.node.key} to ${archive} failed: ${tail(r, 3)}`, { host: t.host, hint: `check free space and permissions in ${t.archiveDir}` });
  }
  return { node: ops.node.key, host: t.host, path: archive, bytes, clusterId: version.clusterId, containers: scan.ids, at: at.toISOString() };
}
