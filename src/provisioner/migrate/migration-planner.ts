/**
 * planMigration(): the plan of `scmctl migrate`, pure like plan() (no I/O, no clock, no randomness). It
 * grows one SCM that holds data — standalone (`ozone.scm.ratis.enable=false`) or a one-node Raft ring — into
 * the service of the target topology (docs/ozone-scm-ha.md §8), keeping its clusterID and its data.
 *
 * It first plans apply's phases on the target topology (plan(), a running standalone SCM allowed), then runs
 * MIGRATE_PHASES (plan/phases/phases.ts) over one MigrationContext; each phase says what it does in its file:
 *  1. preflight: apply's checks, plus `existing-scm`, `new-node-empty` and `reach`; refused:
 *     MIGRATE_NO_EXISTING_SCM, MIGRATE_SHRINK, MIGRATE_CLUSTER_CHANGED and apply's dangerous states;
 *  2. runtime, 3. files: as apply, except the existing SCM's host, whose files wait for stage 5;
 *  4. backup: stop the existing SCM and archive its directories (and its configuration) on its host;
 *  5. convert: write its HA configuration and start it (a standalone SCM converts itself into a one-node
 *     ring with the same clusterID); wait until it leads;
 *  6. join: bootstrap and start the new nodes one at a time, each gated on "one LEADER and it in the ring";
 *  7. roll: apply's rolling restart of any node still owing one (normally none);
 *  8. verify: one clusterID, one leader, every node a voter; identical `containers` on every node, holding
 *     every container recorded by the backup.
 *
 * Stages 4–5 happen only while the existing SCM is alone (no new node initialised, its ring has one member):
 * once a node joined, stopping it could cost the majority, so a resumed migration goes on from where the
 * hosts are. Every phase carries its rollback text.
 */
import type { RolePeer } from '../facts/host-facts.js';
import type { ClusterFacts } from '../plan/cluster-facts.js';
import { serviceRing } from '../plan/dangerous-states.js';
import { nodeKey, type NodeKey, type Phase, type Plan, type PlanProblem, type PreflightResult, type Task } from '../plan/plan-model.js';
import type { MigrationContext, ReachResult } from '../plan/phases/phase-context.js';
import { MIGRATE_PHASES } from '../plan/phases/phases.js';
import { readHost } from '../plan/phases/read-host.js';
import { plan, type PlanInput } from '../plan/planner.js';
import { peerOf } from '../plan/ring-view.js';
import type { ScmNode, ScmService, Topology } from '../topology/model.js';
import type { MigrationState } from './migration-state.js';

export type { ReachResult } from '../plan/phases/phase-context.js';
export { outermost } from '../plan/phases/backup.js';

/** Checks only migrate runs; `existing-scm` and `reach` can be ignored by name, `new-node-empty` cannot. */
export const MIGRATE_IGNORABLE_CHECKS = ['existing-scm', 'reach'] as const;

export interface MigrationInput extends PlanInput {
  readonly serviceId: string;
  /** the record of this migration, when one exists (null on a first run) */
  readonly state: MigrationState | null;
  /** per new host: TCP connections to the existing SCM's listening ports (reach-probe.ts) */
  readonly reach: Readonly<Record<string, readonly ReachResult[]>>;
}

export interface MigrationView {
  readonly serviceId: string;
  readonly existing: NodeKey;
  /** the existing SCM was standalone when looked at (VERSION without scmHA=true) */
  readonly standalone: boolean;
  readonly clusterId: string | null;
  /** the new nodes, in topology order */
  readonly added: readonly NodeKey[];
  /** every node initialised, running and a voter of the ring */
  readonly complete: boolean;
}

function isVoter(p: RolePeer | undefined): boolean {
  const r = p?.role.toUpperCase();
  return r === 'LEADER' || r === 'FOLLOWER';
}

interface Observed {
  readonly service: ScmService;
  readonly existing: ScmNode;
  readonly key: (n: ScmNode) => NodeKey;
  readonly initialised: (n: ScmNode) => boolean;
  readonly running: (n: ScmNode) => boolean;
  readonly inRing: (n: ScmNode) => boolean;
  readonly ring: readonly RolePeer[] | null;
}

function observe(topology: Topology, facts: ClusterFacts, serviceId: string): Observed {
  const service = topology.services.find((s) => s.serviceId === serviceId);
  if (!service) throw new TypeError(`no service ${serviceId}`);
  const existing = service.nodes.find((n) => n.nodeId === service.primordial.nodeId)!;
  const key = (n: ScmNode): NodeKey => nodeKey(n.serviceId, n.nodeId);
  const obs = (n: ScmNode) => readHost(facts, n.host)?.nodes[key(n)];
  const ring = serviceRing(service, facts);
  return {
    service,
    existing,
    key,
    initialised: (n) => obs(n)?.scm.version != null,
    running: (n) => obs(n)?.scm.running === true,
    inRing: (n) => ring !== null && isVoter(peerOf({ key: key(n), address: n.address, ratisPort: n.ports.ratis }, ring)),
    ring,
  };
}

