/**
 * The Plan: what `scmctl apply` will do, computed by the pure `plan()` from the declared topology, the
 * rendered files and the discovered facts (never mixed: see cluster-facts.ts). It is plain JSON data, so a
 * plan can be saved (`scmctl plan --out plan.json`), printed, and interpreted by the executor
 * (src/provisioner/apply/executor.ts).
 *
 * Contracts:
 *  - Phases come in a fixed order with stable titles (plan/phases/phases.ts); phases without tasks are kept so
 *    every plan prints the same skeleton.
 *  - Every task is idempotent: running it again after it (or part of it) ran converges to the same state.
 *    Task ids are stable (derived from what the task changes), so the journal can name them.
 *  - Nothing in a plan deletes anything under a data directory; no task kind can express it.
 *  - Tasks carry no secrets (rendered files never contain any).
 */
import type { PhaseId } from './phases/phases.js';

export const PLAN_FORMAT = 'scmctl-plan/v1';

/** Phases, in order, with their ids, titles and modes: plan/phases/phases.ts (one file per phase beside it). */
export type { PhaseId };

/**
 * How the executor runs a phase: `per-host` = hosts in parallel (bounded), each host's tasks in order;
 * `sequential` = one task at a time, in order (everything that touches the Raft ring).
 */
export type PhaseMode = 'per-host' | 'sequential';

/** `serviceId/nodeId` */
export type NodeKey = string;

export function nodeKey(serviceId: string, nodeId: string): NodeKey {
  return `${serviceId}/${nodeId}`;
}

/** What the executor needs to drive one SCM node's `bin/ozone` (docs/design.md §4.3). */
export interface PlanNode {
  readonly key: NodeKey;
  readonly serviceId: string;
  readonly nodeId: string;
  /** topology host name */
  readonly host: string;
  /** `ozone.scm.address.<sid>.<nid>` */
  readonly address: string;
  readonly ratisPort: number;
  /** the client port (`ozone admin … --scm <address>:<clientPort>` asks this SCM only); absent in older saved plans */
  readonly clientPort?: number;
  readonly primordial: boolean;
  readonly installDir: string;
  readonly configDir: string;
  readonly dbDir: string;
  readonly logsDir: string;
  /** `<config>/scm.env`, sourced before every ozone command */
  readonly envFile: string;
  /** `<install>/current/bin/ozone` */
  readonly ozoneBin: string;
  /** durable "restart pending" marker (restart-marker.ts) */
  readonly restartMarker: string;
  /** run privileged steps through sudo */
  readonly sudo: boolean;
}

export interface PlanHost {
  readonly name: string;
  readonly address: string;
  readonly transport: 'ssh' | 'local';
  readonly sudo: boolean;
  /** where the apply lock of this host lives */
  readonly lockPath: string;
}

export type TaskBase = {
  /** stable id, e.g. `files:scm1:/etc/ozone/ozone-site.xml` */
  readonly id: string;
  readonly title: string;
  /** the host the task acts on */
  readonly host: string;
};

export type Task =
  | (TaskBase & { readonly kind: 'install-runtime'; readonly installDir: string; readonly release: string; readonly sudo: boolean })
  | (TaskBase & {
      readonly kind: 'create-directories';
      readonly paths: readonly string[];
      /** those of `paths` holding SCM data (metadata, db, ratis, snapshot): created 0700, the others 0755 */
      readonly privatePaths: readonly string[];
      readonly sudo: boolean;
    })
  | (TaskBase & { readonly kind: 'mark-restart-pending'; readonly node: NodeKey; readonly marker: string; readonly reason: string; readonly sudo: boolean })
  | (TaskBase & {
      readonly kind: 'write-file';
      readonly path: string;
      readonly content: string;
      readonly mode: number;
      /** sha256 of `content` as written */
      readonly sha256: string;
      /** the file it replaces is not scmctl's (or was edited by hand): keep a copy at path+suffix */
      readonly backupSuffix?: string;
      readonly sudo: boolean;
    })
  | (TaskBase & {
      /**
       * a Kerberos keytab from the operator machine (`source`, read when the task runs and checked against
       * `sha256`; its content is never in a plan, an event or a log) to `path`, mode 0400, owned by `owner`
       */
      readonly kind: 'install-keytab';
      readonly path: string;
      readonly source: string;
      readonly sha256: string;
      readonly owner?: string;
      readonly sudo: boolean;
    })
  | (TaskBase & { readonly kind: 'init-scm'; readonly node: NodeKey })
  | (TaskBase & {
      readonly kind: 'bootstrap-scm';
      readonly node: NodeKey;
      /**
       * secure cluster: a single-use SCM join token for this node is minted on `via`'s host (`ozone admin scm
       * token create`, with that SCM's admin identity) and handed to `--bootstrap` on stdin with the root CA
       * hash to pin; the token is never in argv, a file, the plan or the journal
       */
      readonly token?: { readonly via: NodeKey };
    })
  /** `ozone admin scm decommission` of a ring member the topology does not declare (run on `via`) */
  | (TaskBase & { readonly kind: 'decommission-scm'; readonly serviceId: string; readonly scmUuid: string; readonly address: string; readonly via: NodeKey })
  | (TaskBase & {
      readonly kind: 'start-scm';
      readonly node: NodeKey;
      /**
       * what to wait for once it runs: `leader` = it is the ring's LEADER (a fresh primordial, a standalone
       * SCM); `member` = one LEADER and this node in the ring; `none` = nothing yet (a ring still short of
       * its majority; a later wait-ring task checks)
       */
      readonly gate: 'leader' | 'member' | 'none';
    })
  | (TaskBase & { readonly kind: 'wait-ring'; readonly serviceId: string; readonly nodes: readonly NodeKey[] })
  | (TaskBase & { readonly kind: 'restart-scm'; readonly node: NodeKey; readonly reason: string })
  | (TaskBase & { readonly kind: 'verify-service'; readonly serviceId: string; readonly nodes: readonly NodeKey[] })
  /** `ozone --daemon stop scm` (a no-op when it is not running) */
  | (TaskBase & { readonly kind: 'stop-scm'; readonly node: NodeKey; readonly reason: string })
  | (TaskBase & {
      readonly kind: 'backup-scm';
      readonly node: NodeKey;
      /** the archive is `<archiveDir>/<archivePrefix><UTC time>.tar.gz`; the time is taken when it runs */
      readonly archiveDir: string;
      readonly archivePrefix: string;
      /** absolute directories archived (those that exist when it runs); none is inside another */
      readonly paths: readonly string[];
      readonly sudo: boolean;
    })
  /**
   * moves each of `paths` that is not empty to `<path>.<suffix>-<UTC time>` (the time is taken when it runs)
   * and creates it again empty, 0700: the node's data is kept, never deleted
   */
  | (TaskBase & { readonly kind: 'set-aside-scm-data'; readonly node: NodeKey; readonly paths: readonly string[]; readonly suffix: string; readonly sudo: boolean })
  /**
   * disaster recovery: the backup archive (a local path, checked against `sha256` on the host) unpacked into
   * the node's db directory with a VERSION of `clusterId` and a new scmUuid (no scmHA: its first start makes a
   * one-node ring of the restored data, as a standalone SCM's does); refused on a node holding a VERSION
   */
  | (TaskBase & { readonly kind: 'restore-scm'; readonly node: NodeKey; readonly archive: string; readonly sha256: string; readonly clusterId: string; readonly sudo: boolean })
  /** every node's `containers` column family (ozone debug ldb) is the same, and holds the containers recorded before a migration */
  | (TaskBase & { readonly kind: 'verify-containers'; readonly serviceId: string; readonly nodes: readonly NodeKey[] });

