/**
 * The typed configuration of the local SCM (server, `--init`, `--bootstrap`): topology, the local node
 * with its per-node keys applied (§1.2 "per-node suffixing"), bind hosts, directories (§1.4), timing and
 * sizing. Built from an OzoneConf plus a HostLocality port, so tests drive it without DNS.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config-error.js';
import { K, NODE_SPECIFIC_KEYS, PROTOCOL_KEYS, suffixed, type ScmProtocol } from './config-keys.js';
import type { HostLocality } from './host-locality.js';
import { resolveLocalNode, type LocalNode } from './local-node.js';
import type { OzoneConf } from './ozone-conf.js';
import { readScmTopology, splitHostPort, type ScmNode, type ScmTopology } from './scm-topology.js';
import { parseStorageSize } from './storage-size.js';
import { readRpcLimits, type ListenerName } from './rpc-limits.js';
import type { ConnectionLimits } from '../transport/connection-limits.js';

export interface ScmDirs {
  readonly metadata: string | undefined;
  /** `ozone.scm.db.dirs` → metadata: holds `scm.db/` and `scm/current/VERSION` */
  readonly db: string;
  readonly scmDb: string;
  readonly versionFile: string;
  /** Raft log store root (`ozone.scm.ha.ratis.storage.dir`) — owned by the Raft layer */
  readonly ratis: string;
  /** downloaded checkpoints (`ozone.scm.ha.ratis.snapshot.dir`) */
  readonly snapshot: string;
  /** root of keys and certificates (`hdds.metadata.dir` → `ozone.metadata.dirs`): `<security>/scm/{ca,sub-ca}` */
  readonly security: string | undefined;
}

export interface ScmTiming {
  readonly infoWaitMs: number;
  readonly electionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** `--init` waits this long for the new one-member group to become leader-ready */
  readonly leaderReadyWaitMs: number;
  readonly heartbeatIntervalMs: number;
  readonly staleNodeIntervalMs: number;
  /** `hdds.scm.replication.thread.interval` (Ozone: 300s): how often the leader re-sends close commands */
  readonly replicationIntervalMs: number;
  readonly deadNodeIntervalMs: number;
  readonly failoverRetryIntervalMs: number;
  readonly failoverMaxRetry: number;
  /** `hdds.scmclient.rpc.timeout` (Ozone: 15m): how long a client waits for one SCM to answer one call */
  readonly clientRpcTimeoutMs: number;
}

export interface ScmSizing {
  readonly sequenceIdBatchSize: number;
  readonly containerSizeBytes: number;
  readonly blockSizeBytes: number;
  /** open containers per pipeline before a new one is allocated (`ozone.scm.pipeline.owner.container.count`) */
  readonly containersPerPipeline: number;
  readonly snapshotThreshold: number;
  /**
   * Raft log entries kept behind a snapshot (`ozone.scm.ha.ratis.log.purge.gap`; unset = 500). Members that
   * fall further behind catch up by installing a checkpoint. (Ozone's default of 1,000,000 with purging
   * off keeps the log; our log lives in memory as well, so the default here is small.)
   */
  readonly raftLogKeptEntries: number;
}

export type BindTarget = ScmProtocol | 'ratis' | 'grpc' | 'http' | 'https';

