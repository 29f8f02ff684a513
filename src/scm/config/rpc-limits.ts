/**
 * The resource limits of every SCM listener (transport/connection-limits.ts), from ozone-site.xml. Each key
 * has a default for all ports and may be set per port by appending the port's name
 * (`client`, `block`, `datanode`, `security`, `grpc`, `ratis`, `http`):
 *
 *   key                                             default (datanode / ratis where different)
 *   ozone.scm.rpc.max.frame.size                    1MB (32MB / 32MB)  largest request frame accepted
 *   ozone.scm.rpc.max.buffered.size                 16MB (64MB / 64MB) partial frames held, all connections
 *   ozone.scm.rpc.max.connection.buffer.size        8MB                unread responses queued per connection
 *   ozone.scm.rpc.max.connections                   1024               open connections on the port
 *   ozone.scm.rpc.max.connections.per.address       256 (- / 16)       open connections from one address
 *   ozone.scm.rpc.max.inflight.per.connection       64                 calls running at once per connection
 *   ozone.scm.rpc.idle.timeout                      2m                 silence (no call running) before close
 *   ozone.scm.rpc.handshake.timeout                 10s                TLS handshake
 * e.g. `ozone.scm.rpc.idle.timeout.datanode=5m`. With the defaults, partial frames can hold at most
 * 4 × 16 MB (client, block, security, inter-SCM) + 64 MB (datanode) + 64 MB (Raft) = 192 MB of an SCM's
 * memory, whatever callers send; the Raft frame limit matches Ozone's 32 MB log appender byte limit. These are this SCM's own keys (Ozone's Hadoop RPC has
 * its own `ipc.*` set, which does not map one to one).
 */
import type { ConnectionLimits } from '../transport/connection-limits.js';
import { DEFAULT_LIMITS, RAFT_PORT_LIMITS } from '../transport/connection-limits.js';
import { ConfigError } from './config-error.js';
import type { OzoneConf } from './ozone-conf.js';
import { parseStorageSize } from './storage-size.js';

export const LISTENER_NAMES = ['client', 'block', 'datanode', 'security', 'grpc', 'ratis', 'http'] as const;
export type ListenerName = (typeof LISTENER_NAMES)[number];

const MiB = 1024 * 1024;
const PORT_DEFAULTS: Readonly<Partial<Record<ListenerName, Partial<ConnectionLimits>>>> = {
  datanode: { maxFrameBytes: 32 * MiB, maxBufferedBytes: 64 * MiB },
  ratis: RAFT_PORT_LIMITS,
};

export const RPC_LIMIT_KEYS = {
  maxFrameBytes: 'ozone.scm.rpc.max.frame.size',
  maxBufferedBytes: 'ozone.scm.rpc.max.buffered.size',
  maxConnectionBufferBytes: 'ozone.scm.rpc.max.connection.buffer.size',
  maxConnections: 'ozone.scm.rpc.max.connections',
  maxConnectionsPerAddress: 'ozone.scm.rpc.max.connections.per.address',
  maxInflightPerConnection: 'ozone.scm.rpc.max.inflight.per.connection',
  idleTimeoutMs: 'ozone.scm.rpc.idle.timeout',
  handshakeTimeoutMs: 'ozone.scm.rpc.handshake.timeout',
} as const satisfies Record<keyof ConnectionLimits, string>;

function limitsFor(conf: OzoneConf, port: ListenerName): ConnectionLimits {
  const base = { ...DEFAULT_LIMITS, ...PORT_DEFAULTS[port] };
  /** the key that sets `field` for this port (the port-suffixed one first), if any is set */
  const keyOf = (field: keyof ConnectionLimits): string | undefined => {
    const key = RPC_LIMIT_KEYS[field];
    return conf.get(`${key}.${port}`) !== undefined ? `${key}.${port}` : conf.get(key) !== undefined ? key : undefined;
  };
  const size = (field: keyof ConnectionLimits): number => {
    const key = keyOf(field);
    return key === undefined ? base[field] : parseStorageSize(conf.get(key)!, 'b', key);
  };
  const count = (field: keyof ConnectionLimits): number => {
    const key = keyOf(field);
    if (key === undefined) return base[field];
    const v = conf.get(key)!.trim();
    if (!/^\d+$/.test(v) || Number(v) < 1) throw new ConfigError('CONFIG_VALUE', `${key} must be a positive integer, got ${JSON.stringify(v)}`);
    return Number(v);
  };
  const duration = (field: 'idleTimeoutMs' | 'handshakeTimeoutMs'): number => {
    const key = keyOf(field);
    return key === undefined ? base[field] : conf.getDurationMs(key, '0', 'ms');
  };
  const limits: ConnectionLimits = {
    maxFrameBytes: size('maxFrameBytes'),
    maxBufferedBytes: size('maxBufferedBytes'),
    maxConnectionBufferBytes: size('maxConnectionBufferBytes'),
    maxConnections: count('maxConnections'),
    maxConnectionsPerAddress: count('maxConnectionsPerAddress'),
    maxInflightPerConnection: count('maxInflightPerConnection'),
    idleTimeoutMs: duration('idleTimeoutMs'),
    handshakeTimeoutMs: duration('handshakeTimeoutMs'),
  };
  if (limits.maxBufferedBytes < limits.maxFrameBytes) {
    throw new ConfigError('CONFIG_VALUE', `${RPC_LIMIT_KEYS.maxBufferedBytes} (${limits.maxBufferedBytes}) must not be below ${RPC_LIMIT_KEYS.maxFrameBytes} (${limits.maxFrameBytes}) for the ${port} port`);
  }
  if (limits.idleTimeoutMs < 100 || limits.handshakeTimeoutMs < 100) throw new ConfigError('CONFIG_VALUE', `${RPC_LIMIT_KEYS.idleTimeoutMs} and ${RPC_LIMIT_KEYS.handshakeTimeoutMs} must be at least 100ms`);
  return limits;
}

export function readRpcLimits(conf: OzoneConf): Readonly<Record<ListenerName, ConnectionLimits>> {
  return Object.fromEntries(LISTENER_NAMES.map((p) => [p, limitsFor(conf, p)])) as Record<ListenerName, ConnectionLimits>;
}
