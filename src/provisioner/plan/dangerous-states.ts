/**
 * States apply refuses to touch, pure (docs/ozone-scm-ha.md §11 "Other observed hazards"):
 *  - PLAN_CLUSTER_ID_CONFLICT: the nodes of one service have VERSION files with different clusterIDs;
 *  - PLAN_SECOND_CLUSTER: the primordial node has no VERSION while another node has one, so `--init` would
 *    create a second cluster (the usual cause: wrong primordial, or the primordial's data was lost);
 *  - PLAN_IDENTITY_CHANGED: the ring (roles of a running node) lists a member at a node's address whose id
 *    differs from that node's scmUuid on disk, or the node lost its VERSION while the ring still lists it.
 * Each is reported per service, with the hosts to look at and the fix; they also appear as the
 * non-ignorable preflight checks `cluster-id` and `identity`.
 */
import type { RolePeer } from '../facts/host-facts.js';
import type { ScmService, Topology } from '../topology/model.js';
import type { ClusterFacts, NodeObservation } from './cluster-facts.js';
import { nodeKey, type PlanProblem, type PreflightResult } from './plan-model.js';
import { peerOf, ratisAddress } from './ring-view.js';

function nodeObs(facts: ClusterFacts, host: string, key: string): NodeObservation | undefined {
  const h = facts.hosts[host];
  return h && h.ok ? h.nodes[key] : undefined;
}

/** The ring as seen by the first running node of the service whose roles answered. */
export function serviceRing(service: ScmService, facts: ClusterFacts): readonly RolePeer[] | null {
  for (const n of service.nodes) {
    const r = nodeObs(facts, n.host, nodeKey(n.serviceId, n.nodeId))?.scm.roles;
    if (r?.ok) return r.peers;
  }
  return null;
}

export interface DangerReport {
  readonly problems: PlanProblem[];
  readonly checks: PreflightResult[];
}

export function findDangerousStates(topology: Topology, facts: ClusterFacts): DangerReport {
  const problems: PlanProblem[] = [];
  const checks: PreflightResult[] = [];
  for (const s of topology.services) {
    const readable = s.nodes.filter((n) => facts.hosts[n.host]?.ok);
    if (readable.length === 0) continue;
    const versions = readable.map((n) => ({ n, v: nodeObs(facts, n.host, nodeKey(n.serviceId, n.nodeId))?.scm.version ?? null }));
    const ids = new Map<string, string[]>();
    for (const { n, v } of versions) {
      if (v?.clusterId) ids.set(v.clusterId, [...(ids.get(v.clusterId) ?? []), n.host]);
    }
    const firstHost = s.nodes[0]!.host;
    let clusterOk = true;
    if (ids.size > 1) {
      clusterOk = false;
      const list = [...ids.entries()].map(([id, hosts]) => `${id} on ${hosts.join(', ')}`).join('; ');
      problems.push({
        code: 'PLAN_CLUSTER_ID_CONFLICT',
        hosts: [...ids.values()].flat(),
        message: `service ${s.serviceId}: the SCMs belong to different clusters (${list})`,
        hint: 'find out which cluster is the real one; a node of another cluster must be moved out of the topology, or its metadata moved away deliberately before it is bootstrapped again',
      });
    }
    const primordial = s.nodes.find((n) => n.nodeId === s.primordial.nodeId)!;
    const pv = versions.find((x) => x.n === primordial);
    const others = versions.filter((x) => x.n !== primordial && x.v !== null);
    if (pv && pv.v === null && others.length > 0) {
      clusterOk = false;
      problems.push({
        code: 'PLAN_SECOND_CLUSTER',
        hosts: [primordial.host, ...others.map((o) => o.n.host)],
        message: `service ${s.serviceId}: the primordial node ${primordial.nodeId} (${primordial.host}) has no VERSION but ${others
          .map((o) => `${o.n.nodeId} (${o.n.host}) is initialised for ${o.v!.clusterId}`)
          .join(', ')}: ozone scm --init would create a second cluster`,
        hint: `set services[${s.serviceId}].primordial to an initialised node (${others[0]!.n.nodeId}), or restore ${primordial.host}'s metadata`,
      });
    }
    checks.push({
      check: 'cluster-id',
      host: firstHost,
      status: clusterOk ? 'pass' : 'fail',
      ignorable: false,
      message: clusterOk ? `${s.serviceId}: ${ids.size === 0 ? 'not initialised yet' : `clusterID ${[...ids.keys()][0]}`}` : `${s.serviceId}: see ${problems[problems.length - 1]!.code}`,
    });
    const ring = serviceRing(s, facts);
    if (!ring) continue;
    for (const { n, v } of versions) {
      const peer = peerOf({ key: '', address: n.address, ratisPort: n.ports.ratis }, ring);
      if (!peer || peer.id === null) continue;
      const where = ratisAddress(n.address, n.ports.ratis);
      let bad: string | null = null;
      if (v === null) bad = `${n.nodeId} (${n.host}) has no VERSION, but the ring still has member ${peer.id} at ${where}`;
      else if (v.scmUuid !== null && v.scmUuid !== peer.id) bad = `${n.nodeId} (${n.host}) has scmUuid ${v.scmUuid} on disk, but the ring's member at ${where} is ${peer.id}`;
      checks.push({ check: 'identity', host: n.host, status: bad ? 'fail' : 'pass', ignorable: false, message: bad ?? `${n.nodeId}: scmUuid ${peer.id}` });
      if (bad) {
        problems.push({
          code: 'PLAN_IDENTITY_CHANGED',
          hosts: [n.host],
          message: `service ${s.serviceId}: the identity of ${n.host} changed: ${bad}`,
          hint: `if its metadata was lost or damaged, \`scmctl repair FILE ${n.nodeId}\` removes the old member and bootstraps it again; if the machine was replaced, remove the old member (ozone admin scm decommission) and apply again; otherwise restore ${n.host}'s metadata directory`,
        });
      }
    }
  }
  return { problems, checks };
}
