/** The start-scm task of init, join and convert: start the node, then wait as `gate` says. */
import type { ScmNode } from '../../topology/model.js';
import { nodeKey, type Task } from '../plan-model.js';

export function startTask(n: ScmNode, gate: 'leader' | 'member' | 'none'): Task {
  const key = nodeKey(n.serviceId, n.nodeId);
  return {
    kind: 'start-scm',
    id: `start:${n.host}:${key}`,
    title:
      gate === 'leader'
        ? `start ${key} on ${n.host} and wait until it leads`
        : gate === 'member'
          ? `start ${key} on ${n.host} and wait until it is in the ring with one leader`
          : `start ${key} on ${n.host}`,
    host: n.host,
    node: key,
    gate,
  };
}
