/**
 * Composition root of a running SCM (`ozone scm`). Opens in order, closes in reverse:
 *   VERSION (must exist) → data directories 0700 → [secure: this SCM's certificate → TLS material for every
 *   port] → ScmStateStore (scm.db) → [Ratis enabled on a standalone-initialised SCM:
 *   convert it to a one-node Raft ring that keeps its data, VERSION gains scmHA=true] → Replicator
 *   (RaftReplicator: Raft log store + Raft port; or StandaloneReplicator) → managers (sequence ids,
 *   nodes, pipelines, blocks, safe mode; join tokens and certificate issuance when secure) → listeners (inter-SCM
 *   9895, datanode 9861, block 9863, client 9860, security 9961, HTTP 9876 or, secure, HTTPS 9877) →
 *   replicator.start() (Raft node; a bootstrapped SCM joins the ring here).
 * Secure mode (`ozone.security.enabled`): every listener is TLS with this SCM's certificate; callers
 * authenticate with certificates of this cluster (only the security port admits a caller without one, to
 * fetch the root CA or present a join token), and security/access-policy.ts decides what each may call.
 * The replicator is chosen by `createReplicator` (tests plug fakes). A failure while opening closes what
 * was opened and rethrows.
 */
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { systemHostLocality, type HostLocality } from '../config/host-locality.js';
import type { ScmConfig } from '../config/scm-config.js';
import type { Replicator } from '../replication/replicator.js';
import { certificateSigner, loadScmCertificates } from '../ca/scm-certificates.js';
import type { StoredIdentity } from '../ca/identity-store.js';
import type { ListenerName as LimitName } from '../config/rpc-limits.js';
import { blockProtocol } from '../protocols/block-protocol.js';
import { clientProtocol } from '../protocols/client-protocol.js';
import { datanodeProtocol } from '../protocols/datanode-protocol.js';
import { interScmProtocol } from '../protocols/inter-scm-protocol.js';
import { securityProtocol } from '../protocols/security-protocol.js';
import { authorizer, type PortProtocols, type RpcPortName } from '../security/access-policy.js';
import { RecordedCertificates } from '../security/recorded-certificates.js';
import { clientTls, identityOfSocket, raftTls, serverTls } from '../security/tls-identities.js';
import { JoinTokenManager } from '../managers/join-token-manager.js';
import { tightenDataDirs } from '../storage/data-dir-permissions.js';
import { K } from '../config/config-keys.js';
import type { Handlers, RpcSecurity } from '../transport/rpc-server.js';
import type { Protocol } from '../transport/protocol-definition.js';
import { ensureRaftGroup, hasRaftState, markScmHa } from '../replication/raft-group.js';
import { RaftReplicator } from '../replication/raft-replicator.js';
import { ScmStateStore } from '../replication/scm-state-store.js';
import { StandaloneReplicator } from '../replication/standalone-replicator.js';
import { blockHandlers } from '../protocol-servers/block-protocol-server.js';
import { clientHandlers } from '../protocol-servers/client-protocol-server.js';
import { datanodeHandlers } from '../protocol-servers/datanode-protocol-server.js';
import { ScmHttpServer } from '../protocol-servers/http-server.js';
import { interScmHandlers } from '../protocol-servers/inter-scm-protocol-server.js';
import { notLeaderMapper } from '../protocol-servers/leader-gate.js';
import { createScmMetrics, type ScmMetrics } from '../protocol-servers/metrics.js';
import type { ScmContext } from '../protocol-servers/scm-context.js';
import { scmStatus } from '../protocol-servers/scm-info.js';
import { securityHandlers } from '../protocol-servers/security-protocol-server.js';
import { ScmServerError } from './server-error.js';
import { ClosingContainerHandler } from '../managers/closing-container-handler.js';
import { BlockManager } from '../managers/block-manager.js';
import { CertificateManager } from '../managers/certificate-manager.js';
import { NodeManager } from '../managers/node-manager.js';
import { PipelineManager } from '../managers/pipeline-manager.js';
import { SequenceIdGenerator } from '../managers/sequence-id-generator.js';
import { readSafeModeConfig } from '../config/safe-mode-config.js';
import { createScmSafeMode } from '../managers/safe-mode-wiring.js';
import { readVersionFile, SOFTWARE_LAYOUT_VERSION, type ScmVersion } from '../storage/version-file.js';
import { RpcServer } from '../transport/rpc-server.js';
import type { RaftTlsOptions } from '../transport/raft-transport.js';
import type { ClientTls } from '../transport/tls-options.js';

