/**
 * `ozone admin scm roles [--service-id=S] [--scm=host:port] [--json | --table]` (§9): asks the leader
 * (getScmInfo on the client port, following NotLeader hints) for the Raft peers and prints them as
 * `host:ratisPort:ROLE:scmUuid:ip` lines, a JSON object keyed by host, or a table.
 */
import { formatPeerRole, parsePeerRole, type PeerRole } from '../protocol-servers/roles.js';
import type { ClientProtocol } from '../protocols/client-protocol.js';
import type { FailoverRpcClient } from '../transport/rpc-failover-client.js';
import { jacksonJson } from './jackson-json.js';
import type { ToolIo } from './tool-io.js';

export type RolesFormat = 'plain' | 'json' | 'table';

/** The leader's view of the ring: one PeerRole per member, with the leader's health figures for followers. */
export async function fetchRoles(client: FailoverRpcClient<ClientProtocol>, options: { signal?: AbortSignal } = {}): Promise<PeerRole[]> {
  const info = await client.call('getScmInfo', {}, options);
  return Array.isArray(info.roles) && info.roles.length === info.peerRoles.length ? [...info.roles] : info.peerRoles.map(parsePeerRole);
}

export function renderRoles(roles: readonly PeerRole[], format: RolesFormat): string {
  if (format === 'plain') return roles.map(formatPeerRole).join('\n');
  if (format === 'json') {
    const obj: Record<string, unknown> = {};
    for (const r of roles) {
      // Ozone's four keys first; the leader's figures for a follower after them (embedded SCM only).
      const health = r.health ? { lastContactMs: r.health.lastContactMs, matchIndex: r.health.matchIndex, lagging: r.health.lagging } : {};
      obj[r.host] = { address: `${r.host}:${r.ratisPort}`, raftPeerRole: r.role, ID: r.scmUuid, InetAddress: r.ip, ...health };
    }
    return jacksonJson(obj, false);
  }
  return table(roles);
}

function table(roles: readonly PeerRole[]): string {
  const head = ['Host Name', 'Ratis Port', 'Role', 'Node ID', 'Host Address'];
  const rows = roles.map((r) => [r.host, String(r.ratisPort), r.role, r.scmUuid, r.ip]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const rule = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  return ['Storage Container Manager Roles', rule, line(head), rule, ...rows.map(line), rule].join('\n');
}

export async function runRoles(client: FailoverRpcClient<ClientProtocol>, format: RolesFormat, io: ToolIo, options: { signal?: AbortSignal } = {}): Promise<void> {
  io.out(renderRoles(await fetchRoles(client, options), format));
}
