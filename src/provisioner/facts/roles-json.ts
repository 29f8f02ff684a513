/**
 * `ozone admin scm roles --json` output, pure (docs/ozone-scm-ha.md §9): an object keyed by host, each value
 * `{address, raftPeerRole, ID, InetAddress}`, plus the embedded SCM's `lastContactMs` and `lagging` for
 * followers. Returns null when the text is not that shape.
 */
import type { RolePeer } from './host-facts.js';

export function parseRolesJson(text: string): RolePeer[] | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  const peers: RolePeer[] = [];
  for (const [host, v] of Object.entries(data as Record<string, unknown>)) {
    if (typeof v !== 'object' || v === null) return null;
    const o = v as Record<string, unknown>;
    const str = (x: unknown): string | null => (typeof x === 'string' ? x : null);
    const role = str(o['raftPeerRole']);
    if (role === null) return null;
    const lastContact = o['lastContactMs'];
    peers.push({
      host,
      address: str(o['address']),
      role,
      id: str(o['ID']),
      inetAddress: str(o['InetAddress']),
      lastContactMs: typeof lastContact === 'number' && Number.isFinite(lastContact) && lastContact >= 0 ? lastContact : null,
      lagging: typeof o['lagging'] === 'boolean' ? o['lagging'] : null,
    });
  }
  return peers.sort((a, b) => a.host.localeCompare(b.host));
}
