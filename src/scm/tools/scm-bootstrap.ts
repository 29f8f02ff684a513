/**
 * `ozone scm --bootstrap` (§4.2): joins an existing cluster's identity.
 *  - this is the primordial node → "can only be executed in non-Primordial SCM", success, nothing done;
 *  - Ratis disabled → "Bootstrap is not supported without SCM HA.", failure (exit 255);
 *  - initialised and `ozone.scm.skip.bootstrap.validation=true` → success without asking anyone;
 *  - otherwise ask the leader (`getScmInfo` on the block port of the OTHER configured SCMs, following
 *    NotLeader hints, retrying up to `ozone.scm.info.wait.duration`):
 *      initialised with another clusterID → Ozone's message, failure (exit 255), nothing on disk changed;
 *      initialised with the same one → success; fresh → scm.db + dirs, then VERSION with the leader's
 *      clusterID, scmHA=true and primaryScmNodeId = the answering SCM. The node joins the ring at its
 *      first start (addSCM), not here.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { Clock } from '../../common/clock.js';
import type { ScmConfig } from '../config/scm-config.js';
import { ScmDb } from '../storage/scm-db.js';
import { SOFTWARE_LAYOUT_VERSION, readVersionFile, storageState, writeVersionFile, type ScmVersion } from '../storage/version-file.js';
import { FailoverRpcClient } from '../transport/rpc-failover-client.js';
import { ToolError } from './tool-error.js';
import type { ToolIo } from './tool-io.js';

export type BootstrapOutcome =
  | { readonly status: 'skipped-primordial' }
  | { readonly status: 'skipped-validation'; readonly version: ScmVersion }
  | { readonly status: 'already-bootstrapped'; readonly version: ScmVersion }
  | { readonly status: 'bootstrapped'; readonly version: ScmVersion };

export async function scmBootstrap(config: ScmConfig, io: ToolIo, options: { clock?: Clock; signal?: AbortSignal; now?: () => Date } = {}): Promise<BootstrapOutcome> {
  const self = config.local.self;
  if (config.primordialNodeId !== undefined && config.isPrimordial) {
    io.out(`SCM bootstrap command can only be executed in non-Primordial SCM ${self.nodeId}, primordial SCM ${config.primordialNodeId}. Ignoring it.`);
    return { status: 'skipped-primordial' };
  }
  if (!config.ratisEnabled) {
    throw new ToolError('BOOTSTRAP_FAILED', 'Bootstrap is not supported without SCM HA.', { hint: 'set ozone.scm.ratis.enable=true (or remove it) to bootstrap this SCM', exitCode: 255 });
  }
  const initialized = storageState(config.dirs.versionFile) === 'INITIALIZED';
  const existing = initialized ? readVersionFile(config.dirs.versionFile)! : undefined;
  if (existing && config.skipBootstrapValidation) {
    io.out(`SCM already initialized with cluster id ${existing.clusterId}; skipping bootstrap validation (ozone.scm.skip.bootstrap.validation=true).`);
    return { status: 'skipped-validation', version: existing };
  }
  if (config.local.peers.length === 0) {
    throw new ToolError('BOOTSTRAP_NO_PEERS', `no other SCM is configured in ozone.scm.nodes.${config.local.serviceId ?? '<service>'}; nothing to bootstrap from`, { exitCode: 255 });
  }
  const interval = config.timing.failoverRetryIntervalMs;
  const client = new FailoverRpcClient(
    config.local.peers.map((p) => ({ nodeId: p.nodeId, host: p.host, port: p.ports.block })),
    {
      retryIntervalMs: interval,
      maxFailovers: Math.max(config.timing.failoverMaxRetry, Math.floor(config.timing.infoWaitMs / Math.max(1, interval))),
      deadlineMs: config.timing.infoWaitMs,
      callTimeoutMs: Math.min(config.timing.requestTimeoutMs, 30_000),
      ...(options.clock ? { clock: options.clock } : {}),
      onFailover: (from, to, reason) => io.err(`Failing over from ${from.nodeId} (${from.host}:${from.port}) to ${to.nodeId}: ${reason.message}`),
    },
  );
  let info: { clusterId: string; scmId: string };
  try {
    info = await client.call<{ clusterId: string; scmId: string }>('getScmInfo', {}, options.signal ? { signal: options.signal } : {});
  } catch (err) {
    throw new ToolError('BOOTSTRAP_FAILED', `Failed to get SCM info from the leader: ${(err as Error).message}`, { cause: err, exitCode: 255 });
  } finally {
    await client.close();
  }
  if (existing) {
    if (existing.clusterId !== info.clusterId) {
      throw new ToolError(
        'BOOTSTRAP_CLUSTER_ID_MISMATCH',
        `Could not bootstrap as SCM is already initialized with cluster id ${existing.clusterId} but cluster id for existing leader SCM instance is ${info.clusterId}`,
        { hint: 'this node belongs to another cluster: fix ozone-site.xml, or move its metadata away deliberately', exitCode: 255 },
      );
    }
    io.out(`SCM already bootstrapped: cluster id ${existing.clusterId} matches the leader's.`);
    return { status: 'already-bootstrapped', version: existing };
  }
  const db = await ScmDb.open(config.dirs.scmDb, { create: true });
  await db.close();
  mkdirSync(config.dirs.ratis, { recursive: true });
  mkdirSync(config.dirs.snapshot, { recursive: true });
  const now = (options.now ?? (() => new Date()))();
  const version: ScmVersion = {
    nodeType: 'SCM',
    clusterId: info.clusterId,
    cTime: now.getTime(),
    layoutVersion: SOFTWARE_LAYOUT_VERSION,
    scmUuid: randomUUID(),
    scmHA: true,
    primaryScmNodeId: info.scmId,
  };
  writeVersionFile(config.dirs.versionFile, version, now);
  io.out(`SCM BootStrap is successful for ClusterID ${version.clusterId}, SCMID ${version.scmUuid}`);
  return { status: 'bootstrapped', version };
}
