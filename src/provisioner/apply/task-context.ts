/**
 * What a task handler (apply/tasks/<kind>.ts) may use: the plan, the hosts, each node's `bin/ozone`
 * operations on its host, the ring as a node sees it (and one `waitRing` with the named predicates below),
 * polling with the plan's timeouts, the run's abort signal and the run's collaborators (bundle, backups).
 * Built once per run by the executor.
 */
import type { Clock } from '../../common/clock.js';
import type { BundleInfo } from '../bundle/bundle-info.js';
import type { InstallBundleOptions, InstallResult } from '../bundle/install-bundle.js';
import type { RolePeer } from '../facts/host-facts.js';
import type { RemoteHost } from '../hosts/remote-host.js';
import type { NodeKey, Plan, PlanNode } from '../plan/plan-model.js';
import type { RingHealth } from '../plan/ring-view.js';
import type { BackupRecord } from './scm-backup.js';
import type { ScmOps } from './scm-ops.js';
import type { Observation } from './wait-until.js';

/** A condition on a service's ring, named so progress and timeouts read well. */
export interface RingPredicate {
  readonly what: string;
  readonly holds: (h: RingHealth) => boolean;
}

/** one LEADER, every declared node a voter, nobody joining */
export const isWhole: RingPredicate = {
  what: 'the ring to be whole',
  holds: (h) => h.leaderCount === 1 && h.leader !== null && h.missing.length === 0 && h.joining.length === 0,
};

/** `key` is the ring's only LEADER */
export function leads(key: NodeKey): RingPredicate {
  return { what: `${key} to become the leader`, holds: (h) => h.leaderCount === 1 && h.leader === key };
}

/** one LEADER and every one of `keys` a voter */
export function hasMembers(keys: readonly NodeKey[]): RingPredicate {
  return { what: `${keys.join(', ')} to join the ring (one leader)`, holds: (h) => h.leaderCount === 1 && h.leader !== null && keys.every((k) => h.members.includes(k)) };
}

/** one LEADER, and it is not `key` */
export function ledByOtherThan(key: NodeKey): RingPredicate {
  return { what: `leadership to move away from ${key}`, holds: (h) => h.leaderCount === 1 && h.leader !== null && h.leader !== key };
}

export interface TaskRunDeps {
  /** the bundle the plan's install tasks install (plan.bundle.release must match) */
  readonly bundle: BundleInfo | null;
  readonly install: (host: RemoteHost, bundle: BundleInfo, installDir: string, options: InstallBundleOptions) => Promise<InstallResult>;
  /** migrate: told about each backup made (to record it); asked for the container ids to find on every node */
  readonly onBackup?: (record: BackupRecord) => void;
  readonly containersBefore?: () => readonly string[] | null;
}

export interface TaskContext {
  readonly plan: Plan;
  readonly clock: Clock;
  readonly signal: AbortSignal | undefined;
  readonly deps: TaskRunDeps;
  host(name: string): Promise<RemoteHost>;
  node(key: NodeKey): PlanNode;
  /** the plan's nodes of one service */
  serviceNodes(serviceId: string): PlanNode[];
  ops(key: NodeKey): Promise<ScmOps>;
  /** the ring as `via`'s `admin scm roles --json` reports it, with the health of `via`'s service */
  readRing(via: PlanNode): Promise<{ health: RingHealth; peers: RolePeer[] } | { error: string }>;
  /** polls `check` until done, within the plan's SCM start timeout */
  waitFor(what: string, host: string, check: () => Promise<Observation>, progress: (m: string) => void): Promise<string>;
  /** polls the ring through the first of `via` that answers until `p` holds; returns the last description */
  waitRing(via: readonly PlanNode[], p: RingPredicate, progress: (m: string) => void, what?: string): Promise<string>;
  /** `ozone --daemon start scm` on the node (no gate) */
  startScm(n: PlanNode, progress: (m: string) => void): Promise<void>;
  /** "leader scm1; in the ring: …" */
  describe(h: RingHealth): string;
  /** `{ signal }` when the run has one, for spreading into options */
  readonly sig: { signal?: AbortSignal };
}
