/**
 * planRepair(): the plan of `scmctl repair FILE NODE`, pure like plan(). It brings back one SCM of a ring
 * whose Raft log or scm.db was damaged or lost (its SCM refuses to start with RAFT_LOG_CORRUPT or
 * RAFT_LOG_LOST, or keeps failing), the way Ozone's operators do it by hand:
 *
 *  1. preflight: apply's checks, minus those that only say this node is damaged (its identity); refused:
 *     REPAIR_UNKNOWN_NODE, REPAIR_SINGLE_NODE (nothing to rejoin from: restore a backup instead),
 *     REPAIR_NO_RING (no other SCM answers), REPAIR_WOULD_LOSE_QUORUM (without this node the ring has no
 *     live majority) and apply's other refused states;
 *  2. eject: `ozone admin scm decommission` of its member (through a healthy SCM; leadership moves first
 *     when it leads), stop it, move its data directories aside (`<dir>.repair-<UTC time>`, never deleted);
 *  3. join: `ozone scm --bootstrap` (a join token on a secure cluster) and start, gated on "one LEADER and
 *     it in the ring" — it catches up from the leader by snapshot (checkpoint) and log;
 *  4. verify: one clusterID, one leader, every node a voter; every node's containers agree with the
 *     leader's (a consistent earlier view while a writer runs).
 *
 * A node that is healthy (running, a voter the leader hears from and that keeps up, initialised for the
 * cluster) is left alone unless `force`: re-running a finished repair changes nothing.
 */
import type { RolePeer } from '../facts/host-facts.js';
import type { ClusterFacts, NodeObservation } from '../plan/cluster-facts.js';
import { serviceRing } from '../plan/dangerous-states.js';
import { nodeKey, type NodeKey, type Phase, type PhaseId, type Plan, type PlanProblem, type Task } from '../plan/plan-model.js';
import { PHASE_MODES, PHASE_TITLES, REPAIR_PHASE_IDS } from '../plan/phases/phases.js';
import { plan, type PlanInput } from '../plan/planner.js';
import { hostSudo } from '../plan/probe-specs.js';
import { peerOf } from '../plan/ring-view.js';
import type { ScmNode, ScmService, Topology } from '../topology/model.js';

export interface RepairInput extends PlanInput {
  /** the node to repair: `serviceId/nodeId`, or a node id that is unique in the topology */
  readonly node: string;
  /** repair even a node that looks healthy */
  readonly force?: boolean;
}

export interface RepairView {
  readonly node: NodeKey | null;
  /** why the node needs repair (or that it does not) */
  readonly reason: string;
  readonly healthy: boolean;
}

function obs(facts: ClusterFacts, n: ScmNode): NodeObservation | undefined {
  const h = facts.hosts[n.host];
  return h && h.ok ? h.nodes[nodeKey(n.serviceId, n.nodeId)] : undefined;
}

function findNode(topology: Topology, name: string): ScmNode | undefined {
  const all = topology.services.flatMap((s) => s.nodes);
  const exact = all.find((n) => nodeKey(n.serviceId, n.nodeId) === name);
  if (exact) return exact;
  const byId = all.filter((n) => n.nodeId === name);
  return byId.length === 1 ? byId[0] : undefined;
}

const ALIVE = new Set(['LEADER', 'FOLLOWER']);
const MEMBER = new Set(['LEADER', 'FOLLOWER', 'UNREACHABLE', 'CANDIDATE']);

/** Why `n` needs a repair, or null when it is healthy. */
function damage(n: ScmNode, o: NodeObservation | undefined, peer: RolePeer | undefined, clusterId: string | null): string | null {
  const v = o?.scm.version ?? null;
  if (!v) return peer ? 'it has no VERSION but the ring still lists it' : 'it has no VERSION and is not in the ring';
  if (clusterId !== null && v.clusterId !== clusterId) return `it is initialised for ${v.clusterId}, the ring for ${clusterId}`;
  if (!o?.scm.running) return 'it is not running';
  if (!peer) return 'it is not in the ring';
  if (peer.id !== null && v.scmUuid !== null && peer.id !== v.scmUuid) return `its scmUuid ${v.scmUuid} is not the ring's member ${peer.id} at its address`;
  const role = peer.role.toUpperCase();
  if (!ALIVE.has(role)) return `the leader reports it ${role}`;
  // lagging alone is no damage: a node catching up (right after a repair, a failover) lags for a while
  return null;
}

