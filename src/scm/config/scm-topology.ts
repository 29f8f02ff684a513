/**
 * The SCM nodes of a service as every process sees them (servers, tools, datanodes): node ids, hosts and
 * the ports of each node, resolved with Ozone's fallback chain (NI `getPort`):
 *   port inside `<addressKey>.<sid>.<nid>` → `<portKey>.<sid>.<nid>` → `<portKey>` → built-in default.
 * Pure: no DNS, no files.
 */
import { ConfigError } from './config-error.js';
import { GRPC_PORT_DEFAULT, GRPC_PORT_KEY, HTTP_PORT_DEFAULT, HTTPS_PORT_DEFAULT, K, PROTOCOL_KEYS, RATIS_PORT_DEFAULT, RATIS_PORT_KEY, suffixed, type ScmProtocol } from './config-keys.js';
import type { RpcEndpoint } from '../transport/rpc-endpoint.js';
import type { OzoneConf } from './ozone-conf.js';

export interface ScmPorts {
  readonly client: number;
  readonly block: number;
  readonly datanode: number;
  readonly security: number;
  readonly ratis: number;
  readonly grpc: number;
  readonly http: number;
  /** `ozone.scm.https-address` (secure mode: HTTPS instead of HTTP) */
  readonly https: number;
}

export interface ScmNode {
  /** `ozone.scm.nodes.<sid>` entry; `scm` for a non-HA configuration. */
  readonly nodeId: string;
  /** the configured host string (kept unresolved, as Ozone does for the Raft address) */
  readonly host: string;
  readonly ports: ScmPorts;
}

/** The endpoints of one port of these SCMs, as RPC clients take them. */
export function endpointsOf(nodes: readonly ScmNode[], port: keyof ScmPorts): RpcEndpoint[] {
  return nodes.map((n) => ({ nodeId: n.nodeId, host: n.host, port: n.ports[port] }));
}

export interface ScmTopology {
  /** false when no service id is configured (legacy single SCM from `ozone.scm.names`/client address) */
  readonly ha: boolean;
  /** the service ids in scope: the default service id if set, else all of `ozone.scm.service.ids` */
  readonly serviceIds: readonly string[];
  /** nodes per service id in scope (configuration order) */
  readonly services: ReadonlyMap<string, readonly ScmNode[]>;
}

/** `host`, `host:port` or `[v6]:port` → parts. */
export function splitHostPort(value: string): { host: string; port: number | undefined } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  if (v6) return { host: v6[1]!, port: v6[2] === undefined ? undefined : Number(v6[2]) };
  const idx = value.lastIndexOf(':');
  if (idx > 0 && value.indexOf(':') === idx && /^\d+$/.test(value.slice(idx + 1))) {
    return { host: value.slice(0, idx), port: Number(value.slice(idx + 1)) };
  }
  return { host: value, port: undefined };
}

export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function portOf(conf: OzoneConf, sid: string | undefined, nid: string | undefined, addressKey: string | undefined, portKey: string, def: number): number {
  if (sid !== undefined && nid !== undefined) {
    if (addressKey !== undefined) {
      const addr = conf.get(suffixed(addressKey, sid, nid));
      const p = addr === undefined ? undefined : splitHostPort(addr).port;
      if (p !== undefined) return p;
    }
    const specific = conf.get(suffixed(portKey, sid, nid));
    if (specific !== undefined) return conf.getInt(suffixed(portKey, sid, nid), def);
  }
  return conf.getInt(portKey, def);
}

function httpPortOf(conf: OzoneConf, sid: string | undefined, nid: string | undefined, key: string, def: number): number {
  const raw = (sid !== undefined && nid !== undefined ? conf.get(suffixed(key, sid, nid)) : undefined) ?? conf.get(key);
  return (raw === undefined ? undefined : splitHostPort(raw).port) ?? def;
}

export function portsOf(conf: OzoneConf, sid: string | undefined, nid: string | undefined): ScmPorts {
  const p = (proto: ScmProtocol): number => portOf(conf, sid, nid, PROTOCOL_KEYS[proto].address, PROTOCOL_KEYS[proto].port, PROTOCOL_KEYS[proto].defaultPort);
  return {
    client: p('client'),
    block: p('block'),
    datanode: p('datanode'),
    security: p('security'),
    ratis: portOf(conf, sid, nid, undefined, RATIS_PORT_KEY, RATIS_PORT_DEFAULT),
    grpc: portOf(conf, sid, nid, undefined, GRPC_PORT_KEY, GRPC_PORT_DEFAULT),
    http: httpPortOf(conf, sid, nid, K.httpAddress, HTTP_PORT_DEFAULT),
    https: httpPortOf(conf, sid, nid, K.httpsAddress, HTTPS_PORT_DEFAULT),
  };
}

export function readScmTopology(conf: OzoneConf): ScmTopology {
  const defaultSid = conf.get(K.defaultServiceId);
  const serviceIds = defaultSid !== undefined ? [defaultSid] : conf.getList(K.serviceIds);
  if (serviceIds.length === 0) {
    const fromClient = conf.get(PROTOCOL_KEYS.client.address);
    const names = conf.getList(K.names);
    const raw = fromClient ?? names[0] ?? 'localhost';
    const host = splitHostPort(raw).host;
    return { ha: false, serviceIds: [], services: new Map([['', [{ nodeId: 'scm', host, ports: portsOf(conf, undefined, undefined) }]]]) };
  }
  const services = new Map<string, ScmNode[]>();
  for (const sid of serviceIds) {
    const nodeIds = conf.getList(`${K.nodesPrefix}.${sid}`);
    if (nodeIds.length === 0) {
      throw new ConfigError('CONFIG_NO_NODES', `Configuration does not have any value set for ${K.nodesPrefix}.${sid}`, {
        hint: `list the SCM node ids of service ${sid}, e.g. ${K.nodesPrefix}.${sid}=scm1,scm2,scm3`,
      });
    }
    const nodes: ScmNode[] = [];
    for (const nid of nodeIds) {
      const addr = conf.get(suffixed(K.address, sid, nid));
      if (addr === undefined) {
        throw new ConfigError('CONFIG_NO_ADDRESS', `SCM RPC Address should be set for all nodes: ${suffixed(K.address, sid, nid)} is missing`, {
          hint: `set ${suffixed(K.address, sid, nid)} to the host name of node ${nid}`,
        });
      }
      nodes.push({ nodeId: nid, host: splitHostPort(addr).host, ports: portsOf(conf, sid, nid) });
    }
    services.set(sid, nodes);
  }
  return { ha: true, serviceIds, services };
}

/**
 * The one service a client talks to (HU `getScmServiceId`): `--service-id` if given, else the default
 * service id, else the only configured one; several without a default is an error, as in Ozone.
 */
export function clientService(topology: ScmTopology, serviceId?: string): { serviceId: string | undefined; nodes: readonly ScmNode[] } {
  if (!topology.ha) return { serviceId: undefined, nodes: topology.services.get('')! };
  const sid = serviceId ?? (topology.serviceIds.length === 1 ? topology.serviceIds[0] : undefined);
  if (sid === undefined) {
    throw new ConfigError('CONFIG_MULTIPLE_SERVICES', `several SCM service ids are configured (${topology.serviceIds.join(', ')}) and none is the default`, {
      hint: `set ${K.defaultServiceId} or pass --service-id`,
    });
  }
  const nodes = topology.services.get(sid);
  if (!nodes) throw new ConfigError('CONFIG_NO_SERVICE', `SCM service id ${sid} is not configured (known: ${topology.serviceIds.join(', ') || 'none'})`);
  return { serviceId: sid, nodes };
}