export interface ScmConfig {
  /** the configuration with the local node's suffixed keys copied over the plain ones */
  readonly conf: OzoneConf;
  readonly topology: ScmTopology;
  readonly local: LocalNode;
  /** `ozone.scm.primordial.node.id` (node id or hostname), if set */
  readonly primordialNodeId: string | undefined;
  /** true when a primordial node is configured and it is this node (by node id or host) */
  readonly isPrimordial: boolean;
  /** `ozone.scm.ratis.enable` (default true, as Ozone ≥1.3 for new clusters); false = standalone */
  readonly ratisEnabled: boolean;
  readonly skipBootstrapValidation: boolean;
  /**
   * `ozone.security.enabled`: certificates, join tokens and TLS on every port (the embedded SCM has no
   * Kerberos: a verified certificate is how a caller proves who it is, so TLS is on whatever
   * `hdds.grpc.tls.enabled` says)
   */
  readonly securityEnabled: boolean;
  /** per-listener resource limits (rpc-limits.ts) */
  readonly limits: Readonly<Record<ListenerName, ConnectionLimits>>;
  /** interface to bind each listener on (`<proto>.bind.host`, default 0.0.0.0) */
  readonly bind: Readonly<Record<BindTarget, string>>;
  readonly httpEnabled: boolean;
  readonly dirs: ScmDirs;
  readonly timing: ScmTiming;
  readonly sizing: ScmSizing;
}

export function nodeSpecificOverrides(conf: OzoneConf, serviceId: string, nodeId: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const key of NODE_SPECIFIC_KEYS) {
    const v = conf.get(suffixed(key, serviceId, nodeId));
    if (v !== undefined) out.push([key, v]);
  }
  return out;
}

function nonEmptyDir(path: string): boolean {
  try {
    return readdirSync(path).length > 0;
  } catch {
    return false;
  }
}

export function scmDirs(conf: OzoneConf): ScmDirs {
  const metadata = conf.getList(K.metadataDirs)[0];
  const need = (what: string): string => {
    if (metadata === undefined) {
      throw new ConfigError('CONFIG_NO_METADATA_DIR', `${K.metadataDirs} must be defined (needed for ${what})`, {
        hint: `set ${K.metadataDirs} (or ${what}) in ozone-site.xml`,
      });
    }
    return metadata;
  };
  const db = conf.getList(K.dbDirs)[0] ?? need(K.dbDirs);
  // ≥2.2.0 (HDDS-13866): default <metadata>/scm.ratis, but reuse an existing non-empty scm-ha or ratis dir.
  const ratis =
    conf.get(K.ratisStorageDir) ??
    (() => {
      const m = need(K.ratisStorageDir);
      for (const legacy of ['scm-ha', 'ratis']) if (nonEmptyDir(join(m, legacy))) return join(m, legacy);
      return join(m, 'scm.ratis');
    })();
  const snapshot = conf.get(K.ratisSnapshotDir) ?? join(need(K.ratisSnapshotDir), 'scm.ratis.snapshot');
  return { metadata, db, scmDb: join(db, 'scm.db'), versionFile: join(db, 'scm', 'current', 'VERSION'), ratis, snapshot, security: conf.get(K.hddsMetadataDir) ?? metadata };
}

export function readTiming(conf: OzoneConf): ScmTiming {
  return {
    infoWaitMs: conf.getDurationMs(K.infoWaitDuration, '10m', 's'),
    electionTimeoutMs: conf.getDurationMs(K.electionTimeout, '5s', 'ms'),
    requestTimeoutMs: conf.getDurationMs(K.requestTimeout, '30s', 'ms'),
    leaderReadyWaitMs: conf.getDurationMs(K.leaderReadyWaitTimeout, '60s', 'ms'),
    heartbeatIntervalMs: conf.getDurationMs(K.heartbeatInterval, '30s', 'ms'),
    staleNodeIntervalMs: conf.getDurationMs(K.staleNodeInterval, '5m', 'ms'),
    replicationIntervalMs: conf.getDurationMs(K.replicationInterval, '300s', 'ms'),
    deadNodeIntervalMs: conf.getDurationMs(K.deadNodeInterval, '10m', 'ms'),
    failoverRetryIntervalMs: conf.getDurationMs(K.failoverRetryInterval, '2s', 'ms'),
    failoverMaxRetry: conf.getInt(K.failoverMaxRetry, 15),
    clientRpcTimeoutMs: conf.getDurationMs(K.rpcTimeout, '15m', 'ms'),
  };
}

