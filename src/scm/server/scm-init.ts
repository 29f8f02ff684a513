/**
 * `ozone scm --init [--clusterid UUID]` (§4.1): creates this SCM's identity and storage, idempotently.
 *  - a primordial node is configured and this is not it → "can only be executed on Primordial SCM", success, nothing done;
 *  - already initialised → keep the clusterID (never regenerated; a different --clusterid is ignored, as Ozone does), success;
 *  - fresh → scm.db (with its column families), the snapshot dir, then VERSION (atomically);
 *  - with `ozone.scm.ratis.enable=true` (the default) then the one-member Raft group (Ozone's
 *    initializeRatis): the log store under `<ratis dir>/<cluster uuid>/` gets the member list {self}, the
 *    group is started briefly (no network: a one-member group talks to nobody) until it is leader-ready,
 *    and VERSION is rewritten with `scmHA=true` — the same steps convert an initialised standalone SCM
 *    (VERSION without scmHA; its data becomes the ring's initial snapshot). A crash anywhere leaves a
 *    state the next `--init` (or start) completes; a VERSION that already says scmHA=true is never given
 *    a new group (a bootstrapped SCM waits for the leader to add it).
 * Secure cluster (`ozone.security.enabled`, §7; Ratis required): VERSION gets `scmCertSerialId=2`, then the
 * root CA (`CN=scm@<host>`, serial 1) and the primordial sub-CA (serial 2) are created under
 * `<M>/scm/{ca,sub-ca}/` (never regenerated) and recorded in scm.db by replicated commands proposed through
 * the new group (validCerts, validSCMCerts, CertificateId sequence). Enabling security on an SCM that was
 * initialised without it is refused (Ozone: unsecure → secure HA is not supported).
 */
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../../common/clock.js';
import { silentLogger, type Logger } from '../../common/logger.js';
import { PRIMORDIAL_SUB_CA_SERIAL, ROOT_CA_SERIAL, generateRsaKeyPair, initPrimordialCa, type CaMaterial } from '../ca/certificate-authority.js';
import { issueForKey, profileFor, sansOf } from '../ca/certificate-profiles.js';
import { certificateInfo } from '../ca/forge-x509.js';
import { hasIdentity, identityPaths, saveIdentity } from '../ca/identity-store.js';
import { PRIMORDIAL_ADMIN_SERIAL, adminIdentityDir, primordialCertCommands, securityDir } from '../ca/scm-certificates.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataDirMode, tightenDataDirs } from '../storage/data-dir-permissions.js';
import { privateDir } from '../storage/private-dir.js';
import type { ScmConfig } from '../config/scm-config.js';
import type { ScmCommand } from '../state/commands.js';
import { ensureRaftGroup, markScmHa } from '../replication/raft-group.js';
import { ScmStateStore } from '../replication/scm-state-store.js';
import { verifyLeaderReady } from '../replication/verify-raft-group.js';
import { ScmDb } from '../storage/scm-db.js';
import { SOFTWARE_LAYOUT_VERSION, clusterIdFromUuid, newClusterId, readVersionFile, storageState, writeVersionFile, type ScmVersion } from '../storage/version-file.js';
import { ToolError } from '../tools/tool-error.js';
import type { ToolIo } from '../tools/tool-io.js';

export type InitOutcome =
  | { readonly status: 'skipped-not-primordial' }
  | { readonly status: 'already-initialized'; readonly version: ScmVersion }
  | { readonly status: 'initialized'; readonly version: ScmVersion };

export interface InitOptions {
  readonly clusterIdUuid?: string;
  readonly now?: () => Date;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
}

/**
 * The primordial's admin identity (serial 3, signed by the root CA) under `<M>/scm/admin`: operator tools
 * on this host authenticate with it. Never regenerated; returns its certificate.
 */
function ensureAdminIdentity(metadataDir: string, root: CaMaterial, host: string, clusterId: string, scmUuid: string, io: ToolIo): string {
  const dir = adminIdentityDir(metadataDir);
  if (hasIdentity(dir)) return readFileSync(identityPaths(dir).certificate, 'utf8');
  const keys = generateRsaKeyPair();
  const certPem = issueForKey(root, keys.publicKeyPem, profileFor('admin', host, clusterId, scmUuid), PRIMORDIAL_ADMIN_SERIAL, new Date());
  saveIdentity(dir, keys, { serial: PRIMORDIAL_ADMIN_SERIAL, certPem, chain: [], root: { serial: certificateInfo(root.certPem).serial, pem: root.certPem } });
  io.out(`Admin identity (serial ${PRIMORDIAL_ADMIN_SERIAL}, CN=admin@${host}) is created under ${dir}: operator commands on this host authenticate with it.`);
  return certPem;
}

