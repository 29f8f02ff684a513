/**
 * Matching `ozone admin scm roles --json` peers to topology nodes, pure. A peer's `address` is
 * `<configured host>:<ratis port>` (ozone-scm-ha.md §9); its `ID` is the node's scmUuid.
 */
import type { RolePeer } from '../facts/host-facts.js';

export interface RingNode {
  readonly key: string;
  readonly address: string;
  readonly ratisPort: number;
}

export function ratisAddress(address: string, port: number): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** The peer that is this node, by `host:ratisPort`, else by host name alone. */
export function peerOf(node: RingNode, peers: readonly RolePeer[]): RolePeer | undefined {
  const want = ratisAddress(node.address, node.ratisPort);
  return peers.find((p) => p.address === want) ?? peers.find((p) => p.address === null && p.host === node.address);
}

export function leaders(peers: readonly RolePeer[]): RolePeer[] {
  return peers.filter((p) => p.role.toUpperCase() === 'LEADER');
}

export interface RingHealth {
  readonly leader: string | null;
  readonly leaderCount: number;
  /** node keys present in the ring */
  readonly members: readonly string[];
  /** node keys not in the ring */
  readonly missing: readonly string[];
}

export function ringHealth(nodes: readonly RingNode[], peers: readonly RolePeer[]): RingHealth {
  const members: string[] = [];
  const missing: string[] = [];
  let leader: string | null = null;
  for (const n of nodes) {
    const p = peerOf(n, peers);
    if (!p) missing.push(n.key);
    else {
      members.push(n.key);
      if (p.role.toUpperCase() === 'LEADER') leader = n.key;
    }
  }
  return { leader, leaderCount: leaders(peers).length, members, missing };
}