export function repairView(input: RepairInput): RepairView {
  const n = findNode(input.topology, input.node);
  if (!n) return { node: null, reason: 'unknown node', healthy: false };
  const s = serviceOf(input.topology, n);
  const ring = ringWithout(s, n, input.facts);
  const reason = damage(n, obs(input.facts, n), ring ? ringMember(n, ring, input.facts) : undefined, clusterIdOf(s, n, input.facts));
  return { node: nodeKey(n.serviceId, n.nodeId), reason: reason ?? 'healthy: running, in the ring, keeping up with the leader', healthy: reason === null };
}

function serviceOf(topology: Topology, n: ScmNode): ScmService {
  return topology.services.find((x) => x.serviceId === n.serviceId)!;
}

/** The ring as the service's other running nodes report it (the damaged node's own view is not trusted). */
function ringWithout(s: ScmService, n: ScmNode, facts: ClusterFacts): readonly RolePeer[] | null {
  const others: ScmService = { ...s, nodes: s.nodes.filter((x) => x !== n) };
  return serviceRing(others, facts);
}

/** The node's member: listed at its address, or under the scmUuid of its VERSION. */
function ringMember(n: ScmNode, ring: readonly RolePeer[], facts: ClusterFacts): RolePeer | undefined {
  const uuid = obs(facts, n)?.scm.version?.scmUuid ?? null;
  return peerOf({ key: '', address: n.address, ratisPort: n.ports.ratis }, ring) ?? ring.find((p) => p.id !== null && p.id === uuid);
}

function clusterIdOf(s: ScmService, n: ScmNode, facts: ClusterFacts): string | null {
  for (const x of s.nodes) if (x !== n && obs(facts, x)?.scm.version?.clusterId) return obs(facts, x)!.scm.version!.clusterId;
  return null;
}

function refuse(code: string, hosts: readonly string[], message: string, hint: string): PlanProblem {
  return { code, hosts, message, hint };
}

/** apply's problems and checks without those that only say this node is damaged (what repair is for). */
function withoutOwnDamage(base: Plan, s: ScmService, n: ScmNode, facts: ClusterFacts): Pick<Plan, 'problems' | 'preflight'> {
  const mine = (m: string): boolean => m.includes(`${n.nodeId} (${n.host})`) || m.startsWith(`${n.nodeId}:`);
  // a primordial that lost its VERSION looks like a second cluster to apply; repairing it bootstraps it
  const onlyThisUninitialised = !obs(facts, n)?.scm.version && s.nodes.every((x) => x === n || obs(facts, x)?.scm.version);
  const secondCluster = (p: PlanProblem): boolean => p.code === 'PLAN_SECOND_CLUSTER' && onlyThisUninitialised && p.message.includes(`primordial node ${n.nodeId} (${n.host})`);
  const droppedSecond = base.problems.some(secondCluster);
  return {
    problems: base.problems.filter((p) => !(p.code === 'PLAN_IDENTITY_CHANGED' && mine(p.message)) && !secondCluster(p)),
    preflight: base.preflight.filter(
      (c) => !(c.check === 'identity' && c.status === 'fail' && mine(c.message)) && !(droppedSecond && c.check === 'cluster-id' && c.status === 'fail' && c.message.startsWith(`${s.serviceId}:`)),
    ),
  };
}

/** Without the node, does the ring keep a live majority? The refusal when not. */
function quorumRefusal(s: ScmService, n: ScmNode, ring: readonly RolePeer[], peer: RolePeer | undefined): PlanProblem | null {
  const remaining = ring.filter((p) => MEMBER.has(p.role.toUpperCase()) && p !== peer);
  const alive = remaining.filter((p) => ALIVE.has(p.role.toUpperCase()));
  const majority = Math.floor(remaining.length / 2) + 1;
  if (alive.length >= majority) return null;
  return refuse(
    'REPAIR_WOULD_LOSE_QUORUM',
    [n.host],
    `service ${s.serviceId}: without ${n.nodeId} the ring has ${alive.length} live member${alive.length === 1 ? '' : 's'} of ${remaining.length} (${majority} needed)`,
    'bring the other SCMs back first (scmctl status shows which are down); repairing now would leave the ring without a majority',
  );
}