/** Creates (or completes) the one-member Raft group and records scmHA=true in VERSION. */
async function initializeRatis(config: ScmConfig, version: ScmVersion, io: ToolIo, options: InitOptions): Promise<ScmVersion> {
  const sm = await ScmStateStore.open(config.dirs.scmDb, version.clusterId);
  try {
    let commands: ScmCommand[] = [];
    if (config.securityEnabled) {
      const host = config.local.self.host;
      const ca = initPrimordialCa({ metadataDir: securityDir(config), host, clusterId: version.clusterId, scmUuid: version.scmUuid, sans: sansOf(host) });
      if (ca.created) io.out(`Root CA (serial ${ROOT_CA_SERIAL}, CN=scm@${host}) and the primordial sub-CA (serial ${PRIMORDIAL_SUB_CA_SERIAL}) are created under ${securityDir(config)}/scm.`);
      const adminPem = ensureAdminIdentity(securityDir(config), ca.root, host, version.clusterId, version.scmUuid, io);
      commands = primordialCertCommands(ca.root, ca.sub, adminPem, sm.view);
    }
    const applied = sm.lastApplied();
    const outcome = await ensureRaftGroup(config, version, applied, options.signal ? { signal: options.signal } : {});
    if (outcome === 'converted') io.out(`Converting this SCM to a one-node Raft ring; its data (${applied!.term}#${applied!.index}) becomes the ring's initial snapshot.`);
    const ready = await verifyLeaderReady(config, version, sm, {
      clock: options.clock ?? systemClock,
      logger: options.logger ?? silentLogger,
      timeoutMs: config.timing.leaderReadyWaitMs,
      commands,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    io.out(`Raft group ${version.clusterId.replace(/^CID-/, '')} of this SCM is leader-ready (term ${ready.term}, applied index ${ready.appliedIndex}).`);
  } finally {
    await sm.close();
  }
  return markScmHa(config, version, (options.now ?? (() => new Date()))());
}

/**
 * Without VERSION, any Raft log or key material left in this SCM's directories belongs to an earlier
 * cluster: a new clusterID must never be created next to it (INIT_STALE_DB, nothing changed).
 */
function refuseLeftovers(config: ScmConfig): void {
  const nonEmpty = (dir: string): boolean => {
    try {
      return readdirSync(dir).length > 0;
    } catch {
      return false;
    }
  };
  const leftovers = [config.dirs.ratis, ...(config.dirs.security ? ['ca', 'sub-ca', 'admin'].map((k) => join(config.dirs.security!, 'scm', k)) : [])].filter(nonEmpty);
  if (leftovers.length > 0) {
    throw new ToolError('INIT_STALE_DB', `${config.dirs.versionFile} is missing but ${leftovers.join(', ')} ${leftovers.length === 1 ? 'holds' : 'hold'} state of an earlier SCM; refusing to initialise a new cluster next to it`, {
      hint: 'restore the VERSION file from a backup, or move the old directories away (never delete them) if they really are garbage',
      exitCode: 255,
    });
  }
}

export async function scmInit(config: ScmConfig, io: ToolIo, options: InitOptions = {}): Promise<InitOutcome> {
  const self = config.local.self;
  if (config.primordialNodeId !== undefined && !config.isPrimordial) {
    io.out(`SCM init command can only be executed on Primordial SCM. Primordial SCM ID: ${config.primordialNodeId}. Self ID: ${self.nodeId}.`);
    return { status: 'skipped-not-primordial' };
  }
  const sd = config.dirs.db;
  if (storageState(config.dirs.versionFile) === 'INITIALIZED') {
    let version = readVersionFile(config.dirs.versionFile)!;
    if (options.clusterIdUuid !== undefined && clusterIdFromUuid(options.clusterIdUuid) !== version.clusterId) {
      io.out(`Ignoring --clusterid ${options.clusterIdUuid}: this SCM already belongs to ${version.clusterId}.`);
    }
    if (config.securityEnabled && version.scmCertSerialId === undefined && version.primaryScmNodeId === version.scmUuid) {
      throw new ToolError('INIT_SECURITY_UNSUPPORTED', `this SCM was initialised without security; enabling ozone.security.enabled on an initialised SCM is not supported`, {
        hint: 'keep ozone.security.enabled=false for this cluster, or initialise a new secure cluster',
      });
    }
    if (config.ratisEnabled && version.scmHA !== true) version = await initializeRatis(config, version, io, options);
    tightenDataDirs(config);
    io.out(`SCM already initialized. Reusing existing cluster id for sd=${sd}; cid=${version.clusterId}; layoutVersion=${version.layoutVersion}; HAEnabled=${version.scmHA === true}`);
    return { status: 'already-initialized', version };
  }
  if (config.securityEnabled && !config.ratisEnabled) {
    throw new ToolError('INIT_SECURITY_UNSUPPORTED', 'ozone.security.enabled needs SCM HA (ozone.scm.ratis.enable=true): the CA lives in the Raft ring', {
      hint: 'remove ozone.scm.ratis.enable=false, or disable security',
    });
  }
  const clusterId = options.clusterIdUuid !== undefined ? clusterIdFromUuid(options.clusterIdUuid) : newClusterId();
  refuseLeftovers(config);
  const db = await ScmDb.open(config.dirs.scmDb, { create: true });
  try {
    if (await db.holdsRecords()) {
      throw new ToolError('INIT_STALE_DB', `${config.dirs.scmDb} holds records but ${config.dirs.versionFile} is missing; refusing to initialise a new cluster next to old data`, {
        hint: 'restore the VERSION file from a backup, or move the old scm.db away (never delete it) if it really is garbage',
        exitCode: 255,
      });
    }
  } finally {
    await db.close();
  }
  tightenDataDirs(config);
  privateDir(config.dirs.snapshot, dataDirMode(config));
  if (config.ratisEnabled) privateDir(config.dirs.ratis, dataDirMode(config));
  const scmUuid = randomUUID();
  const now = (options.now ?? (() => new Date()))();
  let version: ScmVersion = {
    nodeType: 'SCM',
    clusterId,
    cTime: now.getTime(),
    layoutVersion: SOFTWARE_LAYOUT_VERSION,
    scmUuid,
    primaryScmNodeId: scmUuid,
    ...(config.securityEnabled ? { scmCertSerialId: PRIMORDIAL_SUB_CA_SERIAL } : {}),
  };
  writeVersionFile(config.dirs.versionFile, version, now);
  if (config.ratisEnabled) version = await initializeRatis(config, version, io, options);
  tightenDataDirs(config);
  io.out(`SCM initialization succeeded. Current cluster id for sd=${sd}; cid=${clusterId}; layoutVersion=${SOFTWARE_LAYOUT_VERSION}; scmId=${scmUuid}`);
  return { status: 'initialized', version };
}
