/**
 * plan(): topology + rendered files + facts + runtime bundle → Plan. Pure and deterministic: no I/O, no
 * clock, no randomness; the same inputs give a deep-equal plan (saved plans rely on it).
 *
 * It runs apply's phases (k0sctl-style: one file each in plan/phases/, in the order of APPLY_PHASES in
 * plan/phases/phases.ts) over one shared PlanContext: preflight, runtime, files, init, join, remove,
 * restart, verify. Planning stops after a phase that leaves a refused state (or after preflight when a host
 * could not be read): such a plan keeps its checks and problems and holds no task.
 */
import { posix } from 'node:path';
import type { ScmNode, Topology } from '../topology/model.js';
import { lockFilePath, restartMarkerPath } from './host-paths.js';
import { nodeKey, PLAN_FORMAT, type FileChange, type NodeKey, type Phase, type Plan, type PlanHost, type PlanNode, type PlanProblem, type PreflightResult, type Task } from './plan-model.js';
import type { PlanContext, PlanInput, ReadHost } from './phases/phase-context.js';
import { APPLY_PHASES } from './phases/phases.js';
import { readHost } from './phases/read-host.js';
import { hostSudo, ozoneBin } from './probe-specs.js';

export type { PlanInput } from './phases/phase-context.js';
export { keytabTask, withoutManagedHeader } from './phases/files.js';

export function plan(input: PlanInput): Plan {
  const ctx = new ApplyPlanning(input);
  for (const phase of APPLY_PHASES) {
    ctx.enter(phase.id);
    phase.plan(ctx);
    if (ctx.blocked()) break;
  }
  return ctx.result();
}

function planNode(topology: Topology, n: ScmNode): PlanNode {
  const host = topology.hosts.find((h) => h.name === n.host)!;
  return {
    key: nodeKey(n.serviceId, n.nodeId),
    serviceId: n.serviceId,
    nodeId: n.nodeId,
    host: n.host,
    address: n.address,
    ratisPort: n.ports.ratis,
    clientPort: n.ports.client,
    primordial: n.primordial,
    installDir: n.directories.install,
    configDir: n.directories.config,
    dbDir: n.directories.db,
    logsDir: n.directories.logs,
    envFile: posix.join(n.directories.config, 'scm.env'),
    ozoneBin: ozoneBin(n),
    restartMarker: restartMarkerPath(n.directories.config),
    sudo: hostSudo(host),
  };
}

/** The PlanContext of one plan() call: what the phases share, and the plan they add up to. */
class ApplyPlanning implements PlanContext {
  readonly topology: Topology;
  readonly facts: PlanInput['facts'];
  readonly nodes: Record<NodeKey, PlanNode> = {};
  readonly preflight: PreflightResult[] = [];
  readonly problems: PlanProblem[] = [];
  readonly fileChanges: FileChange[] = [];
  readonly started = new Set<NodeKey>();
  private readonly tasks = new Map<string, Task[]>();
  private current: Task[] = [];
  /** nodes whose restart is due (written by this plan) because their config/runtime/keytab changes */
  private readonly reasons = new Map<NodeKey, Set<string>>();
  private readonly markedByPlan = new Set<NodeKey>();

  constructor(readonly input: PlanInput) {
    this.topology = input.topology;
    this.facts = input.facts;
    for (const n of this.topology.services.flatMap((s) => s.nodes)) this.nodes[this.key(n)] = planNode(this.topology, n);
  }

  enter(phase: string): void {
    this.current = [];
    this.tasks.set(phase, this.current);
  }

  add(task: Task): void {
    this.current.push(task);
  }

  hasTasks(): boolean {
    return [...this.tasks.values()].some((t) => t.length > 0);
  }

  /** a refused state, or a host that could not be read: nothing is planned */
  blocked(): boolean {
    return this.problems.length > 0 || this.topology.hosts.some((h) => !this.host(h.name));
  }

  host(name: string): ReadHost | null {
    return readHost(this.facts, name);
  }

  key(n: ScmNode): NodeKey {
    return nodeKey(n.serviceId, n.nodeId);
  }

  running(n: ScmNode): boolean {
    return this.host(n.host)?.nodes[this.key(n)]?.scm.running === true;
  }

  initialised(n: ScmNode): boolean {
    return this.host(n.host)?.nodes[this.key(n)]?.scm.version != null;
  }

  markerPresent(n: ScmNode): boolean {
    const v = this.host(n.host)?.facts.files[restartMarkerPath(n.directories.config)];
    return v !== null && v !== undefined;
  }

  markForRestart(n: ScmNode, why: string): void {
    const key = this.key(n);
    if (!this.running(n)) return;
    this.reasons.set(key, new Set([...(this.reasons.get(key) ?? []), why]));
    if (this.markedByPlan.has(key) || this.markerPresent(n)) return;
    this.markedByPlan.add(key);
    const pn = this.nodes[key]!;
    this.add({
      kind: 'mark-restart-pending',
      id: `mark:${n.host}:${key}`,
      title: `mark ${key} on ${n.host} for a restart (${why} changes)`,
      host: n.host,
      node: key,
      marker: pn.restartMarker,
      reason: why,
      sudo: pn.sudo,
    });
  }

  restartReasons(n: ScmNode): ReadonlySet<string> | undefined {
    return this.reasons.get(this.key(n));
  }

  result(): Plan {
    const hosts: Record<string, PlanHost> = {};
    for (const h of this.topology.hosts) {
      hosts[h.name] = { name: h.name, address: h.address, transport: h.transport.kind, sudo: hostSudo(h), lockPath: lockFilePath(h.directories.config) };
    }
    const blocked = this.blocked();
    const phases: Phase[] = APPLY_PHASES.map((p) => ({ id: p.id, title: p.title, mode: p.mode, tasks: blocked ? [] : (this.tasks.get(p.id) ?? []) }));
    const { timeouts } = this.topology;
    return {
      format: PLAN_FORMAT,
      cluster: this.topology.name,
      nodes: this.nodes,
      hosts,
      preflight: this.preflight,
      problems: this.problems,
      bundle: this.input.bundle,
      timeouts: { commandMs: timeouts.commandMs, scmStartMs: timeouts.scmStartMs, scmInfoWaitMs: timeouts.scmInfoWaitMs },
      phases,
      fileChanges: blocked ? [] : this.fileChanges,
    };
  }
}
