/**
 * `ozone scm --bootstrap [--token-file F|- --ca-cert-hash sha256:…]` (§4.2): joins an existing cluster's
 * identity.
 *  - this is the primordial node → "can only be executed in non-Primordial SCM", success, nothing done;
 *  - Ratis disabled → "Bootstrap is not supported without SCM HA.", failure (exit 255);
 *  - initialised and `ozone.scm.skip.bootstrap.validation=true` → success without asking anyone;
 *  - initialised → ask the leader for its clusterID (`getScmInfo` on the block port of every configured
 *    SCM, this one included, so that it is a no-op also when this SCM leads; secure: authenticated with
 *    this SCM's own certificate): another clusterID → Ozone's message, failure (exit 255), nothing on disk
 *    changed; the same → success;
 *  - fresh, security off → `getScmInfo` from the other SCMs (following NotLeader hints, retrying up to
 *    `ozone.scm.info.wait.duration`), then scm.db + dirs and VERSION with the leader's clusterID,
 *    scmHA=true and primaryScmNodeId = the SCM that answered;
 *  - fresh, secure → a join token and the pinned root CA hash are required (BOOTSTRAP_NEEDS_TOKEN): the
 *    root is fetched and checked against the pin, then the token and two certificate requests (this SCM's
 *    sub-CA with a fresh scmUuid as OU, and the admin identity of this host) go to the leader over TLS
 *    verified against that root (tools/secure-join.ts); the leader's answer carries the clusterID. Key,
 *    certificates, chain and root are saved under `<M>/scm/sub-ca` and `<M>/scm/admin` (0700/0600) before
 *    VERSION (with `scmCertSerialId`) is written.
 * The node joins the ring at its first start (addSCM), not here.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../common/clock.js';
import { certificateInfo } from '../ca/forge-x509.js';
import { saveIdentity, type IssuedCertificate } from '../ca/identity-store.js';
import { adminIdentityDir, loadScmCertificates, saveIssuedScmCertificate, securityDir } from '../ca/scm-certificates.js';
import type { ScmConfig } from '../config/scm-config.js';
import { endpointsOf } from '../config/scm-topology.js';
import type { BlockProtocol } from '../protocols/block-protocol.js';
import { parseCaCertHash } from '../security/ca-pin.js';
import { clientTls } from '../security/tls-identities.js';
import { dataDirMode, tightenDataDirs } from '../storage/data-dir-permissions.js';
import { privateDir } from '../storage/private-dir.js';
import { ScmDb } from '../storage/scm-db.js';
import { SOFTWARE_LAYOUT_VERSION, readVersionFile, storageState, writeVersionFile, type ScmVersion } from '../storage/version-file.js';
import type { RpcEndpoint } from '../transport/rpc-endpoint.js';
import { FailoverRpcClient } from '../transport/rpc-failover-client.js';
import type { ClientTls } from '../transport/tls-options.js';
import { fetchPinnedRoot, joinClientOptions, requestScmIdentity, type JoinClientOptions } from '../tools/secure-join.js';
import { ToolError } from '../tools/tool-error.js';
import type { ToolIo } from '../tools/tool-io.js';

export type BootstrapOutcome =
  | { readonly status: 'skipped-primordial' }
  | { readonly status: 'skipped-validation'; readonly version: ScmVersion }
  | { readonly status: 'already-bootstrapped'; readonly version: ScmVersion }
  | { readonly status: 'bootstrapped'; readonly version: ScmVersion };

export interface BootstrapOptions {
  readonly clock?: Clock;
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
  /** secure mode: the join token (read from a 0600 file or stdin by the caller; never argv) */
  readonly token?: string;
  /** secure mode: `sha256:<hex>` of the cluster's root CA public key */
  readonly caCertHash?: string;
}

async function scmInfo(endpoints: readonly RpcEndpoint[], tls: ClientTls | undefined, o: JoinClientOptions): Promise<{ clusterId: string; scmId: string }> {
  const { signal, ...rest } = o;
  const client = new FailoverRpcClient<BlockProtocol>(endpoints, { ...rest, ...(tls ? { tls } : {}) });
  try {
    return await client.call('getScmInfo', {}, signal ? { signal } : {});
  } catch (err) {
    throw new ToolError('BOOTSTRAP_FAILED', `Failed to get SCM info from the leader: ${(err as Error).message}`, { cause: err, exitCode: 255 });
  } finally {
    await client.close();
  }
}

