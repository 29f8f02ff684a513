/**
 * Whether the runtime bundle must carry Node.js, pure: `runtime.node: bundled` → yes, `system` → no,
 * `auto` → yes when some SCM host has no Node.js ≥ the minimum on its PATH.
 */
import type { Topology } from '../topology/model.js';
import { scmNodesOnHost } from '../topology/queries.js';
import type { ClusterFacts } from './cluster-facts.js';

export function needsBundledNode(topology: Topology, facts: ClusterFacts): boolean {
  if (topology.runtime.node === 'bundled') return true;
  if (topology.runtime.node === 'system') return false;
  return topology.hosts.some((h) => {
    if (scmNodesOnHost(topology, h.name).length === 0) return false;
    const o = facts.hosts[h.name];
    return !!o && o.ok && o.facts.runtime.system?.satisfies !== true;
  });
}
