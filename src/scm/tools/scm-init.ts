/**
 * `ozone scm --init [--clusterid UUID]` (§4.1): creates this SCM's identity and storage, idempotently.
 *  - a primordial node is configured and this is not it → "can only be executed on Primordial SCM", success, nothing done;
 *  - already initialised → keep the clusterID (never regenerated; a different --clusterid is ignored, as Ozone does), success;
 *  - fresh → scm.db (with its column families), the Raft storage and snapshot dirs, then VERSION last
 *    (atomically), so a crash leaves either no VERSION (init can simply run again) or a complete SCM.
 * With `ozone.scm.ratis.enable=true` the VERSION is written without `scmHA`: the Raft layer turns the
 * SCM into a one-member ring at its first start (Ozone ≥2.0 converts such an SCM the same way).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { ScmConfig } from '../config/scm-config.js';
import { ScmDb } from '../storage/scm-db.js';
import { SOFTWARE_LAYOUT_VERSION, clusterIdFromUuid, newClusterId, readVersionFile, storageState, writeVersionFile, type ScmVersion } from '../storage/version-file.js';
import { ToolError } from './tool-error.js';
import type { ToolIo } from './tool-io.js';

export type InitOutcome =
  | { readonly status: 'skipped-not-primordial' }
  | { readonly status: 'already-initialized'; readonly version: ScmVersion }
  | { readonly status: 'initialized'; readonly version: ScmVersion };

export async function scmInit(config: ScmConfig, io: ToolIo, options: { clusterIdUuid?: string; now?: () => Date } = {}): Promise<InitOutcome> {
  const self = config.local.self;
  if (config.primordialNodeId !== undefined && !config.isPrimordial) {
    io.out(`SCM init command can only be executed on Primordial SCM. Primordial SCM ID: ${config.primordialNodeId}. Self ID: ${self.nodeId}.`);
    return { status: 'skipped-not-primordial' };
  }
  const sd = config.dirs.db;
  if (storageState(config.dirs.versionFile) === 'INITIALIZED') {
    const version = readVersionFile(config.dirs.versionFile)!;
    if (options.clusterIdUuid !== undefined && clusterIdFromUuid(options.clusterIdUuid) !== version.clusterId) {
      io.out(`Ignoring --clusterid ${options.clusterIdUuid}: this SCM already belongs to ${version.clusterId}.`);
    }
    io.out(`SCM already initialized. Reusing existing cluster id for sd=${sd}; cid=${version.clusterId}; layoutVersion=${version.layoutVersion}; HAEnabled=${version.scmHA === true}`);
    return { status: 'already-initialized', version };
  }
  const clusterId = options.clusterIdUuid !== undefined ? clusterIdFromUuid(options.clusterIdUuid) : newClusterId();
  const db = await ScmDb.open(config.dirs.scmDb, { create: true });
  try {
    if ((await db.transactionInfo()) !== undefined) {
      throw new ToolError('INIT_STALE_DB', `${config.dirs.scmDb} holds applied data but ${config.dirs.versionFile} is missing; refusing to initialise over it`, {
        hint: 'restore the VERSION file from a backup, or move the old scm.db away if it really is garbage',
        exitCode: 255,
      });
    }
  } finally {
    await db.close();
  }
  mkdirSync(config.dirs.snapshot, { recursive: true });
  if (config.ratisEnabled) mkdirSync(config.dirs.ratis, { recursive: true });
  const scmUuid = randomUUID();
  const now = (options.now ?? (() => new Date()))();
  const version: ScmVersion = { nodeType: 'SCM', clusterId, cTime: now.getTime(), layoutVersion: SOFTWARE_LAYOUT_VERSION, scmUuid, primaryScmNodeId: scmUuid };
  writeVersionFile(config.dirs.versionFile, version, now);
  io.out(`SCM initialization succeeded. Current cluster id for sd=${sd}; cid=${clusterId}; layoutVersion=${SOFTWARE_LAYOUT_VERSION}; scmId=${scmUuid}`);
  if (config.ratisEnabled) io.out('The one-member Raft ring of this SCM is created at its first start.');
  return { status: 'initialized', version };
}