/**
 * How a client waits for a leader, as Ozone's SCM clients do while an SCM starts or fails over: retry every
 * `hdds.scmclient.failover.retry.interval`, for `ozone.scm.info.wait.duration` in all (at least
 * `hdds.scmclient.failover.max.retry` tries).
 */
export function leaderWait(t: ScmTiming): { readonly retryIntervalMs: number; readonly maxFailovers: number; readonly deadlineMs: number } {
  const retryIntervalMs = t.failoverRetryIntervalMs;
  return { retryIntervalMs, maxFailovers: Math.max(t.failoverMaxRetry, Math.floor(t.infoWaitMs / Math.max(1, retryIntervalMs))), deadlineMs: t.infoWaitMs };
}

export function readSizing(conf: OzoneConf): ScmSizing {
  const sequenceIdBatchSize = conf.getInt(K.sequenceIdBatchSize, 1000);
  if (sequenceIdBatchSize < 1) throw new ConfigError('CONFIG_VALUE', `${K.sequenceIdBatchSize} must be at least 1`);
  return {
    sequenceIdBatchSize,
    containerSizeBytes: parseStorageSize(conf.get(K.containerSize) ?? '5GB', 'b', K.containerSize),
    blockSizeBytes: parseStorageSize(conf.get(K.blockSize) ?? '256MB', 'mb', K.blockSize),
    containersPerPipeline: conf.getInt(K.pipelineOwnerContainerCount, 3),
    snapshotThreshold: conf.getInt(K.snapshotThreshold, 1000),
    raftLogKeptEntries: conf.getInt(K.logPurgeGap, 500),
  };
}

export function isPrimordial(primordial: string | undefined, self: ScmNode): boolean {
  return primordial !== undefined && (primordial === self.nodeId || primordial === self.host);
}

export async function resolveScmConfig(raw: OzoneConf, locality: HostLocality, options: { signal?: AbortSignal } = {}): Promise<ScmConfig> {
  const topology = readScmTopology(raw);
  const local = await resolveLocalNode(topology, raw, locality, options);
  const conf = local.serviceId === undefined ? raw : raw.withOverrides(nodeSpecificOverrides(raw, local.serviceId, local.self.nodeId));
  const bindOf = (key: string): string => conf.getString(key, '0.0.0.0');
  const httpAddr = conf.get(K.httpAddress);
  const httpsAddr = conf.get(K.httpsAddress);
  const primordialNodeId = conf.get(K.primordialNodeId);
  return {
    conf,
    topology,
    local,
    primordialNodeId,
    isPrimordial: isPrimordial(primordialNodeId, local.self),
    ratisEnabled: conf.getBoolean(K.ratisEnable, true),
    skipBootstrapValidation: conf.getBoolean(K.skipBootstrapValidation, false),
    securityEnabled: conf.getBoolean(K.securityEnabled, false),
    limits: readRpcLimits(conf),
    bind: {
      client: bindOf(PROTOCOL_KEYS.client.bindHost),
      block: bindOf(PROTOCOL_KEYS.block.bindHost),
      datanode: bindOf(PROTOCOL_KEYS.datanode.bindHost),
      security: bindOf(PROTOCOL_KEYS.security.bindHost),
      // Ratis and the inter-SCM gRPC service bind all interfaces in Ozone; we bind the configured host,
      // so several SCMs can share one machine on 127.0.0.x (tests, local-ha example).
      ratis: local.self.host,
      grpc: local.self.host,
      http: conf.get(K.httpBindHost) ?? (httpAddr === undefined ? '0.0.0.0' : splitHostPort(httpAddr).host),
      https: conf.get(K.httpsBindHost) ?? (httpsAddr === undefined ? '0.0.0.0' : splitHostPort(httpsAddr).host),
    },
    httpEnabled: conf.getBoolean(K.httpEnabled, true),
    dirs: scmDirs(conf),
    timing: readTiming(conf),
    sizing: readSizing(conf),
  };
}
