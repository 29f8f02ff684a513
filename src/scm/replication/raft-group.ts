/**
 * Where and how an SCM's Raft group lives (§2.8, §4.1, §8): group id = the clusterID's UUID (without
 * `CID-`), peer id = scmUuid, peer address = `<configured host>:<ratis port>`, log store under
 * `<ozone.scm.ha.ratis.storage.dir>/<group uuid>/`.
 *
 * `ensureRaftGroup` is the one place a group is created, for `--init` and for converting a standalone SCM
 * at start-up (Ozone ≥2.0 converts at either):
 *   store already holds state          → nothing (idempotent; a half-finished conversion just continues);
 *   scm.db has applied nothing          → a new one-member group (log entry 1 = self as voter);
 *   scm.db holds data at `term#index`   → a one-member group whose log starts after a snapshot at that
 *                                         index (Raft term ≥ 1), so members added later get the data as a
 *                                         checkpoint (snapshot install), never by replaying from index 1.
 * It never touches a store when VERSION already says `scmHA=true` without one: that is a bootstrapped
 * SCM waiting to be added by the leader, and a group created there would split the cluster.
 * `markScmHa` then records the conversion in VERSION (atomic write); a crash in between is harmless.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatHostPort, type ScmNode } from '../config/scm-topology.js';
import type { ScmConfig } from '../config/scm-config.js';
import { bootstrapFromSnapshot, bootstrapNewGroup } from '../driver/group-bootstrap.js';
import { nodeId } from '../raft/types.js';
import { openRaftLogStore } from '../storage/raft-log-store.js';
import type { TransactionInfo } from '../storage/transaction-info.js';
import { CLUSTER_ID_PREFIX, writeVersionFile, type ScmVersion } from '../storage/version-file.js';
import { encodeSnapshotDescriptor } from './snapshot-descriptor.js';

export function raftGroupId(clusterId: string): string {
  return clusterId.startsWith(CLUSTER_ID_PREFIX) ? clusterId.slice(CLUSTER_ID_PREFIX.length) : clusterId;
}

export function raftStoreLocation(config: ScmConfig, clusterId: string): string {
  return join(config.dirs.ratis, raftGroupId(clusterId));
}

export function raftAddressOf(node: ScmNode): string {
  return formatHostPort(node.host, node.ports.ratis);
}

/** True if this SCM has Raft state for its cluster (a standalone start must then be refused). */
export function hasRaftState(config: ScmConfig, clusterId: string): boolean {
  const dir = raftStoreLocation(config, clusterId);
  try {
    return existsSync(dir) && readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}

export type GroupOutcome = 'existing' | 'created' | 'converted';

export async function ensureRaftGroup(
  config: ScmConfig,
  version: ScmVersion,
  applied: TransactionInfo | undefined,
  options: { signal?: AbortSignal } = {},
): Promise<GroupOutcome> {
  const id = nodeId(version.scmUuid);
  const groupId = raftGroupId(version.clusterId);
  const store = await openRaftLogStore(raftStoreLocation(config, version.clusterId), { groupId, nodeId: id }, options);
  try {
    if (!(await store.isEmpty())) return 'existing';
    const self = { id, address: raftAddressOf(config.local.self) };
    if (applied === undefined || applied.index === 0) {
      await bootstrapNewGroup(store, self, options);
      return 'created';
    }
    const term = Math.max(1, applied.term);
    await bootstrapFromSnapshot(store, self, { index: applied.index, term, data: encodeSnapshotDescriptor({ index: applied.index, term, clusterId: version.clusterId }) }, options);
    return 'converted';
  } finally {
    await store.close();
  }
}

/** VERSION with `scmHA=true` (and `primaryScmNodeId` = self if none was recorded), written atomically. */
export function markScmHa(config: ScmConfig, version: ScmVersion, now: Date = new Date()): ScmVersion {
  const next: ScmVersion = { ...version, scmHA: true, primaryScmNodeId: version.primaryScmNodeId ?? version.scmUuid };
  writeVersionFile(config.dirs.versionFile, next, now);
  return next;
}
