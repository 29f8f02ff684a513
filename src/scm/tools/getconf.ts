/**
 * `ozone getconf` — Ozone 2.2's OzoneGetConf (hadoop-ozone/tools org/apache/hadoop/ozone/conf/), from
 * the local configuration only (`--conf DIR` / `$OZONE_CONF_DIR`/ozone-site.xml, over ozone-default.xml):
 *  - `confKey <key>` / `-confKey <key>` (PrintConfKeyCommandHandler): the trimmed value, `${…}` expanded;
 *    a key nobody sets fails with `Configuration <key> is missing.` (IllegalArgumentException → exit 255);
 *  - `storagecontainermanagers` / `-storagecontainermanagers` (StorageContainerManagersCommandHandler →
 *    HddsUtils.getScmAddressForClients): one host name per SCM client address of the client's service
 *    (default service id, else the only one), `InetSocketAddress.getHostName()` of each — a configured
 *    name as written, an IP literal reverse-resolved (kept as is when it has no name, as Java does) — in
 *    the iteration order of the `HashSet` Ozone collects them in (java-hash-order.ts). Without a service
 *    id: `ozone.scm.client.address`, else the single `ozone.scm.names` entry.
 */
import { lookup, lookupService } from 'node:dns/promises';
import { isIP } from 'node:net';
import { K, PROTOCOL_KEYS, suffixed } from '../config/config-keys.js';
import { OZONE_DEFAULTS } from '../config/ozone-defaults.js';
import type { OzoneConf } from '../config/ozone-conf.js';
import { portsOf, splitHostPort } from '../config/scm-topology.js';
import { hashMapOrder, javaSocketAddressHash } from './java-hash-order.js';
import { EXIT_FAILURE, ToolError } from './tool-error.js';
import type { ToolIo } from './tool-io.js';

/** `conf.getTrimmed(key)` of Ozone: the site value (blank = ""), else ozone-default.xml's, else missing. */
export function confKeyValue(conf: OzoneConf, key: string): string {
  if (conf.has(key)) return conf.get(key) ?? '';
  const def = OZONE_DEFAULTS.get(key);
  if (def !== undefined) return def;
  throw new ToolError('GETCONF_MISSING_KEY', `Configuration ${key} is missing.`, { exitCode: EXIT_FAILURE });
}

export interface ScmClientAddress {
  readonly host: string;
  readonly port: number;
}

const noScm = (message: string): ToolError => new ToolError('GETCONF_NO_SCM', message, { exitCode: EXIT_FAILURE });

/** The SCM client addresses of HddsUtils.getScmAddressForClients (SCMNodeInfo.buildNodeInfo), in configuration order. */
export function scmClientAddresses(conf: OzoneConf): ScmClientAddress[] {
  let sid = conf.get(K.defaultServiceId);
  if (sid === undefined) {
    const ids = conf.getList(K.serviceIds);
    if (ids.length > 1) throw noScm(`When multiple SCM Service Ids are configured,${K.defaultServiceId} need to be defined`);
    sid = ids[0];
  }
  if (sid !== undefined) {
    const nodeIds = conf.getList(`${K.nodesPrefix}.${sid}`);
    if (nodeIds.length === 0) {
      throw noScm(`Configuration does not have any value set for ${K.nodesPrefix} for the SCM serviceId ${sid}. List of SCM Node ID's should be specified for an SCM HA service`);
    }
    return nodeIds.map((nid) => {
      const key = suffixed(K.address, sid!, nid);
      const address = conf.get(key);
      if (address === undefined) throw noScm(`${key}is not defined`);
      return { host: splitHostPort(address).host, port: portsOf(conf, sid, nid).client };
    });
  }
  const clientAddress = conf.get(PROTOCOL_KEYS.client.address);
  const clientPort = conf.getInt(PROTOCOL_KEYS.client.port, PROTOCOL_KEYS.client.defaultPort);
  if (clientAddress !== undefined) {
    const { host, port } = splitHostPort(clientAddress);
    return [{ host, port: port ?? clientPort }];
  }
  const names = conf.getList(K.names);
  if (names.length === 0) throw noScm(`Ozone scm client address is not set. Configure one of these config ${PROTOCOL_KEYS.client.address}, ${K.names}`);
  if (names.length > 1) throw noScm(`For non-HA SCM ${K.names} should be set with single address`);
  return [{ host: splitHostPort(names[0]!).host, port: clientPort }];
}

/** How a host name is resolved (injectable for tests): the first IPv4 address, or undefined when unresolvable. */
export interface HostResolver {
  resolve(host: string): Promise<string | undefined>;
  /** the name InetAddress#getHostName finds for an IP literal (itself when it has none) */
  nameOf(ip: string): Promise<string>;
}

export const systemResolver: HostResolver = {
  async resolve(host) {
    if (isIP(host)) return host;
    try {
      const all = await lookup(host, { all: true });
      return (all.find((a) => a.family === 4) ?? all[0])?.address;
    } catch {
      return undefined;
    }
  },
  async nameOf(ip) {
    try {
      const { hostname } = await lookupService(ip, 0);
      // Java keeps the literal unless the name resolves back to the same address
      const back = await lookup(hostname, { all: true });
      return back.some((a) => a.address === ip) ? hostname : ip;
    } catch {
      return ip;
    }
  },
};

/** What `ozone getconf storagecontainermanagers` prints, one host per entry. */
export async function storageContainerManagers(conf: OzoneConf, resolver: HostResolver = systemResolver): Promise<string[]> {
  const resolved = await Promise.all(
    scmClientAddresses(conf).map(async (a) => {
      const ip = await resolver.resolve(a.host);
      const printed = ip !== undefined && isIP(a.host) ? await resolver.nameOf(ip) : a.host;
      return { ...a, ip, printed };
    }),
  );
  // `new HashSet<>(nodes.size())`: equal addresses (same resolved address and port, or same unresolved name and port) count once
  const seen = new Set<string>();
  const distinct = resolved.filter((a) => {
    const key = a.ip !== undefined ? `${a.ip}:${a.port}` : `?${a.host.toLowerCase()}:${a.port}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const ordered = distinct.some((a) => a.ip !== undefined && isIP(a.ip) !== 4)
    ? distinct // IPv6 hashes are not modelled: configuration order
    : hashMapOrder(distinct, (a) => javaSocketAddressHash({ ...(a.ip !== undefined ? { ipv4: a.ip } : {}), hostname: a.host, port: a.port }), resolved.length);
  return ordered.map((a) => a.printed);
}

export async function runGetconfScms(conf: OzoneConf, io: ToolIo, resolver?: HostResolver): Promise<void> {
  for (const host of await storageContainerManagers(conf, resolver)) io.out(host);
}

export function runGetconfKey(conf: OzoneConf, key: string, io: ToolIo): void {
  io.out(confKeyValue(conf, key));
}
