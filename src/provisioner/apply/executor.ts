/**
 * The executor: interprets a Plan against the hosts (the plan decides, the executor does). Phases run in
 * order; a `per-host` phase works on hosts in parallel (bounded), each host's tasks in order; a `sequential`
 * phase runs one task at a time. The first failure ends the run after the tasks already running finish:
 * the failed host stops, other hosts of a per-host phase finish their own tasks, and every task not run is
 * reported as skipped. Each task is idempotent, so running the same plan (or a new one) again converges.
 *
 * Health gates (everything touching the Raft ring):
 *  - start-scm `leader`: this node is the ring's only LEADER; `member`: one LEADER and this node in the ring;
 *  - restart-scm: if the node leads a ring of several, leadership is transferred to a follower first and
 *    the executor waits for the new leader; then stop, start, and the `member` gate (quorum is never lost:
 *    one node at a time, and the next starts only when the ring is whole again);
 *  - the restart marker is removed only after the gate passed.
 *
 * Contracts: never deletes anything under a data directory (the only removal is the restart marker in the
 * config directory); `signal` aborts the current command (HostError HOST_ABORTED) and ends the run as
 * interrupted; events go to `onEvent` in order.
 */
import type { Clock } from '../../common/clock.js';
import { isCodedError } from '../../common/coded-error.js';
import type { BundleInfo } from '../bundle/bundle-info.js';
import { installBundle, type InstallBundleOptions, type InstallResult } from '../bundle/install-bundle.js';
import type { RolePeer } from '../facts/host-facts.js';
import { ConcurrencyLimit } from '../hosts/concurrency-limit.js';
import type { RemoteHost } from '../hosts/remote-host.js';
import type { NodeKey, Phase, Plan, PlanNode, Task } from '../plan/plan-model.js';
import { ringHealth, type RingHealth } from '../plan/ring-view.js';
import type { ApplyEventSink, TaskRef } from './apply-events.js';
import type { BackupRecord } from './scm-backup.js';
import { ApplyError } from './apply-error.js';
import { ALREADY_RUNNING, DAEMON_START } from './scm-commands.js';
import { ScmOps, tail } from './scm-ops.js';
import { runTask } from './task-handlers.js';
import type { TaskContext } from './task-context.js';
import { waitUntil, type Heartbeat } from './wait-until.js';

export interface ExecutorDeps {
  readonly hosts: { get(name: string, ctx?: { signal?: AbortSignal }): Promise<RemoteHost> };
  /** the bundle the plan's install tasks install (plan.bundle.release must match) */
  readonly bundle: BundleInfo | null;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
  /** hosts at once in per-host phases; default 10 */
  readonly concurrency?: number;
  readonly onEvent?: ApplyEventSink;
  /** between health polls; default 500 ms */
  readonly pollIntervalMs?: number;
  /** one roles query; default 20 s */
  readonly rolesTimeoutMs?: number;
  /** replaces installBundle (tests: the fake host cannot take an upload from a local path) */
  readonly install?: (host: RemoteHost, bundle: BundleInfo, installDir: string, options: InstallBundleOptions) => Promise<InstallResult>;
  /** migrate: told about each backup made (to record it); asked for the container ids to find on every node */
  readonly onBackup?: (record: BackupRecord) => void;
  readonly containersBefore?: () => readonly string[] | null;
}

export interface TaskFailure {
  readonly task: TaskRef;
  readonly error: unknown;
}

export interface ApplyOutcome {
  readonly ok: boolean;
  readonly completed: number;
  readonly skipped: number;
  readonly failures: readonly TaskFailure[];
  /** the signal fired */
  readonly interrupted: boolean;
}

function ref(t: Task): TaskRef {
  return { id: t.id, kind: t.kind, title: t.title, host: t.host };
}

function describe(h: RingHealth, nodes: Readonly<Record<NodeKey, PlanNode>>): string {
  const name = (k: string): string => nodes[k]?.nodeId ?? k;
  return `${h.leaderCount === 1 && h.leader ? `leader ${name(h.leader)}` : h.leaderCount === 0 ? 'no leader' : `${h.leaderCount} leaders`}; in the ring: ${
    h.members.map(name).join(', ') || 'none'
  }${h.joining.length > 0 ? `; joining: ${h.joining.map((j) => `${name(j.key)} (${j.role})`).join(', ')}` : ''}${h.missing.length > 0 ? `; not in the ring: ${h.missing.map(name).join(', ')}` : ''}`;
}

