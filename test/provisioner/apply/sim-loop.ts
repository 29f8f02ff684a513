/** facts → plan → execute against a SimCluster, as the apply command does it (without the CLI around it). */
import type { Clock, TimerHandle } from '../../../src/common/clock.js';
import type { BundleInfo } from '../../../src/provisioner/bundle/bundle-info.js';
import type { ApplyEvent } from '../../../src/provisioner/apply/apply-events.js';
import { ClusterSession } from '../../../src/provisioner/session/cluster-session.js';
import { executePlan, type ApplyOutcome } from '../../../src/provisioner/apply/executor.js';
import { planBundle } from '../../../src/provisioner/apply/runtime-bundle.js';
import type { ClusterFacts } from '../../../src/provisioner/plan/cluster-facts.js';
import { PLAN_FORMAT, type Plan, type Task } from '../../../src/provisioner/plan/plan-model.js';
import { plan } from '../../../src/provisioner/plan/planner.js';
import type { Topology } from '../../../src/provisioner/topology/model.js';
import type { SimCluster } from '../../support/sim-scm-cluster.js';
import { RELEASE } from '../plan/cluster-fixture.js';

export const BUNDLE_INFO: BundleInfo = {
  path: '/nonexistent/scmctl.tar.gz',
  sha256: 'f'.repeat(64),
  bytes: 1,
  id: 'a'.repeat(64),
  release: RELEASE,
  manifest: { format: 'scmctl-bundle/v1', name: 'scmctl', version: '0.1.0', platform: 'linux', arch: 'x64', node: null, minNodeMajor: 20, files: [], symlinks: [] },
};

/** Time moves only when someone sleeps: waits finish at once, deadlines still count. */
export class AutoClock implements Clock {
  private t = 1_700_000_000_000;
  now(): number {
    return this.t;
  }
  wallTime(): Date {
    return new Date(this.t);
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const h = setTimeout(fn, 0);
    this.t += ms;
    return { cancel: () => clearTimeout(h) };
  }
  setInterval(fn: () => void): TimerHandle {
    const h = setInterval(fn, 1);
    return { cancel: () => clearInterval(h) };
  }
  async sleep(ms: number, options: { signal?: AbortSignal } = {}): Promise<void> {
    options.signal?.throwIfAborted();
    this.t += ms;
    await new Promise((r) => setImmediate(r));
    options.signal?.throwIfAborted();
  }
}

export function sessionOf(sim: SimCluster, topology: Topology): ClusterSession {
  return new ClusterSession(topology, { env: { HOME: '/home/op' }, localUser: 'ozone', connect: sim.connect as never, concurrency: 4 });
}

export async function planOn(sim: SimCluster, topology: Topology): Promise<{ plan: Plan; facts: ClusterFacts }> {
  const session = sessionOf(sim, topology);
  const facts = await session.gather();
  return { plan: plan({ topology, rendered: session.rendered, facts, bundle: planBundle(BUNDLE_INFO) }), facts };
}

export async function applyOn(
  sim: SimCluster,
  topology: Topology,
  options: { signal?: AbortSignal; onEvent?: (e: ApplyEvent) => void } = {},
): Promise<{ plan: Plan; outcome: ApplyOutcome; events: ApplyEvent[] }> {
  const session = sessionOf(sim, topology);
  const facts = await session.gather();
  const p = plan({ topology, rendered: session.rendered, facts, bundle: planBundle(BUNDLE_INFO) });
  const events: ApplyEvent[] = [];
  const outcome = await executePlan(p, {
    hosts: session.pool,
    bundle: BUNDLE_INFO,
    clock: new AutoClock(),
    install: sim.install as never,
    ...(options.signal ? { signal: options.signal } : {}),
    onEvent: (e) => {
      events.push(e);
      options.onEvent?.(e);
    },
  });
  return { plan: p, outcome, events };
}

/** A plan of one per-host phase holding `tasks` (tasks that need no nodes or hosts in the plan). */
export function onePhasePlan(tasks: readonly Task[]): Plan {
  return {
    format: PLAN_FORMAT,
    cluster: 'c',
    phases: [{ id: 'files', title: 'files', mode: 'per-host', tasks }],
    nodes: {},
    hosts: {},
    preflight: [],
    problems: [],
    fileChanges: [],
    bundle: null,
    timeouts: { commandMs: 10_000, scmStartMs: 10_000, scmInfoWaitMs: 10_000 },
  };
}
