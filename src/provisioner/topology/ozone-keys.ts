/**
 * Apache Ozone configuration keys scmctl reads and writes (docs/ozone-scm-ha.md §1, §7). This catalogue is the
 * single mapping between the topology model and ozone-site.xml, used by the XML import, the renderer, the
 * exporter and the "managed property" rule.
 */
import type { ScmPortName } from './model.js';

export const KEY = {
  serviceIds: 'ozone.scm.service.ids',
  defaultServiceId: 'ozone.scm.default.service.id',
  nodes: 'ozone.scm.nodes',
  address: 'ozone.scm.address',
  nodeId: 'ozone.scm.node.id',
  primordialNodeId: 'ozone.scm.primordial.node.id',
  names: 'ozone.scm.names',
  ratisEnable: 'ozone.scm.ratis.enable',
  infoWaitDuration: 'ozone.scm.info.wait.duration',
  metadataDirs: 'ozone.metadata.dirs',
  dbDirs: 'ozone.scm.db.dirs',
  ratisStorageDir: 'ozone.scm.ha.ratis.storage.dir',
  ratisSnapshotDir: 'ozone.scm.ha.ratis.snapshot.dir',
  hddsMetadataDir: 'hdds.metadata.dir',
  securityEnabled: 'ozone.security.enabled',
  grpcTlsEnabled: 'hdds.grpc.tls.enabled',
  hadoopAuthentication: 'hadoop.security.authentication',
  scmKerberosPrincipal: 'hdds.scm.kerberos.principal',
  scmKerberosKeytab: 'hdds.scm.kerberos.keytab.file',
} as const;

/** `<portKey>` (and `<portKey>.<sid>.<nid>`) per SCM port; http/https are host:port *address* keys. */
export const PORT_KEYS: Readonly<Record<ScmPortName, { readonly key: string; readonly form: 'port' | 'address' }>> = {
  client: { key: 'ozone.scm.client.port', form: 'port' },
  block: { key: 'ozone.scm.block.client.port', form: 'port' },
  datanode: { key: 'ozone.scm.datanode.port', form: 'port' },
  security: { key: 'ozone.scm.security.service.port', form: 'port' },
  ratis: { key: 'ozone.scm.ratis.port', form: 'port' },
  grpc: { key: 'ozone.scm.grpc.port', form: 'port' },
  http: { key: 'ozone.scm.http-address', form: 'address' },
  https: { key: 'ozone.scm.https-address', form: 'address' },
};

/** Bind-host keys of the SCM listeners; scmctl writes all six per node when a host's `listen` is not `any`. */
export const BIND_HOST_KEYS = [
  'ozone.scm.client.bind.host',
  'ozone.scm.block.client.bind.host',
  'ozone.scm.datanode.bind.host',
  'ozone.scm.security.service.bind.host',
  'ozone.scm.http-bind-host',
  'ozone.scm.https-bind-host',
] as const;

/** Deprecated per-protocol address keys whose port part Ozone still honours for a node (NI getPort). */
export const PROTOCOL_ADDRESS_KEYS: Readonly<Partial<Record<ScmPortName, string>>> = {
  client: 'ozone.scm.client.address',
  block: 'ozone.scm.block.client.address',
  datanode: 'ozone.scm.datanode.address',
  security: 'ozone.scm.security.service.address',
};

/** Keys Ozone reads as `<key>.<serviceId>.<nodeId>` for a node (HND nodeSpecificConfigKeys, plus the address). */
export const NODE_SPECIFIC_KEYS: readonly string[] = [
  'ozone.scm.datanode.address', 'ozone.scm.datanode.port', 'ozone.scm.datanode.bind.host',
  'ozone.scm.block.client.address', 'ozone.scm.block.client.port', 'ozone.scm.block.client.bind.host',
  'ozone.scm.client.address', 'ozone.scm.client.port', 'ozone.scm.client.bind.host',
  'ozone.scm.security.service.address', 'ozone.scm.security.service.port', 'ozone.scm.security.service.bind.host',
  'ozone.scm.ratis.port', 'ozone.scm.grpc.port',
  'ozone.scm.http-bind-host', 'ozone.scm.https-bind-host', 'ozone.scm.http-address', 'ozone.scm.https-address',
  'ozone.scm.db.dirs', 'ozone.scm.address',
];

/**
 * SCM keys Ozone knows without a suffix (§1.1–§1.7). A key under `ozone.scm.` that is not here but within a
 * small edit distance of one of these is reported as a likely typo by the import and by `properties`.
 */
