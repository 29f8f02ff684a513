/**
 * Is a configured host this machine? (Hadoop `NetUtils.isLocalAddress`, docs/ozone-scm-ha.md §2.3): the host
 * resolves and one of its addresses is loopback (any 127/8, ::1 — Java's isLoopbackAddress), any-local
 * (0.0.0.0, ::) or bound to a local interface. Unresolvable hosts are not local.
 */
import { lookup } from 'node:dns/promises';
import { networkInterfaces } from 'node:os';

export interface HostLocality {
  /** `ip` = the first resolved address (shown by `admin scm roles`); undefined when unresolvable */
  check(host: string, options?: { signal?: AbortSignal }): Promise<{ readonly local: boolean; readonly ip: string | undefined }>;
}

export function isLoopbackOrAnyLocal(ip: string): boolean {
  const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  return /^127\./.test(v4) || v4 === '0.0.0.0' || ip === '::1' || ip === '::';
}

export const systemHostLocality: HostLocality = {
  async check(host) {
    let addrs: string[];
    try {
      addrs = (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      return { local: false, ip: undefined };
    }
    const mine = new Set(
      Object.values(networkInterfaces())
        .flatMap((list) => list ?? [])
        .map((i) => i.address),
    );
    return { local: addrs.some((a) => isLoopbackOrAnyLocal(a) || mine.has(a)), ip: addrs[0] };
  },
};
