/**
 * What a task handler (apply/tasks/<kind>.ts) may use: the plan, each node's `bin/ozone` operations on its
 * host, the ring as a node sees it, polling with the plan's timeouts, and the run's abort signal. Built once
 * per run by the executor.
 */
import type { Clock } from '../../common/clock.js';
import type { RolePeer } from '../facts/host-facts.js';
import type { NodeKey, Plan, PlanNode } from '../plan/plan-model.js';
import type { RingHealth } from '../plan/ring-view.js';
import type { ScmOps } from './scm-ops.js';
import type { Observation } from './wait-until.js';

export interface TaskContext {
  readonly plan: Plan;
  readonly clock: Clock;
  readonly signal: AbortSignal | undefined;
  node(key: NodeKey): PlanNode;
  ops(key: NodeKey): Promise<ScmOps>;
  /** the ring as `via`'s `admin scm roles --json` reports it, with the health of `via`'s service */
  readRing(via: PlanNode): Promise<{ health: RingHealth; peers: RolePeer[] } | { error: string }>;
  /** polls `check` until done, within the plan's SCM start timeout */
  waitFor(what: string, host: string, check: () => Promise<Observation>, progress: (m: string) => void): Promise<string>;
  /** "leader scm1; in the ring: …" */
  describe(h: RingHealth): string;
}