export interface ReplicatorContext {
  readonly config: ScmConfig;
  readonly version: ScmVersion;
  readonly stateStore: ScmStateStore;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly onFatal?: (err: Error) => void;
  /** secure mode: mutual TLS for the Raft port, and this SCM's client identity for SCM-to-SCM calls */
  readonly peerTls?: { readonly raft: RaftTlsOptions; readonly rpc: ClientTls };
}

/** Builds the replication layer: Raft when `ozone.scm.ratis.enable` (default), else standalone. */
export type ReplicatorFactory = (ctx: ReplicatorContext, options: { signal?: AbortSignal }) => Promise<Replicator>;

export const defaultReplicatorFactory: ReplicatorFactory = async ({ config, version, stateStore, logger, clock, onFatal, peerTls }, options) => {
  if (!config.ratisEnabled) {
    const self = config.local.self;
    return new StandaloneReplicator(stateStore, { scmUuid: version.scmUuid, host: self.host, ratisPort: self.ports.ratis, nodeId: self.nodeId });
  }
  return RaftReplicator.open({ config, version, stateStore, logger, clock, ...(onFatal ? { onFatal } : {}), ...(peerTls ? { tls: peerTls } : {}) }, options);
};

export type ListenerName = RpcPortName | 'http';

export interface ScmServerOptions {
  readonly config: ScmConfig;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly locality?: HostLocality;
  readonly createReplicator?: ReplicatorFactory;
  /** per-listener port overrides (tests use 0 = ephemeral) */
  readonly portOverrides?: Partial<Record<ListenerName, number>>;
  readonly signal?: AbortSignal;
  /** the replication layer stopped on a fatal error: the owner must close the server and exit */
  readonly onFatal?: (err: Error) => void;
}

export interface ScmServer {
  readonly context: ScmContext;
  readonly addresses: Readonly<Partial<Record<ListenerName, AddressInfo>>>;
  status(): Record<string, unknown>;
  close(): Promise<void>;
}