export const KNOWN_SCM_KEYS: readonly string[] = [
  KEY.serviceIds, KEY.defaultServiceId, KEY.nodeId, KEY.primordialNodeId, KEY.names, KEY.ratisEnable, KEY.infoWaitDuration,
  KEY.dbDirs, KEY.ratisStorageDir, KEY.ratisSnapshotDir,
  'ozone.scm.skip.bootstrap.validation',
  ...Object.values(PORT_KEYS).map((p) => p.key),
  ...BIND_HOST_KEYS,
  ...Object.values(PROTOCOL_ADDRESS_KEYS),
  'ozone.scm.http.enabled', 'ozone.scm.db.dirs.permissions',
  'ozone.scm.ha.ratis.rpc.type', 'ozone.scm.ha.ratis.leader.election.timeout', 'ozone.scm.ha.ratis.request.timeout',
  'ozone.scm.ha.ratis.server.failure.timeout.duration', 'ozone.scm.ha.ratis.server.leaderelection.pre-vote',
  'ozone.scm.ha.ratis.leader.ready.wait.timeout', 'ozone.scm.ha.ratis.leader.ready.check.interval',
  'ozone.scm.ha.ratis.server.retry.cache.timeout', 'ozone.scm.ha.ratis.segment.size', 'ozone.scm.ha.ratis.segment.preallocated.size',
  'ozone.scm.ha.ratis.log.appender.queue.num-elements', 'ozone.scm.ha.ratis.log.appender.queue.byte-limit',
  'ozone.scm.ha.ratis.log.purge.enabled', 'ozone.scm.ha.ratis.log.purge.gap', 'ozone.scm.ha.ratis.snapshot.threshold',
  'ozone.scm.ha.grpc.deadline.interval', 'ozone.scm.ha.dbtransactionbuffer.flush.interval',
  'ozone.scm.ratis.events.max.limit', 'ozone.scm.sequence.id.batch.size',
];

/** The keys that are most often mistyped in an SCM HA setup (identity, ports, directories). */
export const CORE_SCM_KEYS: readonly string[] = [
  KEY.serviceIds, KEY.defaultServiceId, KEY.nodes, KEY.address, KEY.nodeId, KEY.primordialNodeId, KEY.ratisEnable,
  KEY.names, KEY.infoWaitDuration, KEY.dbDirs, KEY.ratisStorageDir, KEY.ratisSnapshotDir, KEY.metadataDirs,
  ...Object.values(PORT_KEYS).map((p) => p.key),
  ...BIND_HOST_KEYS,
];

/** Keys scmctl always derives from the topology, so `properties` may not set them. */
export const MANAGED_KEYS: ReadonlySet<string> = new Set<string>([
  KEY.serviceIds, KEY.defaultServiceId, KEY.nodeId, KEY.primordialNodeId, KEY.ratisEnable, KEY.infoWaitDuration,
  KEY.metadataDirs, KEY.dbDirs, KEY.ratisStorageDir, KEY.ratisSnapshotDir, KEY.hddsMetadataDir,
  KEY.securityEnabled, KEY.grpcTlsEnabled, KEY.hadoopAuthentication, KEY.scmKerberosPrincipal, KEY.scmKerberosKeytab,
  ...Object.values(PORT_KEYS).map((p) => p.key),
]);

const ID_SEGMENT = '[A-Za-z0-9][A-Za-z0-9_-]*';
const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Managed per-service/per-node forms: `ozone.scm.nodes.<sid>` and `<nodeSpecificKey>.<sid>.<nid>`. */
const MANAGED_SUFFIXED = new RegExp(
  `^(?:${escapeRe(KEY.nodes)}\\.${ID_SEGMENT}|(?:${NODE_SPECIFIC_KEYS.map(escapeRe).join('|')})\\.${ID_SEGMENT}\\.${ID_SEGMENT})$`,
);

/** The topology field that replaces a managed key, for hints. */
export function managedKeyField(name: string): string {
  if (name === KEY.serviceIds || name.startsWith(`${KEY.nodes}.`) || name.startsWith(`${KEY.address}.`)) return 'spec.services';
  if (name === KEY.defaultServiceId) return 'spec.defaultServiceId';
  if (name === KEY.primordialNodeId) return 'spec.services[].primordial';
  if (name === KEY.nodeId) return 'spec.services[].nodes (rendered per host)';
  if (name === KEY.ratisEnable) return 'spec.ratis.enabled';
  if (name === KEY.infoWaitDuration) return 'spec.timeouts.scmInfoWait';
  if ([KEY.metadataDirs, KEY.dbDirs, KEY.ratisStorageDir, KEY.ratisSnapshotDir, KEY.hddsMetadataDir].some((k) => name === k || name.startsWith(`${k}.`))) {
    return 'spec.directories (or hosts[].directories, nodes[].directories)';
  }
  if ([KEY.securityEnabled, KEY.grpcTlsEnabled, KEY.hadoopAuthentication, KEY.scmKerberosPrincipal, KEY.scmKerberosKeytab].includes(name as never)) {
    return 'spec.security';
  }
  if ((BIND_HOST_KEYS as readonly string[]).some((k) => name.startsWith(`${k}.`))) return 'hosts[].listen (or spec.listen)';
  return 'spec.ports (or nodes[].ports)';
}

/** True when `name` is a key scmctl renders from the topology and so may not appear in `properties`. */
export function isManagedKey(name: string): boolean {
  return MANAGED_KEYS.has(name) || MANAGED_SUFFIXED.test(name);
}

/** Hadoop duration → milliseconds (`ozone.scm.info.wait.duration` reads a bare number as seconds). */
export function parseHadoopDurationMs(raw: string, bareUnitMs: number): number | undefined {
  const m = /^\s*(\d+)\s*(ns|us|ms|s|m|h|d)?\s*$/.exec(raw);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2];
  const factor = unit === undefined ? bareUnitMs : { ns: 1e-6, us: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit]!;
  return Math.round(n * factor);
}
