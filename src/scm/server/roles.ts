/**
 * `admin scm roles` data (RSI getRatisRoles, HU parseRatisRoleString, §9): one entry per Raft peer,
 * rendered as `host:ratisPort:ROLE:scmUuid:ip` (IPv6 hosts bracketed). Every non-leader peer is shown as
 * FOLLOWER, as Ozone does.
 */
import type { RingPeer } from '../replication/replicator.js';

export interface PeerRole {
  readonly host: string;
  readonly ratisPort: number;
  readonly role: 'LEADER' | 'FOLLOWER';
  readonly scmUuid: string;
  readonly ip: string;
}

export function toPeerRole(p: RingPeer, ip: string | undefined): PeerRole {
  return { host: p.host, ratisPort: p.ratisPort, role: p.role === 'LEADER' ? 'LEADER' : 'FOLLOWER', scmUuid: p.scmUuid, ip: ip ?? p.host };
}

export function formatPeerRole(r: PeerRole): string {
  const host = r.host.includes(':') ? `[${r.host}]` : r.host;
  return `${host}:${r.ratisPort}:${r.role}:${r.scmUuid}:${r.ip}`;
}

/** Inverse of formatPeerRole (bracketed IPv6 host allowed; the IP is the rest of the line). */
export function parsePeerRole(line: string): PeerRole {
  const m = /^(\[[^\]]+\]|[^:]+):(\d+):(LEADER|FOLLOWER|CANDIDATE):([^:]+):(.*)$/.exec(line.trim());
  if (!m) throw new Error(`not a role line: ${line}`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), ratisPort: Number(m[2]), role: m[3] === 'LEADER' ? 'LEADER' : 'FOLLOWER', scmUuid: m[4]!, ip: m[5]! };
}
