/**
 * `scmctl status`, pure: per SCM node its role, clusterID, scmUuid, whether it runs, its release and config
 * drift; per service whether it is healthy (every node reachable, initialised and running, one clusterID,
 * exactly one LEADER, every node in the ring, none that the leader reports UNREACHABLE or lagging); per host
 * which managed files differ from the topology.
 */
import { formatColumns } from '../../common/text-columns.js';
import { sha256Hex } from '../render/managed-header.js';
import type { RenderedFile } from '../render/render-host.js';
import type { Topology } from '../topology/model.js';
import type { ClusterFacts } from './cluster-facts.js';
import { findDangerousStates, serviceRing } from './dangerous-states.js';
import { restartMarkerPath } from './host-paths.js';
import { nodeKey } from './plan-model.js';
import { describePeer, peerOf, strangers } from './ring-view.js';

export interface NodeStatus {
  readonly key: string;
  readonly serviceId: string;
  readonly nodeId: string;
  readonly host: string;
  readonly reachable: boolean;
  readonly running: boolean | null;
  /** LEADER / FOLLOWER as the ring reports it; null when not in the ring or the ring is unknown */
  readonly role: string | null;
  readonly clusterId: string | null;
  readonly scmUuid: string | null;
  readonly release: string | null;
  readonly restartPending: boolean;
  /** the leader's figures for this follower: ms since it last heard from it, and whether it lags behind */
  readonly lastContactMs: number | null;
  readonly lagging: boolean | null;
}

export interface ServiceStatus {
  readonly serviceId: string;
  readonly healthy: boolean;
  readonly leader: string | null;
  readonly problems: readonly string[];
}

export interface HostStatus {
  readonly name: string;
  readonly reachable: boolean;
  readonly error: string | null;
  /** managed files that differ from (or are missing compared with) the rendered ones */
  readonly drift: readonly string[];
}

export interface ClusterStatus {
  readonly cluster: string;
  readonly healthy: boolean;
  readonly drift: boolean;
  readonly services: readonly ServiceStatus[];
  readonly nodes: readonly NodeStatus[];
  readonly hosts: readonly HostStatus[];
}

export function clusterStatus(topology: Topology, rendered: ReadonlyMap<string, readonly RenderedFile[]>, facts: ClusterFacts): ClusterStatus {
  const hosts: HostStatus[] = topology.hosts.map((h) => {
    const o = facts.hosts[h.name];
    if (!o || !o.ok) return { name: h.name, reachable: false, error: o ? `[${o.error.code}] ${o.error.message}` : 'not read', drift: [] };
    const drift = (rendered.get(h.name) ?? []).filter((f) => o.facts.files[f.path] !== sha256Hex(f.content)).map((f) => f.path);
    return { name: h.name, reachable: true, error: null, drift };
  });
  const nodes: NodeStatus[] = [];
  const services: ServiceStatus[] = [];
  const danger = findDangerousStates(topology, facts);
  for (const s of topology.services) {
    const ring = serviceRing(s, facts);
    const problems: string[] = [];
    let leader: string | null = null;
    const ids = new Set<string>();
    for (const n of s.nodes) {
      const key = nodeKey(n.serviceId, n.nodeId);
      const o = facts.hosts[n.host];
      const obs = o && o.ok ? o.nodes[key] : undefined;
      const peer = ring ? peerOf({ key, address: n.address, ratisPort: n.ports.ratis }, ring) : undefined;
      const role = peer ? peer.role.toUpperCase() : null;
      if (role === 'LEADER') leader = n.nodeId;
      const v = obs?.scm.version ?? null;
      if (v?.clusterId) ids.add(v.clusterId);
      const marker = o && o.ok ? o.facts.files[restartMarkerPath(n.directories.config)] : null;
      nodes.push({
        key,
        serviceId: n.serviceId,
        nodeId: n.nodeId,
        host: n.host,
        reachable: !!(o && o.ok),
        running: obs ? obs.scm.running : null,
        role,
        clusterId: v?.clusterId ?? null,
        scmUuid: v?.scmUuid ?? null,
        release: obs?.release?.releaseName ?? null,
        restartPending: marker !== null && marker !== undefined,
        lastContactMs: peer?.lastContactMs ?? null,
        lagging: peer?.lagging ?? null,
      });
      if (!(o && o.ok)) problems.push(`${n.nodeId}: host ${n.host} unreachable`);
      else if (!v) problems.push(`${n.nodeId}: not initialised`);
      else if (!obs?.scm.running) problems.push(`${n.nodeId}: not running`);
      else if (ring && !peer) problems.push(`${n.nodeId}: not in the ring`);
      else if (role === 'UNREACHABLE') problems.push(`${n.nodeId}: the leader has not heard from it for ${seconds(peer?.lastContactMs)} (stuck or cut off although its process runs)`);
      else if (peer?.lagging) problems.push(`${n.nodeId}: lagging — it has not yet replicated what the leader committed an election timeout ago`);
      else if (role !== null && role !== 'LEADER' && role !== 'FOLLOWER' && role !== 'UNREACHABLE') problems.push(`${n.nodeId}: ${role} in the ring, not a voter yet`);
    }
    if (ids.size > 1) problems.push(`clusterIDs differ: ${[...ids].join(', ')}`);
    if (!ring) problems.push('the ring could not be read (no running node answered `ozone admin scm roles`)');
    else {
      const leaders = ring.filter((p) => p.role.toUpperCase() === 'LEADER');
      if (leaders.length !== 1) {
        leader = null;
        const nameOf = (p: (typeof ring)[number]): string =>
          s.nodes.find((n) => peerOf({ key: nodeKey(n.serviceId, n.nodeId), address: n.address, ratisPort: n.ports.ratis }, [p]))?.nodeId ?? describePeer(p);
        problems.push(leaderProblem(leaders.map(nameOf)));
      }
      const ringNodes = s.nodes.map((n) => ({ key: nodeKey(n.serviceId, n.nodeId), address: n.address, ratisPort: n.ports.ratis }));
      const declaredIds = new Set(nodes.filter((n) => n.serviceId === s.serviceId && n.scmUuid !== null).map((n) => n.scmUuid!));
      for (const p of strangers(ringNodes, ring, declaredIds)) {
        problems.push(`${describePeer(p)} is in the ring (${p.role}) but not in the topology: \`scmctl apply\` removes it (or add it to the topology)`);
      }
    }
    for (const p of danger.problems.filter((x) => x.message.startsWith(`service ${s.serviceId}:`))) problems.push(`${p.code}: ${p.message}`);
    services.push({ serviceId: s.serviceId, healthy: problems.length === 0, leader, problems });
  }
  return {
    cluster: topology.name,
    healthy: services.every((s) => s.healthy) && hosts.every((h) => h.reachable),
    drift: hosts.some((h) => h.drift.length > 0) || nodes.some((n) => n.restartPending),
    services,
    nodes,
    hosts,
  };
}