/** The node's data directories, parents first: a directory inside another moves with it and is only created again empty. */
function dataDirs(n: ScmNode): string[] {
  return [...new Set([n.directories.metadata, n.directories.db, n.directories.ratis, n.directories.snapshot])].sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
}

/** Moving `dirs` aside must not take anything else along: the node's other directories, a neighbour's, the host's. */
function layoutRefusal(topology: Topology, n: ScmNode, dirs: readonly string[]): PlanProblem | null {
  const within = (p: string): boolean => dirs.some((x) => p === x || p.startsWith(`${x}/`));
  const inside = (['install', 'config', 'logs'] as const).filter((d) => within(n.directories[d]));
  const neighbours = topology.services
    .flatMap((x) => x.nodes)
    .filter((x) => x !== n && x.host === n.host && Object.values(x.directories).some(within))
    .map((x) => nodeKey(x.serviceId, x.nodeId));
  const hostDirs = Object.values(topology.hosts.find((h) => h.name === n.host)!.directories).filter((d): d is string => typeof d === 'string' && within(d) && !Object.values(n.directories).includes(d));
  if (inside.length + neighbours.length + hostDirs.length === 0) return null;
  const what = [
    ...(inside.length > 0 ? [`its ${inside.join(' and ')} director${inside.length === 1 ? 'y' : 'ies'}`] : []),
    ...(neighbours.length > 0 ? [`the directories of ${neighbours.join(', ')}`] : []),
    ...hostDirs.map((d) => `the host's ${d}`),
  ];
  return refuse(
    'REPAIR_LAYOUT',
    [n.host],
    `${nodeKey(n.serviceId, n.nodeId)}: ${what.join(', ')} lie inside a data directory (${dirs.join(', ')}), which repair moves aside`,
    'move the data directories aside by hand (ozone admin scm decommission, stop, mv, ozone scm --bootstrap, start), or give it separate directories',
  );
}

/** A healthy member to act through: a declared, running node the ring lists alive (the leader first). */
function healthyVia(s: ScmService, n: ScmNode, ring: readonly RolePeer[], facts: ClusterFacts): ScmNode | undefined {
  const running = s.nodes.filter((x) => x !== n && obs(facts, x)?.scm.running);
  const roleOf = (x: ScmNode): string => peerOf({ key: '', address: x.address, ratisPort: x.ports.ratis }, ring)?.role.toUpperCase() ?? '';
  return [...running.filter((x) => roleOf(x) === 'LEADER'), ...running.filter((x) => roleOf(x) === 'FOLLOWER')][0];
}