export function migrationView(topology: Topology, facts: ClusterFacts, serviceId: string): MigrationView {
  const o = observe(topology, facts, serviceId);
  const v = readHost(facts, o.existing.host)?.nodes[o.key(o.existing)]?.scm.version ?? null;
  return {
    serviceId,
    existing: o.key(o.existing),
    standalone: v !== null && v.scmHa !== true,
    clusterId: v?.clusterId ?? null,
    added: o.service.nodes.filter((n) => n !== o.existing).map(o.key),
    complete: o.service.nodes.every((n) => o.initialised(n) && o.running(n) && o.inRing(n)),
  };
}

export function planMigration(input: MigrationInput): Plan {
  const base = plan({ ...input, allowRunningStandalone: true });
  const checks: PreflightResult[] = [];
  const problems: PlanProblem[] = [];
  const planned = new Map<string, readonly Task[]>();
  const m = migrationContext(input, base, { checks, problems, planned });
  const blocked = (): boolean => input.topology.hosts.some((h) => !readHost(input.facts, h.name)) || base.problems.length + problems.length > 0;
  for (const phase of MIGRATE_PHASES) {
    planned.set(phase.id, phase.migrate.tasks(m));
    if (blocked()) break;
  }
  const isBlocked = blocked();
  const phases: Phase[] = MIGRATE_PHASES.map((p) => {
    const rollback = 'rollback' in p.migrate ? p.migrate.rollback(m) : undefined;
    return { id: p.id, title: p.title, mode: p.mode, tasks: isBlocked ? [] : (planned.get(p.id) ?? []), ...(rollback ? { rollback } : {}) };
  });
  const preflight = [...base.preflight, ...checks];
  const allProblems = [...base.problems, ...problems];
  if (isBlocked) return { ...base, preflight, problems: allProblems, phases, fileChanges: [] };
  return { ...base, preflight, problems: allProblems, phases };
}

interface Sinks {
  readonly checks: PreflightResult[];
  readonly problems: PlanProblem[];
  readonly planned: ReadonlyMap<string, readonly Task[]>;
}

/** What migrate's phases share, and the one decision they all follow: does the existing SCM go through backup and convert. */
function migrationContext(input: MigrationInput, base: Plan, sinks: Sinks): MigrationContext {
  const { topology, facts, state } = input;
  const o = observe(topology, facts, input.serviceId);
  const { service, existing: e, key } = o;
  const eKey = key(e);
  const others = service.nodes.filter((n) => n !== e);
  const ignore = input.ignorePreflightErrors ?? new Set<string>();
  const ev = readHost(facts, e.host)?.nodes[eKey]?.scm.version ?? null;
  const from = (id: string): Task[] => [...(base.phases.find((p) => p.id === id)?.tasks ?? [])];
  const joined = others.some(o.initialised) || service.nodes.filter(o.inRing).length > 1;
  const existingFiles = from('files').filter((t) => t.host === e.host && (t.kind === 'write-file' || t.kind === 'mark-restart-pending'));
  const backedUp = state?.backup != null && state.backup.clusterId === ev?.clusterId;
  // a backup alone is worth a stop only when nodes are still to be bootstrapped against this SCM
  const pending = others.some((n) => !o.initialised(n));
  const convert = ev !== null && !joined && (!o.running(e) || ev.scmHa !== true || existingFiles.some((t) => t.kind === 'write-file') || (!backedUp && pending));
  return {
    topology,
    facts,
    reach: input.reach,
    record: state,
    from,
    service,
    existing: e,
    existingKey: eKey,
    others,
    version: ev,
    ring: o.ring,
    key,
    initialised: o.initialised,
    running: o.running,
    inProgress: state !== null && state.completedAt === null && ev?.clusterId === state.clusterId,
    backedUp,
    convert,
    existingFiles,
    isExisting: (t) => 'node' in t && t.node === eKey,
    check: (name, host, ok, message, ignorable) => {
      sinks.checks.push({ check: name, host, status: ok ? 'pass' : ignorable && ignore.has(name) ? 'ignored' : 'fail', message, ignorable });
    },
    refuse: (problem) => {
      sinks.problems.push(problem);
    },
    planned: sinks.planned,
  };
}
