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
 * Secure cluster (`ozone.security.enabled`, §7): before VERSION is written, a fresh SCM generates its key
 * pair and a CSR (`CN=scm-sub@<host>, OU=<scmUuid>, O=<clusterId>`, CA, its host as SAN), has the leader
 * sign it (`getSCMCertChain` on the security port, following hints), verifies the chain up to the root and
 * saves key, certificate, chain and root under `<M>/scm/sub-ca/`; VERSION records `scmCertSerialId`.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { Clock } from '../../common/clock.js';
import { generateRsaKeyPair } from '../ca/certificate-authority.js';
import { certificateInfo, createCsr, verifyChain } from '../ca/forge-x509.js';
import { sansOf, saveIssuedScmCertificate, type IssuedCertificate } from '../ca/scm-certificates.js';
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

/** Key pair + CSR, signed by the leader; saves the material and returns the certificate's serial. */
async function obtainScmCertificate(config: ScmConfig, clusterId: string, scmUuid: string, io: ToolIo, options: { clock?: Clock; signal?: AbortSignal }): Promise<string> {
  const host = config.local.self.host;
  const keys = generateRsaKeyPair();
  const csr = createCsr({ CN: `scm-sub@${host}`, OU: scmUuid, O: clusterId }, keys.publicKeyPem, keys.privateKeyPem, { isCa: true, sans: sansOf(host) });
  const interval = config.timing.failoverRetryIntervalMs;
  const client = new FailoverRpcClient(
    config.local.peers.map((p) => ({ nodeId: p.nodeId, host: p.host, port: p.ports.security })),
    {
      retryIntervalMs: interval,
      maxFailovers: Math.max(config.timing.failoverMaxRetry, Math.floor(config.timing.infoWaitMs / Math.max(1, interval))),
      deadlineMs: config.timing.infoWaitMs,
      callTimeoutMs: Math.min(config.timing.requestTimeoutMs, 30_000),
      ...(options.clock ? { clock: options.clock } : {}),
    },
  );
  let issued: IssuedCertificate;
  try {
    issued = await client.call<IssuedCertificate>('getSCMCertChain', { csr, clusterId }, options.signal ? { signal: options.signal } : {});
  } catch (err) {
    throw new ToolError('BOOTSTRAP_FAILED', `Failed to get the SCM certificate signed by the leader: ${(err as Error).message}`, { cause: err, exitCode: 255 });
  } finally {
    await client.close();
  }
  if (!verifyChain([issued.certPem, ...issued.chain.map((c) => c.pem)], [issued.root.pem]) || certificateInfo(issued.certPem).subject.OU !== scmUuid) {
    throw new ToolError('BOOTSTRAP_FAILED', 'the certificate returned by the leader does not verify up to its root CA or is not ours', { exitCode: 255 });
  }
  saveIssuedScmCertificate(config, keys, issued);
  io.out(`SCM sub-CA certificate ${issued.serial} issued by ${certificateInfo(issued.certPem).issuer.CN} (root ${certificateInfo(issued.root.pem).subject.CN}).`);
  return issued.serial;
}

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
  const scmUuid = randomUUID();
  const scmCertSerialId = config.securityEnabled ? await obtainScmCertificate(config, info.clusterId, scmUuid, io, options) : undefined;
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
    scmUuid,
    scmHA: true,
    primaryScmNodeId: info.scmId,
    ...(scmCertSerialId === undefined ? {} : { scmCertSerialId }),
  };
  writeVersionFile(config.dirs.versionFile, version, now);
  io.out(`SCM BootStrap is successful for ClusterID ${version.clusterId}, SCMID ${version.scmUuid}`);
  return { status: 'bootstrapped', version };
}
