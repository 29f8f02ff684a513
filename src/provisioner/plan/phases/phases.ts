/**
 * Which command plans which phases, in which order: one array per command, of the phases in
 * plan/phases/<phase>.ts. The phase ids, titles and modes that plans carry (and that the executor, the
 * journal and the printed plan use) come from these arrays, so adding a phase is its file and one entry
 * here (docs/design.md §6.1). Every plan lists all of its command's phases, empty ones too, so every plan
 * prints the same skeleton; titles are stable (saved plans and journals name them).
 */
import type { PhaseMode } from '../plan-model.js';
import { backupPhase } from './backup.js';
import { convertPhase } from './convert.js';
import { ejectPhase } from './eject.js';
import { filesPhase } from './files.js';
import { initPhase } from './init.js';
import { joinPhase } from './join.js';
import { preflightPhase } from './preflight.js';
import { removePhase } from './remove.js';
import { restartPhase } from './restart.js';
import { rollPhase } from './roll.js';
import { runtimePhase } from './runtime.js';
import { verifyPhase } from './verify.js';

/** apply's phases (plan/planner.ts) */
export const APPLY_PHASES = [preflightPhase, runtimePhase, filesPhase, initPhase, joinPhase, removePhase, restartPhase, verifyPhase] as const;
/** `scmctl migrate`'s phases (migrate/migration-planner.ts) */
export const MIGRATE_PHASES = [preflightPhase, runtimePhase, filesPhase, backupPhase, convertPhase, joinPhase, rollPhase, verifyPhase] as const;
/** `scmctl repair`'s phases (repair/repair-planner.ts plans their tasks) */
export const REPAIR_PHASES = [preflightPhase, ejectPhase, joinPhase, verifyPhase] as const;

export type PhaseId = (typeof APPLY_PHASES | typeof MIGRATE_PHASES | typeof REPAIR_PHASES)[number]['id'];

const ids = <P extends { readonly id: string }>(phases: readonly P[]): P['id'][] => phases.map((p) => p.id);
export const PHASE_IDS = ids(APPLY_PHASES);
export const MIGRATE_PHASE_IDS = ids(MIGRATE_PHASES);
export const REPAIR_PHASE_IDS = ids(REPAIR_PHASES);

const ALL = [...APPLY_PHASES, ...MIGRATE_PHASES, ...REPAIR_PHASES];
export const PHASE_TITLES: Readonly<Record<PhaseId, string>> = Object.fromEntries(ALL.map((p) => [p.id, p.title])) as Record<PhaseId, string>;
export const PHASE_MODES: Readonly<Record<PhaseId, PhaseMode>> = Object.fromEntries(ALL.map((p) => [p.id, p.mode])) as Record<PhaseId, PhaseMode>;