export async function startScmServer(options: ScmServerOptions): Promise<ScmServer> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const locality = options.locality ?? systemHostLocality;
  const closers: Array<{ name: string; close: () => Promise<void> | void }> = [];
  const closeAll = async (): Promise<void> => {
    for (const c of closers.splice(0).reverse()) {
      try {
        await c.close();
      } catch (err) {
        logger.warn(`closing ${c.name} failed`, { error: (err as Error).message });
      }
    }
  };
  try {
    let version = readVersionFile(config.dirs.versionFile);
    if (!version) {
      throw new ScmServerError('SCM_NOT_INITIALIZED', `SCM not initialized: ${config.dirs.versionFile} does not exist`, {
        hint: 'run ozone scm --init on the primordial SCM, or ozone scm --bootstrap on the others, before starting it',
      });
    }
    if (version.layoutVersion > SOFTWARE_LAYOUT_VERSION) {
      // Ozone's HDDSLayoutVersionManager refuses the same: metadata written by a newer release
      throw new ScmServerError('SCM_LAYOUT_TOO_NEW', `${config.dirs.versionFile} has layoutVersion ${version.layoutVersion}, newer than this release's ${SOFTWARE_LAYOUT_VERSION}: it was written by a newer release`, {
        hint: 'run the release that wrote it (a rollback past a layout upgrade is not possible)',
      });
    }
    if (!config.ratisEnabled && version.scmHA === true) {
      throw new ScmServerError('SCM_HA_MODE_MISMATCH', 'Ratis SCM -> Non Ratis SCM is not supported: this SCM is a Raft member (VERSION scmHA=true) but ozone.scm.ratis.enable=false', {
        hint: 'remove ozone.scm.ratis.enable=false (or set it to true) for this SCM',
      });
    }
    if (!config.ratisEnabled && hasRaftState(config, version.clusterId)) {
      throw new ScmServerError('SCM_HA_MODE_MISMATCH', `Ratis SCM -> Non Ratis SCM is not supported: ${config.dirs.ratis} holds this SCM's Raft log but ozone.scm.ratis.enable=false`, {
        hint: 'remove ozone.scm.ratis.enable=false (or set it to true) for this SCM',
      });
    }
    tightenDataDirs(config);
    // Secure cluster: this SCM's certificate (from --init / --bootstrap) is its identity on every port.
    const own: StoredIdentity | undefined = config.securityEnabled ? loadScmCertificates(config) : undefined;
    if (own && config.conf.get(K.grpcTlsEnabled)?.toLowerCase() === 'false') {
      logger.warn('hdds.grpc.tls.enabled=false is ignored: with ozone.security.enabled every port of this SCM uses TLS (a certificate is how callers authenticate)');
    }
    const stateStore = await ScmStateStore.open(config.dirs.scmDb, version.clusterId);
    closers.push({ name: 'scm.db', close: () => stateStore.close() });
    const recorded = new RecordedCertificates(() => stateStore.snapshotState);
    const isRevoked = (serial: string): boolean => recorded.isRevoked(serial);
    // the ring's members, once the replicator exists (until then: none)
    let members = (): ReadonlySet<string> => new Set<string>();
    const peerTls = own
      ? { raft: raftTls(own, version.clusterId, recorded, () => members()), rpc: clientTls(own, own.rootPem, { clusterId: version.clusterId, sameHost: true, isRevoked }) }
      : undefined;
    if (config.ratisEnabled && version.scmHA !== true) {
      // A standalone-initialised SCM started with Ratis: a one-node ring that keeps its data (§8, HDDS-9897).
      const applied = stateStore.lastApplied();
      const outcome = await ensureRaftGroup(config, version, applied, options.signal ? { signal: options.signal } : {});
      version = markScmHa(config, version);
      logger.info('converted this SCM to a one-node Raft ring', { outcome, snapshot: applied ? `${applied.term}#${applied.index}` : 'none', clusterId: version.clusterId });
    }
    const factory = options.createReplicator ?? defaultReplicatorFactory;
    const replicator = await factory(
      { config, version, stateStore, logger, clock, ...(options.onFatal ? { onFatal: options.onFatal } : {}), ...(peerTls ? { peerTls } : {}) },
      options.signal ? { signal: options.signal } : {},
    );
    closers.push({ name: 'replicator', close: () => replicator.close() });
    members = () => new Set(replicator.status().peers.map((p) => p.scmUuid));

    const state = (): typeof stateStore.snapshotState => stateStore.snapshotState;
    const seq = new SequenceIdGenerator(replicator, state, config.sizing.sequenceIdBatchSize);
    closers.push({ name: 'sequence ids', close: () => seq.close() });
    const nodes = new NodeManager(replicator, clock, { staleMs: config.timing.staleNodeIntervalMs, deadMs: config.timing.deadNodeIntervalMs });
    closers.push({ name: 'nodes', close: () => nodes.close() });
    const pipelines = new PipelineManager(replicator, state, nodes, clock, logger.child({ component: 'pipelines' }));
    closers.push({ name: 'pipelines', close: () => pipelines.close() });
    const blocks = new BlockManager(replicator, state, seq, pipelines, nodes, clock, logger.child({ component: 'blocks' }), {
      containerSizeBytes: config.sizing.containerSizeBytes,
      blockSizeBytes: config.sizing.blockSizeBytes,
      containersPerPipeline: config.sizing.containersPerPipeline,
      pipelineWaitMs: config.timing.requestTimeoutMs,
    });
    closers.push({ name: 'blocks', close: () => blocks.close() });
    const closer = new ClosingContainerHandler(replicator, state, nodes, clock, logger.child({ component: 'replication-manager' }), { intervalMs: config.timing.replicationIntervalMs });
    closers.push({ name: 'replication-manager', close: () => closer.close() });
    // safe mode (Ozone's SCMSafeModeManager): every SCM enters it now and leaves it by its rules
    const safeMode = createScmSafeMode({ config: readSafeModeConfig(config.conf), state, nodes, pipelines, stateStore, replicator, clock, logger: logger.child({ component: 'safemode' }) });
    closers.push({ name: 'safe mode', close: () => safeMode.close() });

    const tokens = own ? new JoinTokenManager(replicator, state, config, own.rootPem, clock, logger.child({ component: 'tokens' })) : undefined;
    const certificates =
      own && tokens
        ? new CertificateManager(replicator, seq, certificateSigner(config, version, own), version.clusterId, version.scmUuid, state, tokens, clock, logger.child({ component: 'certificates' }))
        : undefined;
    let metrics: ScmMetrics | undefined;
    const rpcServers: Array<{ readonly name: string; readonly governor: RpcServer<Protocol>['governor'] }> = [];
    const ctx: ScmContext = {
      certificates,
      tokens,
      leavingMembers: new Set<string>(),
      config,
      version,
      replicator,
      stateStore,
      nodes,
      pipelines,
      blocks,
      safeMode: safeMode.manager,
      clock,
      logger,
      locality,
      get metrics(): ScmMetrics {
        return metrics!;
      },
    };
    metrics = createScmMetrics(() => {
      const s = scmStatus(ctx);
      const raft = replicator.status().raft;
      return {
        term: s.term as number,
        role: s.role as string,
        commitIndex: s.commitIndex as number,
        appliedIndex: s.appliedIndex as number,
        leaderReady: s.leaderReady as boolean,
        ringSize: (s.ring as unknown[]).length,
        snapshotIndex: raft?.snapshotIndex ?? 0,
        snapshotsTaken: raft?.snapshotsTaken ?? 0,
        snapshotsInstalled: raft?.snapshotsInstalled ?? 0,
        checkpointsInstalled: raft?.checkpointsInstalled ?? 0,
        containers: s.containers as Record<string, number>,
        pipelines: s.pipelines as Record<string, number>,
        datanodes: s.datanodes as Record<string, number>,
        inSafeMode: safeMode.manager.inSafeMode(),
        listeners: Object.fromEntries(
          rpcServers.map((r) => [r.name, { open: r.governor.connections, buffered: r.governor.bufferedBytes, refused: r.governor.stats.refusedConnections, idleClosed: r.governor.stats.idleClosed, overBudgetClosed: r.governor.stats.overBudgetClosed }]),
        ),
      };
    });

    const addresses: Partial<Record<ListenerName, AddressInfo>> = {};
    const self = config.local.self;
    const securityOf = (name: RpcPortName): RpcSecurity | undefined =>
      own
        ? {
            tls: serverTls(own, name === 'security' ? 'optional' : 'required'),
            identify: (socket) => identityOfSocket(socket, version.clusterId, recorded),
            authorize: authorizer(name, isRevoked),
          }
        : undefined;
    const bound = async (name: ListenerName | 'https', host: string, port: number, listen: () => Promise<AddressInfo>, close: () => Promise<void>): Promise<AddressInfo> => {
      let address: AddressInfo;
      try {
        address = await listen();
      } catch (err) {
        throw new ScmServerError('SCM_PORT_IN_USE', `cannot listen on ${host}:${port} (${name}): ${(err as Error).message}`, {
          cause: err,
          hint: 'another SCM (or program) uses this address; stop it or change the port in ozone-site.xml',
        });
      }
      closers.push({ name: `${name} listener`, close });
      return address;
    };
    const listen = async <N extends RpcPortName>(name: N, protocol: PortProtocols[N] & Protocol, handlers: Handlers<PortProtocols[N] & Protocol>): Promise<void> => {
      const security = securityOf(name);
      const server = new RpcServer(name, protocol, {
        logger,
        limits: config.limits[name as LimitName],
        errorMapper: notLeaderMapper(ctx, name),
        onCall: (method, outcome, seconds) => metrics!.observeRpc(name, method, outcome, seconds),
        ...(security ? { security } : {}),
      }).serve(handlers);
      rpcServers.push(server);
      const host = config.bind[name];
      const port = options.portOverrides?.[name] ?? self.ports[name];
      addresses[name] = await bound(name, host, port, () => server.listen(host, port), () => server.close());
    };
    await listen('grpc', interScmProtocol, interScmHandlers(ctx));
    await listen('datanode', datanodeProtocol, datanodeHandlers(ctx));
    await listen('block', blockProtocol, blockHandlers(ctx));
    await listen('client', clientProtocol, clientHandlers(ctx));
    await listen('security', securityProtocol, securityHandlers(ctx));
    if (config.httpEnabled) {
      const http = new ScmHttpServer(
        { prom: () => metrics!.render(), status: () => scmStatus(ctx) },
        { limits: config.limits.http, ...(own ? { security: { tls: serverTls(own, 'required'), identify: (s) => identityOfSocket(s, version.clusterId, recorded) } } : {}) },
      );
      // secure mode: HTTPS only (Ozone's HTTPS_ONLY); /status is not served in plain text to anyone
      const [host, port] = own ? [config.bind.https, options.portOverrides?.http ?? self.ports.https] : [config.bind.http, options.portOverrides?.http ?? self.ports.http];
      addresses.http = await bound(own ? 'https' : 'http', host, port, () => http.listen(host, port), () => http.close());
    }
    await replicator.start(options.signal ? { signal: options.signal } : {});
    logger.info('SCM started', {
      scmUuid: version.scmUuid,
      clusterId: version.clusterId,
      nodeId: self.nodeId,
      mode: replicator.mode,
      role: replicator.role(),
      applied: stateStore.lastApplied() ? `${stateStore.lastApplied()!.term}#${stateStore.lastApplied()!.index}` : 'none',
      ports: Object.entries(addresses).map(([k, a]) => `${k}=${a!.address}:${a!.port}`).join(','),
    });
    let closing: Promise<void> | undefined;
    return {
      context: ctx,
      addresses,
      status: () => scmStatus(ctx),
      close: () => (closing ??= closeAll().then(() => logger.info('SCM stopped', { scmUuid: version.scmUuid }))),
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
