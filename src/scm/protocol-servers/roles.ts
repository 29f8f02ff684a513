/**
 * `admin scm roles` data (RSI getRatisRoles, HU parseRatisRoleString, §9): one entry per Raft peer,
 * rendered as `host:ratisPort:ROLE:scmUuid:ip` (IPv6 hosts bracketed). A non-leader peer is FOLLOWER as in
 * Ozone, except one the leader has not heard from for an election timeout: UNREACHABLE (Ozone would still
 * say FOLLOWER; a dead member reported as a follower hides a lost replica). The leader's figures for each
 * follower (last contact, match index, lagging) ride along for `--json` and `scmctl status`.
 */
import type { RingPeer } from '../replication/replicator.js';

export type PeerRoleName = 'LEADER' | 'FOLLOWER' | 'UNREACHABLE';

export interface PeerRole {
  readonly host: string;
  readonly ratisPort: number;
  readonly role: PeerRoleName;
  readonly scmUuid: string;
  readonly ip: string;
  /** the leader's view of this follower (absent for the leader itself) */
  readonly health?: RingPeer['health'];
}

export function toPeerRole(p: RingPeer, ip: string | undefined): PeerRole {
  const role: PeerRoleName = p.role === 'LEADER' ? 'LEADER' : p.health && !p.health.reachable ? 'UNREACHABLE' : 'FOLLOWER';
  return { host: p.host, ratisPort: p.ratisPort, role, scmUuid: p.scmUuid, ip: ip ?? p.host, ...(p.health ? { health: p.health } : {}) };
}

export function formatPeerRole(r: PeerRole): string {
  const host = r.host.includes(':') ? `[${r.host}]` : r.host;
  return `${host}:${r.ratisPort}:${r.role}:${r.scmUuid}:${r.ip}`;
}

/** Inverse of formatPeerRole (bracketed IPv6 host allowed; the IP is the rest of the line). */
export function parsePeerRole(line: string): PeerRole {
  const m = /^(\[[^\]]+\]|[^:]+):(\d+):(LEADER|FOLLOWER|CANDIDATE|UNREACHABLE):([^:]+):(.*)$/.exec(line.trim());
  if (!m) throw new Error(`not a role line: ${line}`);
  const role: PeerRoleName = m[3] === 'LEADER' || m[3] === 'UNREACHABLE' ? m[3] : 'FOLLOWER';
  return { host: m[1]!.replace(/^\[|\]$/g, ''), ratisPort: Number(m[2]), role, scmUuid: m[4]!, ip: m[5]! };
}
