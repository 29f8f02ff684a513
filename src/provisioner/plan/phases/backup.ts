/**
 * Phase `backup` (migrate): while the existing SCM is to be converted, stop it and archive its directories
 * (and its configuration) on its host, unless the record already holds a backup of this clusterID.
 */
import { posix } from 'node:path';
import type { ScmNode } from '../../topology/model.js';
import type { Task } from '../plan-model.js';
import { hostSudo } from '../probe-specs.js';
import type { MigrationContext, PhaseSpec } from './phase-context.js';

/** Outermost directories only: a directory inside another is archived with it. */
export function outermost(paths: readonly string[]): string[] {
  const unique = [...new Set(paths.map((p) => posix.normalize(p).replace(/\/+$/, '') || '/'))].sort();
  return unique.filter((p) => !unique.some((q) => q !== p && (q === '/' || p.startsWith(`${q}/`))));
}

/** Where the backup of `n` goes: `<archiveDir>/<archivePrefix><UTC time>.tar.gz` beside its metadata. */
export function backupLocation(n: ScmNode): { archiveDir: string; archivePrefix: string } {
  return { archiveDir: posix.dirname(n.directories.metadata), archivePrefix: `scm-backup-${n.serviceId}-${n.nodeId}-` };
}

function migrateBackup(m: MigrationContext): readonly Task[] {
  if (!m.convert) return [];
  const { existing: e, existingKey: eKey } = m;
  const out: Task[] = [];
  if (m.running(e)) out.push({ kind: 'stop-scm', id: `stop:${e.host}:${eKey}`, title: `stop ${eKey} on ${e.host}${m.backedUp ? '' : ' for a consistent backup'}`, host: e.host, node: eKey, reason: 'migration' });
  if (m.backedUp) return out;
  const loc = backupLocation(e);
  const paths = outermost([...(['metadata', 'db', 'ratis', 'snapshot', 'config'] as const).map((d) => e.directories[d])]);
  out.push({
    kind: 'backup-scm',
    id: `backup:${e.host}:${eKey}`,
    title: `back up ${eKey} on ${e.host}: ${paths.join(', ')} → ${loc.archiveDir}/${loc.archivePrefix}<time>.tar.gz`,
    host: e.host,
    node: eKey,
    ...loc,
    paths,
    sudo: hostSudo(m.topology.hosts.find((h) => h.name === e.host)!),
  });
  return out;
}

function backupRollback(m: MigrationContext): string {
  const e = m.existing;
  return `${e.nodeId}'s data is unchanged: start it again with \`ozone --daemon start scm\` on ${e.host} (or carry on with \`scmctl migrate … --resume\`)`;
}

export const backupPhase = {
  id: 'backup',
  title: 'Back up the existing SCM',
  mode: 'sequential',
  migrate: { tasks: migrateBackup, rollback: backupRollback },
} as const satisfies PhaseSpec;