/** eject (decommission, stop, set aside), join (bootstrap, start), verify (ring, containers). */
function repairTasks(topology: Topology, s: ScmService, n: ScmNode, peer: RolePeer | undefined, via: ScmNode, dirs: readonly string[]): Partial<Record<PhaseId, Task[]>> {
  const key = nodeKey(n.serviceId, n.nodeId);
  const viaKey = nodeKey(via.serviceId, via.nodeId);
  const secure = topology.security.enabled;
  const eject: Task[] = [];
  if (peer?.id) {
    eject.push({
      kind: 'decommission-scm',
      id: `decommission:${s.serviceId}:${peer.id}`,
      title: `remove ${n.nodeId}'s member ${peer.id} from ${s.serviceId} (ozone admin scm decommission${secure ? '; its certificates are revoked' : ''})`,
      host: via.host,
      serviceId: s.serviceId,
      scmUuid: peer.id,
      address: peer.address ?? peer.host,
      via: viaKey,
    });
  }
  eject.push(
    { kind: 'stop-scm', id: `stop:${n.host}:${key}`, title: `stop ${key} on ${n.host} (if it runs)`, host: n.host, node: key, reason: 'repair' },
    {
      kind: 'set-aside-scm-data',
      id: `set-aside:${n.host}:${key}`,
      title: `move ${key}'s data aside on ${n.host} (${dirs.join(', ')} → <dir>.repair-<time>; nothing is deleted)`,
      host: n.host,
      node: key,
      paths: dirs,
      suffix: 'repair',
      sudo: hostSudo(topology.hosts.find((h) => h.name === n.host)!),
    },
  );
  const join: Task[] = [
    {
      kind: 'bootstrap-scm',
      id: `bootstrap:${n.host}:${key}`,
      title: `bootstrap ${key} on ${n.host} again (ozone scm --bootstrap${secure ? ' with a join token' : ''})`,
      host: n.host,
      node: key,
      ...(secure ? { token: { via: viaKey } } : {}),
    },
    { kind: 'start-scm', id: `start:${n.host}:${key}`, title: `start ${key} on ${n.host} and wait until it is in the ring with one leader`, host: n.host, node: key, gate: 'member' },
  ];
  const verify: Task[] = [
    { kind: 'verify-service', id: `verify:${s.serviceId}`, title: `verify ${s.serviceId}: one clusterID, one leader, ${s.nodes.length} nodes in the ring`, host: via.host, serviceId: s.serviceId, nodes: s.nodes.map((x) => nodeKey(x.serviceId, x.nodeId)) },
    { kind: 'verify-containers', id: `verify-containers:${s.serviceId}`, title: `verify ${key}'s containers agree with the other SCMs'`, host: n.host, serviceId: s.serviceId, nodes: [viaKey, key] },
  ];
  return { eject, join, verify };
}

export function planRepair(input: RepairInput): Plan {
  const base = plan({ ...input, bundle: null });
  const phases = (tasks: Partial<Record<PhaseId, Task[]>> = {}): Phase[] => REPAIR_PHASE_IDS.map((id) => ({ id, title: PHASE_TITLES[id], mode: PHASE_MODES[id], tasks: tasks[id] ?? [] }));
  const n = findNode(input.topology, input.node);
  if (!n) {
    const ids = input.topology.services.flatMap((s) => s.nodes.map((x) => nodeKey(x.serviceId, x.nodeId)));
    const unknown = refuse('REPAIR_UNKNOWN_NODE', [], `no SCM node ${input.node} in the topology`, `name one of ${ids.join(', ')} (serviceId/nodeId, or a node id that is unique)`);
    return { ...base, problems: [...base.problems, unknown], phases: phases(), fileChanges: [] };
  }
  const s = serviceOf(input.topology, n);
  const kept = withoutOwnDamage(base, s, n, input.facts);
  const result = (tasks: Partial<Record<PhaseId, Task[]>>, extra: PlanProblem | null = null): Plan => ({ ...base, ...kept, problems: [...kept.problems, ...(extra ? [extra] : [])], phases: phases(tasks), fileChanges: [] });
  if (s.nodes.length < 2) {
    return result({}, refuse('REPAIR_SINGLE_NODE', [n.host], `service ${s.serviceId} has one SCM: there is no ring for ${n.nodeId} to rejoin`, 'restore the SCM from a backup (scmctl restore), or grow the service first'));
  }
  if (Object.values(input.facts.hosts).some((h) => !h.ok)) return result({});
  const ring = ringWithout(s, n, input.facts);
  if (!ring) {
    return result({}, refuse('REPAIR_NO_RING', s.nodes.filter((x) => x !== n).map((x) => x.host), `service ${s.serviceId}: no other SCM answered \`ozone admin scm roles\``, 'start the other SCMs first: a repaired node rejoins a running ring'));
  }
  const peer = ringMember(n, ring, input.facts);
  if (damage(n, obs(input.facts, n), peer, clusterIdOf(s, n, input.facts)) === null && !input.force) return result({});
  const lost = quorumRefusal(s, n, ring, peer);
  if (lost) return result({}, lost);
  const via = healthyVia(s, n, ring, input.facts);
  if (!via) return result({}, refuse('REPAIR_NO_RING', [n.host], `service ${s.serviceId}: no declared SCM other than ${n.nodeId} runs and is alive in the ring`, 'start the other SCMs first'));
  const dirs = dataDirs(n);
  const layout = layoutRefusal(input.topology, n, dirs);
  if (layout) return result({}, layout);
  return result(repairTasks(input.topology, s, n, peer, via, dirs));
}
