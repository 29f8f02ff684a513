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
import { ConcurrencyLimit } from '../hosts/concurrency-limit.js';
import type { RemoteHost } from '../hosts/remote-host.js';
import { sh, shJoin } from '../hosts/shell-quote.js';
import type { NodeKey, Phase, Plan, PlanNode, Task } from '../plan/plan-model.js';
import type { RolePeer } from '../facts/host-facts.js';
import { ratisAddress, ringHealth, type RingHealth } from '../plan/ring-view.js';
import { ApplyError } from './apply-error.js';
import type { ApplyEventSink, TaskRef } from './apply-events.js';
import { DAEMON_START, DAEMON_STATUS, DAEMON_STOP, SCM_INIT, transferArgs } from './scm-commands.js';
import type { TaskContext } from './task-context.js';
import { runBootstrapScm } from './tasks/bootstrap-scm.js';
import { runDecommissionScm } from './tasks/decommission-scm.js';
import { scanContainers, type ContainerScan } from './container-scan.js';
import { backupScm, type BackupRecord } from './scm-backup.js';
import { ScmOps, tail } from './scm-ops.js';
import { waitUntil } from './wait-until.js';

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

function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KiB` : n < 1073741824 ? `${(n / 1048576).toFixed(1)} MiB` : `${(n / 1073741824).toFixed(2)} GiB`;
}

export async function executePlan(plan: Plan, deps: ExecutorDeps): Promise<ApplyOutcome> {
  const emit: ApplyEventSink = deps.onEvent ?? (() => undefined);
  const signal = deps.signal;
  const sig = signal ? { signal } : {};
  const interval = deps.pollIntervalMs ?? 500;
  const rolesTimeout = deps.rolesTimeoutMs ?? 20_000;
  const install = deps.install ?? installBundle;
  const failures: TaskFailure[] = [];
  let completed = 0;
  let skipped = 0;

  const host = (name: string): Promise<RemoteHost> => deps.hosts.get(name, sig);
  const node = (key: NodeKey): PlanNode => {
    const n = plan.nodes[key];
    if (!n) throw new TypeError(`plan has no node ${key}`);
    return n;
  };
  const ops = async (key: NodeKey): Promise<ScmOps> => new ScmOps(await host(node(key).host), node(key));
  const serviceNodes = (serviceId: string): PlanNode[] => Object.values(plan.nodes).filter((n) => n.serviceId === serviceId);
  const ringNodes = (list: readonly PlanNode[]): { key: string; address: string; ratisPort: number }[] =>
    list.map((n) => ({ key: n.key, address: n.address, ratisPort: n.ratisPort }));

  async function readRing(via: PlanNode): Promise<{ health: RingHealth; peers: RolePeer[] } | { error: string }> {
    const o = await ops(via.key);
    const r = await o.roles({ ...sig, timeoutMs: rolesTimeout });
    if ('error' in r) return r;
    return { health: ringHealth(ringNodes(serviceNodes(via.serviceId)), r.peers), peers: r.peers };
  }

  const taskContext: TaskContext = {
    plan,
    clock: deps.clock,
    signal,
    node,
    ops,
    readRing,
    describe: (h) => describe(h, plan.nodes),
    waitFor: (what, onHost, check, progress) => waitUntil(check, { what, host: onHost, timeoutMs: plan.timeouts.scmStartMs, intervalMs: interval, clock: deps.clock, ...sig, onProgress: progress }),
  };

  async function gate(kind: 'leader' | 'member', n: PlanNode, progress: (m: string) => void): Promise<string> {
    return taskContext.waitFor(
      kind === 'leader' ? `${n.key} becoming the leader` : `${n.key} joining the ring with one leader`,
      n.host,
      async () => {
        const r = await readRing(n);
        if ('error' in r) return { done: false, detail: r.error };
        const h = r.health;
        const done = kind === 'leader' ? h.leaderCount === 1 && h.leader === n.key : h.leaderCount === 1 && h.leader !== null && h.members.includes(n.key);
        return { done, detail: describe(h, plan.nodes) };
      },
      progress,
    );
  }

  async function start(n: PlanNode, progress: (m: string) => void): Promise<void> {
    const o = await ops(n.key);
    progress('ozone --daemon start scm');
    await o.ozoneOk(DAEMON_START, 'APPLY_SCM_START_FAILED', 'ozone --daemon start scm', { ...sig, timeoutMs: plan.timeouts.scmStartMs + 30_000 });
  }

  async function runTask(t: Task, progress: (m: string) => void): Promise<string | undefined> {
    switch (t.kind) {
      case 'install-runtime': {
        if (!deps.bundle || deps.bundle.release !== t.release) {
          throw new ApplyError('APPLY_BUNDLE_MISMATCH', `the plan installs release ${t.release} but the runtime bundle is ${deps.bundle?.release ?? 'missing'}`, {
            host: t.host,
            hint: 'give the bundle the plan was made with (--bundle FILE), or plan again',
          });
        }
        const r = await install(await host(t.host), deps.bundle, t.installDir, { ...(t.sudo ? { sudo: true } : {}), ...sig, onStep: (step) => progress(step) });
        return `${r.action} ${r.release}`;
      }
      case 'create-directories': {
        const h = await host(t.host);
        // data directories first, each with mode 0700 from its mkdir (no window with a wider mode); parents
        // and the other directories 0755; a directory that exists keeps its mode
        const open = t.paths.filter((d) => !t.privatePaths.includes(d));
        const mkdirs = [sh`umask 022`, ...(t.privatePaths.length > 0 ? [sh`mkdir -p -m 0700 -- ${t.privatePaths}`] : []), ...(open.length > 0 ? [sh`mkdir -p -- ${open}`] : [])];
        const r = await h.exec(shJoin(mkdirs, ' && '), { ...(t.sudo ? { sudo: true } : {}), ...sig });
        if (r.exitCode !== 0) throw new ApplyError('APPLY_DIRECTORY_FAILED', `mkdir failed: ${tail(r, 3)}`, { host: t.host, hint: 'check the directories\' parents and permissions (become.enabled for root-owned paths)' });
        return undefined;
      }
      case 'mark-restart-pending': {
        const h = await host(t.host);
        await h.writeFileAtomic(t.marker, `${t.reason}\n`, { mode: 0o644, ...(t.sudo ? { sudo: true } : {}), ...sig });
        return undefined;
      }
      case 'write-file': {
        const h = await host(t.host);
        const r = await h.writeFileAtomic(t.path, t.content, { mode: t.mode, ...(t.sudo ? { sudo: true } : {}), ...(t.backupSuffix ? { backupSuffix: t.backupSuffix } : {}), ...sig });
        return r.backupPath ? `previous file kept at ${r.backupPath}` : undefined;
      }
      case 'init-scm': {
        const n = node(t.node);
        // the plan saw no VERSION anywhere in the service; make sure nothing changed since (second cluster)
        for (const other of serviceNodes(n.serviceId).filter((x) => x.key !== n.key)) {
          const v = await (await ops(other.key)).version(sig);
          if (v) {
            throw new ApplyError('APPLY_SECOND_CLUSTER', `refusing to initialise ${n.key}: ${other.key} on ${other.host} is already initialised for ${v.clusterId}`, {
              host: n.host,
              hint: 'plan again: the cluster changed since the plan was made',
            });
          }
        }
        const r = await (await ops(n.key)).ozoneOk(SCM_INIT, 'APPLY_SCM_INIT_FAILED', 'ozone scm --init', { ...sig, timeoutMs: plan.timeouts.commandMs });
        const cid = /cid=(CID-[0-9a-fA-F-]+)/.exec(r.stdout)?.[1];
        return cid ? `clusterID ${cid}` : undefined;
      }
      case 'bootstrap-scm':
        return runBootstrapScm(t, taskContext, progress);
      case 'decommission-scm':
        return runDecommissionScm(t, taskContext, progress);
      case 'start-scm': {
        const n = node(t.node);
        await start(n, progress);
        const detail = t.gate === 'none' ? 'started' : await gate(t.gate, n, progress);
        await (await ops(n.key)).clearRestartMarker(sig);
        return detail;
      }
      case 'wait-ring': {
        const list = t.nodes.map(node);
        return waitUntil(
          async () => {
            let last = 'no node answered';
            for (const via of list) {
              const r = await readRing(via);
              if ('error' in r) {
                last = r.error;
                continue;
              }
              const h = r.health;
              return { done: h.leaderCount === 1 && h.leader !== null && list.every((x) => h.members.includes(x.key)), detail: describe(h, plan.nodes) };
            }
            return { done: false, detail: last };
          },
          { what: `${t.serviceId} electing a leader with ${list.map((x) => x.nodeId).join(', ')} in the ring`, host: t.host, timeoutMs: plan.timeouts.scmStartMs, intervalMs: interval, clock: deps.clock, ...sig, onProgress: progress },
        );
      }
      case 'restart-scm': {
        const n = node(t.node);
        const o = await ops(n.key);
        const peers = serviceNodes(n.serviceId);
        if (peers.length > 1) {
          // stop a node only when the ring is whole: then the others keep the majority while it is down
          await waitUntil(
            async () => {
              const r = await readRing(n);
              if ('error' in r) return { done: false, detail: r.error };
              return { done: r.health.leaderCount === 1 && r.health.leader !== null && r.health.missing.length === 0 && r.health.joining.length === 0, detail: describe(r.health, plan.nodes) };
            },
            { what: `the ring of ${n.serviceId} being whole before ${n.nodeId} restarts`, host: n.host, timeoutMs: plan.timeouts.scmStartMs, intervalMs: interval, clock: deps.clock, ...sig, onProgress: progress },
          );
          const ring = await readRing(n);
          if (!('error' in ring) && ring.health.leader === n.key) {
            const target = peers.find((p) => p.key !== n.key && ring.health.members.includes(p.key));
            const targetPeer = target ? ring.peers.find((p) => p.address === ratisAddress(target.address, target.ratisPort)) : undefined;
            if (target) {
              progress(`transferring leadership from ${n.nodeId} to ${target.nodeId}`);
              await o.ozoneOk(transferArgs(targetPeer?.id ?? target.nodeId), 'APPLY_TRANSFER_FAILED', 'ozone admin scm transfer', { ...sig, timeoutMs: plan.timeouts.commandMs });
              await waitUntil(
                async () => {
                  const r = await readRing(target);
                  if ('error' in r) return { done: false, detail: r.error };
                  return { done: r.health.leaderCount === 1 && r.health.leader !== null && r.health.leader !== n.key, detail: describe(r.health, plan.nodes) };
                },
                { what: `leadership moving away from ${n.key}`, host: n.host, timeoutMs: plan.timeouts.scmStartMs, intervalMs: interval, clock: deps.clock, ...sig, onProgress: progress },
              );
            }
          }
        }
        progress('ozone --daemon stop scm');
        await o.ozoneOk(DAEMON_STOP, 'APPLY_SCM_STOP_FAILED', 'ozone --daemon stop scm', { ...sig, timeoutMs: 120_000 });
        await start(n, progress);
        const detail = await gate(peers.length > 1 ? 'member' : 'leader', n, progress);
        await o.clearRestartMarker(sig);
        return detail;
      }
      case 'verify-service': {
        const list = t.nodes.map(node);
        const problems: string[] = [];
        const ids = new Map<string, string[]>();
        for (const n of list) {
          const o = await ops(n.key);
          const v = await o.version(sig);
          if (!v?.clusterId) problems.push(`${n.nodeId} has no VERSION`);
          else ids.set(v.clusterId, [...(ids.get(v.clusterId) ?? []), n.nodeId]);
          const st = await o.ozone(DAEMON_STATUS, { ...sig, timeoutMs: plan.timeouts.commandMs });
          if (st.exitCode !== 0) problems.push(`${n.nodeId} is not running`);
        }
        if (ids.size > 1) problems.push(`clusterIDs differ: ${[...ids.entries()].map(([id, ns]) => `${id} (${ns.join(', ')})`).join(', ')}`);
        let ringText = 'ring not read';
        let ringOk = false;
        for (const via of list) {
          const r = await readRing(via);
          if ('error' in r) {
            ringText = r.error;
            continue;
          }
          ringText = describe(r.health, plan.nodes);
          ringOk = r.health.leaderCount === 1 && r.health.leader !== null && r.health.missing.length === 0 && r.health.joining.length === 0;
          break;
        }
        if (!ringOk) problems.push(ringText);
        if (problems.length > 0) {
          throw new ApplyError('APPLY_VERIFY_FAILED', `service ${t.serviceId}: ${problems.join('; ')}`, {
            host: t.host,
            hint: 'run `scmctl status FILE` to see every node; apply again once the cause is fixed',
          });
        }
        return `clusterID ${[...ids.keys()][0]}; ${ringText}`;
      }
      case 'stop-scm': {
        const n = node(t.node);
        progress('ozone --daemon stop scm');
        await (await ops(n.key)).ozoneOk(DAEMON_STOP, 'APPLY_SCM_STOP_FAILED', 'ozone --daemon stop scm', { ...sig, timeoutMs: 120_000 });
        return 'stopped';
      }
      case 'backup-scm': {
        const r = await backupScm(await ops(t.node), t, deps.clock, signal, progress);
        deps.onBackup?.(r);
        return `${r.path} (${formatBytes(r.bytes)}; clusterID ${r.clusterId}; ${r.containers.length} container${r.containers.length === 1 ? '' : 's'})`;
      }
      case 'verify-containers': {
        const list = t.nodes.map(node);
        const before = deps.containersBefore?.() ?? null;
        // followers may trail the leader by a few entries: compare until equal, within the start timeout
        let last = '';
        try {
          return await waitUntil(
            async () => {
              const scans: [PlanNode, ContainerScan][] = [];
              for (const n of list) scans.push([n, await scanContainers(await ops(n.key), sig)]);
              const first = scans[0]![1];
              const differ = scans.filter(([, sc]) => sc.canonical !== first.canonical).map(([n]) => n.nodeId);
              const missing = before ? scans.flatMap(([n, sc]) => before.filter((id) => !sc.ids.includes(id)).map((id) => `${id} on ${n.nodeId}`)) : [];
              const names = list.map((n) => n.nodeId).join(', ');
              if (differ.length === 0 && missing.length === 0) {
                return { done: true, detail: `${first.ids.length} containers, identical on ${names}${before ? `; all ${before.length} from before the migration present` : ''}` };
              }
              last = [
                ...(differ.length > 0 ? [`the containers of ${differ.join(', ')} differ from ${scans[0]![0].nodeId}'s`] : []),
                ...(missing.length > 0 ? [`containers recorded before the migration are missing: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}`] : []),
              ].join('; ');
              return { done: false, detail: last };
            },
            { what: `identical containers on ${list.map((n) => n.nodeId).join(', ')}`, host: t.host, timeoutMs: plan.timeouts.scmStartMs, intervalMs: interval * 2, clock: deps.clock, ...sig, onProgress: progress },
          );
        } catch (err) {
          if (signal?.aborted || last === '') throw err;
          throw new ApplyError('APPLY_CONTAINERS_DIFFER', `service ${t.serviceId}: ${last}`, {
            host: t.host,
            hint: 'stop writing to the cluster and compare `ozone debug ldb … scan --column-family=containers` on the nodes; the migration backup restores the SCM as it was (see its rollback)',
          });
        }
      }
      default: {
        const never: never = t;
        throw new TypeError(`unknown task ${JSON.stringify(never)}`);
      }
    }
  }

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
      const detail = await runTask(t, progress);
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
      const limit = new ConcurrencyLimit(deps.concurrency ?? 10);
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