/** The ring has no LEADER, or several (named): what that means, for `status`. */
function leaderProblem(leaders: readonly string[]): string {
  if (leaders.length === 0) return 'no leader in the ring: an election is under way, or too few SCMs run to form a majority (the service accepts no writes until one leads)';
  return `${leaders.length} leaders in the ring (${leaders.join(', ')}): an old leader cut off from the others may not know it was replaced yet; if this lasts beyond an election timeout, check the network between them`;
}

function seconds(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? 'over an election timeout' : `${(ms / 1000).toFixed(1)} s`;
}

export function formatStatus(st: ClusterStatus): string {
  const out: string[] = [];
  out.push(`cluster ${st.cluster}: ${st.healthy ? 'healthy' : 'UNHEALTHY'}${st.drift ? ', configuration drift (run `scmctl plan`)' : ''}`);
  for (const s of st.services) {
    out.push(`service ${s.serviceId}: ${s.healthy ? `healthy, leader ${s.leader}` : 'UNHEALTHY'}`);
    for (const p of s.problems) out.push(`  - ${p}`);
  }
  out.push('');
  const rows: string[][] = [['NODE', 'HOST', 'ROLE', 'RUNNING', 'CLUSTER ID', 'SCM UUID', 'RELEASE', 'CONFIG']];
  for (const n of st.nodes) {
    const h = st.hosts.find((x) => x.name === n.host)!;
    rows.push([
      n.key,
      n.host,
      n.role ?? '-',
      n.running === null ? '?' : n.running ? 'yes' : 'no',
      n.clusterId ?? '-',
      n.scmUuid ?? '-',
      n.release ?? '-',
      !n.reachable ? '?' : h.drift.length > 0 ? `drift (${h.drift.length} file${h.drift.length === 1 ? '' : 's'})` : n.restartPending ? 'restart pending' : 'in sync',
    ]);
  }
  out.push(formatColumns(rows));
  const others = st.hosts.filter((h) => !st.nodes.some((n) => n.host === h.name));
  if (others.length > 0) {
    out.push('');
    const drifted = others.filter((h) => h.drift.length > 0 || !h.reachable);
    out.push(`other hosts: ${others.length} (${others.length - drifted.length} in sync)`);
    for (const h of drifted) out.push(`  ${h.name}: ${h.reachable ? `drift in ${h.drift.join(', ')}` : h.error}`);
  }
  for (const h of st.hosts.filter((x) => !x.reachable && st.nodes.some((n) => n.host === x.name))) out.push(`host ${h.name}: ${h.error}`);
  return `${out.join('\n')}\n`;
}
