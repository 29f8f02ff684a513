/**
 * Which configured SCM node is this process? (HND `loadSCMHAConfig`, docs/ozone-scm-ha.md §2)
 * Candidates are the nodes whose host is local; `ozone.scm.node.id` only narrows them (its address must
 * still be local). Exactly one candidate is required: none or several is a coded error naming the
 * candidates and the fix, where Ozone would throw an NPE or an IllegalArgumentException.
 */
import { ConfigError } from './config-error.js';
import { K } from './config-keys.js';
import type { HostLocality } from './host-locality.js';
import type { OzoneConf } from './ozone-conf.js';
import type { ScmNode, ScmTopology } from './scm-topology.js';

export interface LocalNode {
  readonly serviceId: string | undefined;
  readonly self: ScmNode;
  /** the first resolved IP of the local node's host */
  readonly ip: string;
  /** the other nodes of the service, in configuration order */
  readonly peers: readonly ScmNode[];
  /** every node of the service, self included, in configuration order */
  readonly nodes: readonly ScmNode[];
}

export async function resolveLocalNode(
  topology: ScmTopology,
  conf: OzoneConf,
  locality: HostLocality,
  options: { signal?: AbortSignal } = {},
): Promise<LocalNode> {
  if (!topology.ha) {
    const self = topology.services.get('')![0]!;
    const { ip } = await locality.check(self.host, options);
    return { serviceId: undefined, self, ip: ip ?? '127.0.0.1', peers: [], nodes: [self] };
  }
  const explicit = conf.get(K.nodeId);
  if (explicit !== undefined) {
    const known = [...topology.services.values()].some((nodes) => nodes.some((n) => n.nodeId === explicit));
    if (!known) {
      throw new ConfigError('CONFIG_UNKNOWN_NODE_ID', `${K.nodeId}=${explicit} is not a node of ${topology.serviceIds.map((s) => `${K.nodesPrefix}.${s}`).join(', ')}`, {
        hint: `set ${K.nodeId} to one of the configured node ids or remove it`,
      });
    }
  }
  const matches: Array<{ sid: string; node: ScmNode; ip: string }> = [];
  const described: string[] = [];
  for (const [sid, nodes] of topology.services) {
    for (const node of nodes) {
      const { local, ip } = await locality.check(node.host, options);
      described.push(`${sid}.${node.nodeId}=${node.host}${ip === undefined ? ' (unresolved)' : local ? ` (${ip}, local)` : ` (${ip})`}`);
      if (local && ip !== undefined && (explicit === undefined || explicit === node.nodeId)) matches.push({ sid, node, ip });
    }
  }
  if (matches.length === 0) {
    const why = explicit !== undefined ? `${K.nodeId}=${explicit}, but that node's address is not local` : 'no configured SCM address is local';
    throw new ConfigError('CONFIG_NO_LOCAL_NODE', `cannot identify this SCM node: ${why}. Nodes: ${described.join(', ')}`, {
      hint: `run on one of the configured hosts, or fix ${K.address}.<service>.<node> so one of them resolves to this machine`,
    });
  }
  if (matches.length > 1) {
    throw new ConfigError(
      'CONFIG_MULTIPLE_LOCAL_NODES',
      `Configuration has multiple ${K.address} addresses that match local node's address: ${matches.map((m) => `${m.sid}.${m.node.nodeId}=${m.node.host}`).join(', ')}`,
      { hint: `set ${K.nodeId} to the node id of this SCM (one of ${matches.map((m) => m.node.nodeId).join(', ')})` },
    );
  }
  const { sid, node, ip } = matches[0]!;
  const nodes = topology.services.get(sid)!;
  return { serviceId: sid, self: node, ip, peers: nodes.filter((n) => n !== node), nodes };
}
