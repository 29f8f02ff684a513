/**
 * The replication port: the ONLY way the server changes replicated state. StandaloneReplicator
 * applies locally (term 0); RaftReplicator proposes through the Raft driver and resolves once the entry
 * is applied by the ScmStateStore on this node. Domain, storage and tools do
 * not change when the implementation does.
 *
 * Contract for implementations:
 *  - `submit` resolves with the deterministic CommandResult of applying the command on THIS node (so the
 *    caller may read the state view right after); it rejects with NotLeaderError (carrying the leader
 *    hint when known) if this node is not the leader, REPLICATION_TIMEOUT after the request timeout,
 *    REPLICATION_ABORTED when the signal fires before the command was handed to the log, and
 *    REPLICATION_CLOSED after close(). A command aborted after hand-off may still be applied.
 *  - `role()`/`term()`/`leaderHint()` are cheap, synchronous reads of the latest known state.
 *  - `isLeaderReady()` is true only when this node is leader AND has applied every entry of earlier
 *    terms (Ozone's isLeaderReady); leader-only work must check it, not `role()`.
 *  - `onRoleChange` listeners run after the change (synchronously, must not throw); the server uses it to
 *    invalidate id batches (HDDS-8973) and to drop leader-only queues.
 *  - `addPeer` is Ozone's addSCM → setConfiguration(+peer); `removePeer` is removeSCM (`admin scm
 *    decommission`) → setConfiguration(-peer), refused for the leader itself; `transferLeadership` is
 *    `scm transfer`.
 */
import type { CommandResult, ScmCommand } from '../state/commands.js';
import type { LeaderHint } from './replication-error.js';

export type ScmRole = 'LEADER' | 'FOLLOWER' | 'CANDIDATE';
export type ReplicationMode = 'standalone' | 'raft';

export interface RingPeer {
  /** Raft peer id = scmUuid from VERSION */
  readonly scmUuid: string;
  /** configured host (unresolved) and Ratis port: the Raft address `host:ratisPort` */
  readonly host: string;
  readonly ratisPort: number;
  readonly role: ScmRole;
  readonly nodeId?: string;
  /**
   * The leader's view of a member's health (absent on followers and for the leader itself): `reachable`
   * is false once nothing arrived from it for an election timeout; `lagging` when it has not replicated
   * what was committed an election timeout ago; `lastContactMs` and `matchIndex` are the raw figures.
   */
  readonly health?: { readonly reachable: boolean; readonly lagging: boolean; readonly lastContactMs: number; readonly matchIndex: number };
}

/** Raft details for /status and /prom (absent in standalone mode). */
export interface RaftDetails {
  readonly groupId: string;
  /** 'none' while a bootstrapped SCM waits to be added */
  readonly membership: 'voter' | 'learner' | 'none';
  readonly lastIndex: number;
  readonly snapshotIndex: number;
  readonly snapshotsTaken: number;
  readonly snapshotsInstalled: number;
  /** scm.db checkpoints downloaded from a leader and installed since start */
  readonly checkpointsInstalled: number;
  readonly lastCheckpoint: { readonly from: string; readonly index: number; readonly term: number; readonly descriptorIndex: number } | null;
  /** `#TRANSACTIONINFO` index of scm.db (may trail appliedIndex by non-command entries) */
  readonly stateMachineApplied: number;
}

export interface ReplicatorStatus {
  readonly mode: ReplicationMode;
  readonly role: ScmRole;
  readonly term: number;
  readonly leader: LeaderHint | undefined;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly peers: readonly RingPeer[];
  readonly raft?: RaftDetails;
}

export interface RoleChange {
  readonly role: ScmRole;
  readonly term: number;
  readonly leader: LeaderHint | undefined;
}

export interface Replicator {
  readonly mode: ReplicationMode;
  start(options?: { signal?: AbortSignal }): Promise<void>;
  submit(command: ScmCommand, options?: { signal?: AbortSignal }): Promise<CommandResult>;
  role(): ScmRole;
  term(): number;
  isLeaderReady(): boolean;
  leaderHint(): LeaderHint | undefined;
  status(): ReplicatorStatus;
  onRoleChange(listener: (change: RoleChange) => void): () => void;
  addPeer(peer: { scmUuid: string; host: string; ratisPort: number }, options?: { signal?: AbortSignal }): Promise<void>;
  removePeer(scmUuid: string, options?: { signal?: AbortSignal }): Promise<void>;
  transferLeadership(targetScmUuid: string, options?: { signal?: AbortSignal }): Promise<void>;
  close(): Promise<void>;
}
