/**
 * Matching `ozone admin scm roles --json` peers to topology nodes, pure. A peer's `address` is
 * `<configured host>:<ratis port>` (docs/ozone-scm-ha.md §9); its `ID` is the node's scmUuid.
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
  /** node keys in the ring as voters: roles LEADER or FOLLOWER (Ozone prints every other voter FOLLOWER) */
  readonly members: readonly string[];
  /** node keys listed with another role (e.g. a LEARNER still catching up): not counted as members yet */
  readonly joining: readonly { readonly key: string; readonly role: string }[];
  /** node keys not in the ring */
  readonly missing: readonly string[];
}

export function ringHealth(nodes: readonly RingNode[], peers: readonly RolePeer[]): RingHealth {
  const members: string[] = [];
  const joining: { key: string; role: string }[] = [];
  const missing: string[] = [];
  let leader: string | null = null;
  for (const n of nodes) {
    const p = peerOf(n, peers);
    const role = p?.role.toUpperCase();
    if (!p) missing.push(n.key);
    else if (role === 'LEADER' || role === 'FOLLOWER') {
      members.push(n.key);
      if (role === 'LEADER') leader = n.key;
    } else joining.push({ key: n.key, role: p.role });
  }
  return { leader, leaderCount: leaders(peers).length, members, joining, missing };
}

/**
 * Ring members that are none of the topology's nodes (added by hand, or left over from a removed node).
 * A member whose id is the scmUuid in a declared node's VERSION is never one, whatever address it is
 * listed with (an address spelled differently — IP vs name — must not get a live node removed).
 */
export function strangers(nodes: readonly RingNode[], peers: readonly RolePeer[], declaredIds: ReadonlySet<string> = new Set()): RolePeer[] {
  const known = new Set(nodes.map((n) => peerOf(n, peers)).filter((p): p is RolePeer => p !== undefined));
  return peers.filter((p) => !known.has(p) && !(p.id !== null && declaredIds.has(p.id)));
}

export function describePeer(p: RolePeer): string {
  return `${p.id ?? '(unknown id)'} at ${p.address ?? p.host}`;
}