/** The context every task handler of one run shares (apply/task-context.ts). */
export function taskContextFor(plan: Plan, deps: ExecutorDeps, onWaiting?: (h: Heartbeat) => void): TaskContext {
  const signal = deps.signal;
  const sig = signal ? { signal } : {};
  const interval = deps.pollIntervalMs ?? 500;
  const rolesTimeout = deps.rolesTimeoutMs ?? 20_000;
  const host = (name: string): Promise<RemoteHost> => deps.hosts.get(name, sig);
  const node = (key: NodeKey): PlanNode => {
    const n = plan.nodes[key];
    if (!n) throw new TypeError(`plan has no node ${key}`);
    return n;
  };
  const ops = async (key: NodeKey): Promise<ScmOps> => new ScmOps(await host(node(key).host), node(key));
  const serviceNodes = (serviceId: string): PlanNode[] => Object.values(plan.nodes).filter((n) => n.serviceId === serviceId);
  const readRing = async (via: PlanNode): Promise<{ health: RingHealth; peers: RolePeer[] } | { error: string }> => {
    const r = await (await ops(via.key)).roles({ ...sig, timeoutMs: rolesTimeout });
    if ('error' in r) return r;
    const nodes = serviceNodes(via.serviceId).map((n) => ({ key: n.key, address: n.address, ratisPort: n.ratisPort }));
    return { health: ringHealth(nodes, r.peers), peers: r.peers };
  };
  const ctx: TaskContext = {
    plan,
    clock: deps.clock,
    signal,
    sig,
    deps: { bundle: deps.bundle, install: deps.install ?? installBundle, ...(deps.onBackup ? { onBackup: deps.onBackup } : {}), ...(deps.containersBefore ? { containersBefore: deps.containersBefore } : {}) },
    host,
    node,
    serviceNodes,
    ops,
    readRing,
    describe: (h) => describe(h, plan.nodes),
    waitFor: (what, onHost, check, progress) =>
      waitUntil(check, { what, host: onHost, timeoutMs: plan.timeouts.scmStartMs, intervalMs: interval, clock: deps.clock, ...sig, onProgress: progress, ...(onWaiting ? { onHeartbeat: onWaiting } : {}) }),
    waitRing: (via, p, progress, what) =>
      ctx.waitFor(
        what ?? p.what,
        via[0]!.host,
        async () => {
          let last = 'no node answered';
          for (const v of via) {
            const r = await readRing(v);
            if ('error' in r) {
              last = r.error;
              continue;
            }
            return { done: p.holds(r.health), detail: describe(r.health, plan.nodes) };
          }
          return { done: false, detail: last };
        },
        progress,
      ),
    startScm: async (n, progress) => {
      progress('ozone --daemon start scm');
      const o = await ops(n.key);
      const r = await o.ozone(DAEMON_START, { ...sig, timeoutMs: plan.timeouts.scmStartMs + 30_000 });
      // Ozone's wrapper refuses to start a running daemon (exit 1, "scm is running as process N.  Stop it
      // first."): for a start task that is the wanted state, as on a re-run after an interrupted apply
      if (r.exitCode !== 0 && !ALREADY_RUNNING.test(r.stderr)) {
        throw new ApplyError('APPLY_SCM_START_FAILED', `ozone --daemon start scm failed for ${n.key} (exit ${r.exitCode}): ${tail(r)}`, { host: n.host });
      }
    },
  };
  return ctx;
}

export async function executePlan(plan: Plan, deps: ExecutorDeps): Promise<ApplyOutcome> {
  const emit: ApplyEventSink = deps.onEvent ?? (() => undefined);
  const signal = deps.signal;
  const failures: TaskFailure[] = [];
  let completed = 0;
  let skipped = 0;

  async function runOne(phase: Phase, t: Task): Promise<boolean> {
    const r = ref(t);
    emit({ type: 'task-start', phase: phase.id, task: r });
    const t0 = deps.clock.now();
    let shown = '';
    const progress = (message: string): void => {
      if (message === shown) return; // e.g. upload chunks: one line per step, not per chunk
      shown = message;
      emit({ type: 'task-progress', task: r, message });
    };
    try {
      // each task's own context: its long waits report heartbeats as task-waiting events of this task
      const detail = await runTask(t, taskContextFor(plan, deps, (h) => emit({ type: 'task-waiting', task: r, ...h })), progress);
      completed++;
      emit({ type: 'task-done', task: r, durationMs: deps.clock.now() - t0, ...(detail ? { detail } : {}) });
      return true;
    } catch (error) {
      failures.push({ task: r, error });
      emit({
        type: 'task-failed',
        task: r,
        durationMs: deps.clock.now() - t0,
        code: isCodedError(error) ? error.code : 'INTERNAL',
        message: error instanceof Error ? error.message : String(error),
        ...(isCodedError(error) && error.hint ? { hint: error.hint } : {}),
      });
      return false;
    }
  }

  const skip = (tasks: readonly Task[], reason: string): void => {
    for (const t of tasks) {
      skipped++;
      emit({ type: 'task-skipped', task: ref(t), reason });
    }
  };

  const phases = plan.phases.filter((p) => p.id !== 'preflight');
  for (let i = 0; i < phases.length; i++) {
    const phase = phases[i]!;
    if (failures.length > 0 || signal?.aborted) {
      skip(phase.tasks, signal?.aborted ? 'interrupted' : 'an earlier task failed');
      continue;
    }
    if (phase.tasks.length === 0) continue;
    emit({ type: 'phase-start', phase: phase.id, title: phase.title, tasks: phase.tasks.length });
    if (phase.mode === 'per-host') {
      const byHost = new Map<string, Task[]>();
      for (const t of phase.tasks) byHost.set(t.host, [...(byHost.get(t.host) ?? []), t]);
      const limit = new ConcurrencyLimit(deps.concurrency ?? 30);
      await Promise.all(
        [...byHost.values()].map((tasks) =>
          limit
            .run(async () => {
              for (let k = 0; k < tasks.length; k++) {
                if (signal?.aborted) {
                  skip(tasks.slice(k), 'interrupted');
                  return;
                }
                if (!(await runOne(phase, tasks[k]!))) {
                  skip(tasks.slice(k + 1), `an earlier task on ${tasks[k]!.host} failed`);
                  return;
                }
              }
            }, signal)
            .catch(() => skip(tasks, 'interrupted')),
        ),
      );
    } else {
      for (let k = 0; k < phase.tasks.length; k++) {
        if (signal?.aborted) {
          skip(phase.tasks.slice(k), 'interrupted');
          break;
        }
        if (!(await runOne(phase, phase.tasks[k]!))) {
          skip(phase.tasks.slice(k + 1), 'an earlier task failed');
          break;
        }
      }
    }
    emit({ type: 'phase-done', phase: phase.id, title: phase.title });
  }
  return { ok: failures.length === 0 && !signal?.aborted, completed, skipped, failures, interrupted: signal?.aborted === true };
}
