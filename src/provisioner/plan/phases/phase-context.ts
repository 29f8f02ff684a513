/**
 * What a phase (plan/phases/<phase>.ts) is, and the small context it plans with. A phase has an id and a
 * title (as plans print them), the way the executor runs it, and what it plans: `plan` appends apply's tasks
 * to the phase through a PlanContext (built once per plan() by planner.ts), `migrate` returns migrate's
 * tasks for it and how to undo them from a MigrationContext (built by migrate/migration-planner.ts on top of
 * apply's plan of the target topology). A phase without `plan` is not one of apply's, and so on: the arrays
 * of phases.ts say which command runs which phase, in which order.
 *
 * Phases are pure like the planners: no I/O, no clock, no randomness.
 */
import type { RolePeer, ScmVersionFile } from '../../facts/host-facts.js';
import type { RenderedFile } from '../../render/render-host.js';
import type { ScmNode, ScmService, Topology } from '../../topology/model.js';
import type { ClusterFacts, HostObservation } from '../cluster-facts.js';
import type { FileChange, NodeKey, PlanBundle, PlanNode, PlanProblem, PreflightResult, PhaseMode, Task } from '../plan-model.js';

export interface PlanInput {
  readonly topology: Topology;
  /** renderAll(topology) */
  readonly rendered: ReadonlyMap<string, readonly RenderedFile[]>;
  readonly facts: ClusterFacts;
  /** the runtime bundle apply would install; null = do not manage the runtime */
  readonly bundle: PlanBundle | null;
  /** normalised by parseIgnoreList */
  readonly ignorePreflightErrors?: ReadonlySet<string>;
  /** migrate plans around a running standalone SCM itself; apply refuses to (PLAN_NEEDS_MIGRATE) */
  readonly allowRunningStandalone?: boolean;
}

/** A host whose facts could be read. */
export type ReadHost = Extract<HostObservation, { ok: true }>;

/** What every phase of apply shares while plan() runs them in order. */
export interface PlanContext {
  readonly input: PlanInput;
  readonly topology: Topology;
  readonly facts: ClusterFacts;
  /** the plan's nodes: what the executor needs of each */
  readonly nodes: Readonly<Record<NodeKey, PlanNode>>;
  /** named checks (the preflight phase) */
  readonly preflight: PreflightResult[];
  /** refused states: a phase that adds one ends planning, and the plan then holds no task */
  readonly problems: PlanProblem[];
  readonly fileChanges: FileChange[];
  /** nodes this plan starts (init, join): they are not restarted too */
  readonly started: Set<NodeKey>;
  /** appends a task to the phase being planned */
  add(task: Task): void;
  /** some phase planned a task so far */
  hasTasks(): boolean;
  /** the host's facts, null when it could not be read */
  host(name: string): ReadHost | null;
  key(n: ScmNode): NodeKey;
  running(n: ScmNode): boolean;
  /** it has a VERSION */
  initialised(n: ScmNode): boolean;
  /** its restart marker is on the host (an earlier apply did not finish its restart) */
  markerPresent(n: ScmNode): boolean;
  /**
   * A running node owes a restart because `why` (config, runtime, keytab) changes: recorded for the restart
   * phase, and made durable first by a mark-restart-pending task in the phase being planned (once per node).
   */
  markForRestart(n: ScmNode, why: string): void;
  /** why the node owes a restart, as recorded by markForRestart */
  restartReasons(n: ScmNode): ReadonlySet<string> | undefined;
}

/** per new host: TCP connections to the existing SCM's listening ports (migrate/reach-probe.ts) */
export interface ReachResult {
  /** e.g. `client`, `ratis` */
  readonly portName: string;
  /** `address:port` tried */
  readonly target: string;
  readonly ok: boolean;
}

/** What migrate's phases read of the migration's record (migrate/migration-state.ts), null on a first run. */
interface MigrationRecord {
  readonly clusterId: string;
  readonly completedAt: string | null;
  readonly backup: { readonly clusterId: string; readonly path: string } | null;
}

/** What every phase of migrate shares: apply's plan of the target topology and the existing SCM as observed. */
export interface MigrationContext {
  readonly topology: Topology;
  readonly facts: ClusterFacts;
  readonly reach: Readonly<Record<string, readonly ReachResult[]>>;
  readonly record: MigrationRecord | null;
  /** the tasks of one of apply's phases in apply's plan of the target (a running standalone SCM allowed) */
  from(id: string): Task[];
  readonly service: ScmService;
  /** the SCM holding the data: the primordial node of the target */
  readonly existing: ScmNode;
  readonly existingKey: NodeKey;
  /** the nodes the migration adds */
  readonly others: readonly ScmNode[];
  /** the existing SCM's VERSION, null when it has none */
  readonly version: ScmVersionFile | null;
  readonly ring: readonly RolePeer[] | null;
  key(n: ScmNode): NodeKey;
  initialised(n: ScmNode): boolean;
  running(n: ScmNode): boolean;
  /** the record is of this migration, unfinished (stopped SCMs and written directories are its own) */
  readonly inProgress: boolean;
  /** the record holds a backup of this clusterID */
  readonly backedUp: boolean;
  /** the existing SCM goes through the backup and convert stages (only while it is alone in its ring) */
  readonly convert: boolean;
  /** apply's write-file and mark-restart-pending tasks on the existing SCM's host (convert takes them over) */
  readonly existingFiles: readonly Task[];
  /** the task acts on the existing SCM */
  isExisting(t: Task): boolean;
  check(name: string, host: string, ok: boolean, message: string, ignorable: boolean): void;
  refuse(problem: PlanProblem): void;
  /** the tasks of the phases planned before this one */
  readonly planned: ReadonlyMap<string, readonly Task[]>;
}

interface MigratePart {
  readonly tasks: (m: MigrationContext) => readonly Task[];
  /** how to undo what the phase did, for people */
  readonly rollback?: (m: MigrationContext) => string;
}

/** One phase, as phases.ts lists it: one file each (plan/phases/<phase>.ts). */
export interface PhaseSpec {
  readonly id: string;
  readonly title: string;
  readonly mode: PhaseMode;
  /** apply: appends the phase's tasks (ctx.add) */
  readonly plan?: (ctx: PlanContext) => void;
  /** migrate: the phase's tasks and rollback */
  readonly migrate?: MigratePart;
}
