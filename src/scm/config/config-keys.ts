/** Ozone configuration keys and defaults used by the embedded SCM (docs/ozone-scm-ha.md §1; SCK/ODX/HCK). */

export const K = {
  serviceIds: 'ozone.scm.service.ids',
  defaultServiceId: 'ozone.scm.default.service.id',
  nodesPrefix: 'ozone.scm.nodes',
  address: 'ozone.scm.address',
  nodeId: 'ozone.scm.node.id',
  primordialNodeId: 'ozone.scm.primordial.node.id',
  skipBootstrapValidation: 'ozone.scm.skip.bootstrap.validation',
  names: 'ozone.scm.names',
  infoWaitDuration: 'ozone.scm.info.wait.duration',
  ratisEnable: 'ozone.scm.ratis.enable',
  metadataDirs: 'ozone.metadata.dirs',
  dbDirs: 'ozone.scm.db.dirs',
  ratisStorageDir: 'ozone.scm.ha.ratis.storage.dir',
  ratisSnapshotDir: 'ozone.scm.ha.ratis.snapshot.dir',
  electionTimeout: 'ozone.scm.ha.ratis.leader.election.timeout',
  requestTimeout: 'ozone.scm.ha.ratis.request.timeout',
  snapshotThreshold: 'ozone.scm.ha.ratis.snapshot.threshold',
  logPurgeGap: 'ozone.scm.ha.ratis.log.purge.gap',
  leaderReadyWaitTimeout: 'ozone.scm.ha.ratis.leader.ready.wait.timeout',
  sequenceIdBatchSize: 'ozone.scm.sequence.id.batch.size',
  containerSize: 'ozone.scm.container.size',
  blockSize: 'ozone.scm.block.size',
  pipelineOwnerContainerCount: 'ozone.scm.pipeline.owner.container.count',
  staleNodeInterval: 'ozone.scm.stale.node.interval',
  replicationInterval: 'hdds.scm.replication.thread.interval',
  deadNodeInterval: 'ozone.scm.dead.node.interval',
  heartbeatInterval: 'hdds.heartbeat.interval',
  failoverMaxRetry: 'hdds.scmclient.failover.max.retry',
  failoverRetryInterval: 'hdds.scmclient.failover.retry.interval',
  rpcTimeout: 'hdds.scmclient.rpc.timeout',
  httpEnabled: 'ozone.scm.http.enabled',
  httpAddress: 'ozone.scm.http-address',
  httpBindHost: 'ozone.scm.http-bind-host',
  httpsAddress: 'ozone.scm.https-address',
  httpsBindHost: 'ozone.scm.https-bind-host',
  securityEnabled: 'ozone.security.enabled',
  grpcTlsEnabled: 'hdds.grpc.tls.enabled',
  hddsMetadataDir: 'hdds.metadata.dir',
} as const;

/** The protocols an SCM serves, with their address/port/bind keys and default ports (§1.2). */
export type ScmProtocol = 'client' | 'block' | 'datanode' | 'security';

export const PROTOCOL_KEYS: Record<ScmProtocol, { address: string; port: string; bindHost: string; defaultPort: number }> = {
  client: { address: 'ozone.scm.client.address', port: 'ozone.scm.client.port', bindHost: 'ozone.scm.client.bind.host', defaultPort: 9860 },
  block: { address: 'ozone.scm.block.client.address', port: 'ozone.scm.block.client.port', bindHost: 'ozone.scm.block.client.bind.host', defaultPort: 9863 },
  datanode: { address: 'ozone.scm.datanode.address', port: 'ozone.scm.datanode.port', bindHost: 'ozone.scm.datanode.bind.host', defaultPort: 9861 },
  security: { address: 'ozone.scm.security.service.address', port: 'ozone.scm.security.service.port', bindHost: 'ozone.scm.security.service.bind.host', defaultPort: 9961 },
};

export const RATIS_PORT_KEY = 'ozone.scm.ratis.port';
export const RATIS_PORT_DEFAULT = 9894;
export const GRPC_PORT_KEY = 'ozone.scm.grpc.port';
export const GRPC_PORT_DEFAULT = 9895;
export const HTTP_PORT_DEFAULT = 9876;
export const HTTPS_PORT_DEFAULT = 9877;

/** Keys that, present as `<key>.<serviceId>.<nodeId>`, are copied over `<key>` once the local node is known (HND). */
export const NODE_SPECIFIC_KEYS: readonly string[] = [
  'ozone.scm.datanode.address', 'ozone.scm.datanode.port', 'ozone.scm.datanode.bind.host',
  'ozone.scm.block.client.address', 'ozone.scm.block.client.port', 'ozone.scm.block.client.bind.host',
  'ozone.scm.client.address', 'ozone.scm.client.port', 'ozone.scm.client.bind.host',
  'ozone.scm.security.service.address', 'ozone.scm.security.service.port', 'ozone.scm.security.service.bind.host',
  RATIS_PORT_KEY, GRPC_PORT_KEY,
  'ozone.scm.http-bind-host', 'ozone.scm.https-bind-host', 'ozone.scm.http-address', 'ozone.scm.https-address',
  'ozone.scm.db.dirs', 'ozone.scm.address',
];

export function suffixed(key: string, serviceId: string, nodeId: string): string {
  return `${key}.${serviceId}.${nodeId}`;
}
