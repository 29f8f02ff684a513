/**
 * Phase `convert` (migrate): write the existing SCM's HA configuration (Ratis on, every node, itself
 * primordial) and start it: a standalone SCM converts itself into a one-node ring with the same clusterID;
 * wait until it leads. Only while it is alone (no new node initialised, its ring has one member): once a
 * node joined, stopping it could cost the majority, so a resumed migration goes on from where the hosts are.
 */
import type { Task } from '../plan-model.js';
import { restoreSteps } from './migration-undo.js';
import type { MigrationContext, PhaseSpec } from './phase-context.js';

function migrateConvert(m: MigrationContext): readonly Task[] {
  const { existing: e, existingKey: eKey, version: ev } = m;
  if (!m.convert || !ev) return [];
  return [
    ...m.existingFiles.filter((t) => t.kind === 'write-file'),
    {
      kind: 'start-scm',
      id: `start:${e.host}:${eKey}`,
      title:
        ev.scmHa === true
          ? `start ${eKey} on ${e.host} on the HA configuration and wait until it leads`
          : `start ${eKey} on ${e.host} with Ratis enabled (it converts itself to a one-node ring, same clusterID ${ev.clusterId}) and wait until it leads`,
      host: e.host,
      node: eKey,
      gate: 'leader',
    },
  ];
}

export const convertPhase = {
  id: 'convert',
  title: 'Enable Ratis on the existing SCM and start it on the HA configuration',
  mode: 'sequential',
  migrate: { tasks: migrateConvert, rollback: restoreSteps },
} as const satisfies PhaseSpec;
