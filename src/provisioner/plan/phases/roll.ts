/**
 * Phase `roll` (migrate): apply's rolling restart (restart.ts) of any node still owing one, followers first
 * and the leader last; normally none, since the existing SCM already started on the final configuration in
 * the convert stage (its own restart is left out when it is converted).
 */
import type { Task } from '../plan-model.js';
import { restoreSteps, stopNewSteps } from './migration-undo.js';
import type { MigrationContext, PhaseSpec } from './phase-context.js';

function migrateRoll(m: MigrationContext): readonly Task[] {
  return m.from('restart').filter((t) => !(m.convert && m.isExisting(t)));
}

export const rollPhase = {
  id: 'roll',
  title: 'Roll the SCMs onto the final configuration',
  mode: 'sequential',
  migrate: { tasks: migrateRoll, rollback: (m) => `as for the join stage: ${stopNewSteps(m)}; then restore ${m.existing.nodeId}: ${restoreSteps(m)}` },
} as const satisfies PhaseSpec;