/** Secure, fresh node: pinned root → token + requests → saved identities. Returns clusterId, answering SCM and serial. */
async function secureJoin(config: ScmConfig, scmUuid: string, io: ToolIo, o: BootstrapOptions): Promise<{ clusterId: string; scmId: string; serial: string }> {
  if (o.token === undefined || o.caCertHash === undefined) {
    throw new ToolError('BOOTSTRAP_NEEDS_TOKEN', 'this cluster is secure: --bootstrap needs a join token (--token-file FILE, or - for stdin) and the root CA hash (--ca-cert-hash sha256:…)', {
      hint: `on a running SCM: ozone admin scm token create --type scm --node-id ${config.local.self.nodeId}; it prints the hash and the token`,
      exitCode: 255,
    });
  }
  const join = joinClientOptions(config.timing, io, o);
  const host = config.local.self.host;
  try {
    const pin = parseCaCertHash(o.caCertHash);
    const root = await fetchPinnedRoot(endpointsOf(config.local.peers, 'security'), pin, join);
    const { issued, scmKeys, adminKeys } = await requestScmIdentity(endpointsOf(config.local.peers, 'security'), root, { token: o.token, host, scmUuid }, join);
    saveIdentity(adminIdentityDir(securityDir(config)), adminKeys, issued.admin);
    saveIssuedScmCertificate(config, scmKeys, issued.scm);
    io.out(`SCM sub-CA certificate ${issued.scm.serial} issued by ${issuerCn(issued.scm)} (root ${rootCn(issued.scm)}); admin identity ${issued.admin.serial} for ${host}.`);
    return { clusterId: issued.clusterId, scmId: issued.scmId, serial: issued.scm.serial };
  } catch (err) {
    if (err instanceof ToolError) throw err;
    throw new ToolError('BOOTSTRAP_FAILED', `Failed to get the SCM certificate signed by the leader: ${(err as Error).message}`, {
      cause: err,
      ...((err as { hint?: string }).hint ? { hint: (err as { hint?: string }).hint! } : {}),
      exitCode: 255,
    });
  }
}

/** The CN of the certificate that signed `c` (its first chain element, or the root), and of the root. */
function issuerCn(c: IssuedCertificate): string {
  return certificateInfo(c.chain[0]?.pem ?? c.root.pem).subject.CN;
}
function rootCn(c: IssuedCertificate): string {
  return certificateInfo(c.root.pem).subject.CN;
}

export async function scmBootstrap(config: ScmConfig, io: ToolIo, options: BootstrapOptions = {}): Promise<BootstrapOutcome> {
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
  if (existing) {
    // every configured SCM, this one included: when this SCM leads, it answers itself
    const own = config.securityEnabled ? loadScmCertificates(config) : undefined;
    const info = await scmInfo(endpointsOf(config.local.nodes, 'block'), own ? clientTls(own, own.rootPem, { clusterId: existing.clusterId, sameHost: true }) : undefined, joinClientOptions(config.timing, io, options));
    if (existing.clusterId !== info.clusterId) {
      throw new ToolError(
        'BOOTSTRAP_CLUSTER_ID_MISMATCH',
        `Could not bootstrap as SCM is already initialized with cluster id ${existing.clusterId} but cluster id for existing leader SCM instance is ${info.clusterId}`,
        { hint: 'this node belongs to another cluster: fix ozone-site.xml, or move its metadata away deliberately', exitCode: 255 },
      );
    }
    tightenDataDirs(config);
    io.out(`SCM already bootstrapped: cluster id ${existing.clusterId} matches the leader's.`);
    return { status: 'already-bootstrapped', version: existing };
  }
  if (config.local.peers.length === 0) {
    throw new ToolError('BOOTSTRAP_NO_PEERS', `no other SCM is configured in ozone.scm.nodes.${config.local.serviceId ?? '<service>'}; nothing to bootstrap from`, { exitCode: 255 });
  }
  const scmUuid = randomUUID();
  const joined = config.securityEnabled ? await secureJoin(config, scmUuid, io, options) : { ...(await scmInfo(endpointsOf(config.local.peers, 'block'), undefined, joinClientOptions(config.timing, io, options))), serial: undefined };
  const mode = dataDirMode(config);
  const db = await ScmDb.open(config.dirs.scmDb, { create: true });
  await db.close();
  privateDir(config.dirs.ratis, mode);
  privateDir(config.dirs.snapshot, mode);
  const now = (options.now ?? (() => new Date()))();
  const version: ScmVersion = {
    nodeType: 'SCM',
    clusterId: joined.clusterId,
    cTime: now.getTime(),
    layoutVersion: SOFTWARE_LAYOUT_VERSION,
    scmUuid,
    scmHA: true,
    primaryScmNodeId: joined.scmId,
    ...(joined.serial === undefined ? {} : { scmCertSerialId: joined.serial }),
  };
  writeVersionFile(config.dirs.versionFile, version, now);
  tightenDataDirs(config);
  io.out(`SCM BootStrap is successful for ClusterID ${version.clusterId}, SCMID ${version.scmUuid}`);
  return { status: 'bootstrapped', version };
}
