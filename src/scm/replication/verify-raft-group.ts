/**
 * `--init`'s check that the one-member Raft group it created works (Ozone's initializeRatis: start the
 * Ratis server, wait up to `ozone.scm.ha.ratis.leader.ready.wait.timeout` for leader-ready, stop it).
 * The node runs with a NoPeerTransport: a one-member group exchanges no messages, so no port is bound.
 * Leader-ready = a ReadIndex barrier resolved (an entry of the new term committed and everything before
 * it applied). Fails with REPLICATION_FAILED "Ratis group <id> is not ready in <ms> ms".
 * `commands` are then proposed through the group in order (the primordial's CA certificates on a secure
 * cluster: scm.db changes only by applying replicated commands, even at --init); a rejected one fails.
 */
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { ScmConfig } from '../config/scm-config.js';
import { startRaftNode } from '../driver/raft-node.js';
import { nodeId } from '../raft/types.js';
import { encodeCommand } from '../state/command-codec.js';
import type { ScmCommand } from '../state/commands.js';
import { openRaftLogStore } from '../storage/raft-log-store.js';
import type { ScmVersion } from '../storage/version-file.js';
import { NoPeerTransport } from './no-peer-transport.js';
import { raftAddressOf, raftGroupId, raftStoreLocation } from './raft-group.js';
import { ReplicationError } from './replication-error.js';
import { ScmStateMachine } from './scm-state-machine.js';
import type { ScmStateStore } from './scm-state-store.js';

export async function verifyLeaderReady(
  config: ScmConfig,
  version: ScmVersion,
  stateStore: ScmStateStore,
  options: { clock: Clock; logger: Logger; timeoutMs: number; signal?: AbortSignal; commands?: readonly ScmCommand[] },
): Promise<{ term: number; appliedIndex: number }> {
  const id = nodeId(version.scmUuid);
  const groupId = raftGroupId(version.clusterId);
  const store = await openRaftLogStore(raftStoreLocation(config, version.clusterId), { groupId, nodeId: id }, options.signal ? { signal: options.signal } : {});
  const transport = new NoPeerTransport(raftAddressOf(config.local.self));
  try {
    const machine = new ScmStateMachine(stateStore, {
      clusterId: version.clusterId,
      snapshotDir: config.dirs.snapshot,
      clock: options.clock,
      logger: options.logger,
      checkpointSources: () => [],
    });
    const node = await startRaftNode({ id, groupId, store, applier: machine, transport, clock: options.clock, logger: options.logger, electionTimeoutMs: config.timing.electionTimeoutMs });
    try {
      const timeout = AbortSignal.timeout(options.timeoutMs);
      try {
        await node.readBarrier({ signal: AbortSignal.any([timeout, ...(options.signal ? [options.signal] : [])]) });
      } catch (err) {
        if (timeout.aborted) throw new ReplicationError('REPLICATION_FAILED', `Ratis group ${groupId} is not ready in ${options.timeoutMs} ms`, { cause: err });
        throw err;
      }
      for (const c of options.commands ?? []) {
        const r = await node.propose(encodeCommand(c), options.signal ? { signal: options.signal } : {});
        if (!r.ok) throw new ReplicationError('REPLICATION_FAILED', `${c.type} was rejected at --init: ${r.code}: ${r.message}`);
      }
      const st = node.status();
      return { term: st.term, appliedIndex: st.appliedIndex };
    } finally {
      await node.close();
    }
  } finally {
    await transport.close();
    await store.close();
  }
}