export type TaskKind = Task['kind'];

/** Task kinds that change a host; the others only wait or check. */
export const MUTATING_KINDS: ReadonlySet<TaskKind> = new Set<TaskKind>([
  'install-runtime',
  'create-directories',
  'mark-restart-pending',
  'write-file',
  'install-keytab',
  'init-scm',
  'bootstrap-scm',
  'start-scm',
  'restart-scm',
  'stop-scm',
  'backup-scm',
  'decommission-scm',
  'set-aside-scm-data',
  'restore-scm',
]);

export interface Phase {
  readonly id: PhaseId;
  readonly title: string;
  readonly mode: PhaseMode;
  readonly tasks: readonly Task[];
  /** how to undo what this phase did, for people (migrate sets it on every phase) */
  readonly rollback?: string;
}

export type CheckStatus = 'pass' | 'fail' | 'ignored';

export interface PreflightResult {
  /** the check's name, as `--ignore-preflight-errors` takes it */
  readonly check: string;
  readonly host: string;
  readonly status: CheckStatus;
  readonly message: string;
  /** failures of checks that cannot be ignored (reachability, identity, cluster id) */
  readonly ignorable: boolean;
  /** for a host that could not be read: the error's code (e.g. SSH_HOST_KEY_CHANGED) and its fix */
  readonly code?: string;
  readonly hint?: string;
}

/** A state apply refuses to touch. */
export interface PlanProblem {
  readonly code: string;
  /** hosts concerned, first = the one to look at */
  readonly hosts: readonly string[];
  readonly message: string;
  readonly hint: string;
}

export interface FileChange {
  readonly host: string;
  readonly path: string;
  readonly action: 'create' | 'update';
  /** unified diff (`diff -u` style); for a new file every line is added */
  readonly diff: string;
  readonly added: number;
  readonly removed: number;
  /** the replaced file is not scmctl's, or was edited by hand: it is kept at path+suffix */
  readonly backupSuffix?: string;
}

export interface PlanBundle {
  readonly release: string;
  readonly sha256: string;
  readonly platform: string;
  readonly arch: string;
  /** the bundle carries its own Node runtime */
  readonly bundledNode: boolean;
  /** the HDDS layout version its SCM runs (BundleManifest.layoutVersion), when known */
  readonly layoutVersion?: number;
}

export interface Plan {
  readonly format: typeof PLAN_FORMAT;
  readonly cluster: string;
  readonly phases: readonly Phase[];
  readonly nodes: Readonly<Record<NodeKey, PlanNode>>;
  readonly hosts: Readonly<Record<string, PlanHost>>;
  readonly preflight: readonly PreflightResult[];
  readonly problems: readonly PlanProblem[];
  readonly fileChanges: readonly FileChange[];
  readonly bundle: PlanBundle | null;
  readonly timeouts: { readonly commandMs: number; readonly scmStartMs: number; readonly scmInfoWaitMs: number };
}

/** The plan may run: no failing check, no refused state. */
export function isRunnable(plan: Plan): boolean {
  return plan.problems.length === 0 && !plan.preflight.some((c) => c.status === 'fail');
}

export function allTasks(plan: Plan): Task[] {
  return plan.phases.flatMap((p) => p.tasks);
}

/** Number of tasks that change a host: 0 = "No changes". */
export function changeCount(plan: Plan): number {
  return allTasks(plan).filter((t) => MUTATING_KINDS.has(t.kind)).length;
}
