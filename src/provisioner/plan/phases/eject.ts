/**
 * Phase `eject` (repair): take the damaged SCM out of the ring and set its data aside. Its tasks are planned
 * by repair/repair-planner.ts, which lists its phases with REPAIR_PHASE_IDS (phases.ts).
 */
import type { PhaseSpec } from './phase-context.js';

export const ejectPhase = {
  id: 'eject',
  title: 'Take the damaged SCM out of the ring and set its data aside',
  mode: 'sequential',
} as const satisfies PhaseSpec;
