/**
 * What the driver reports about itself (status()) and announces (events). Shapes are plain data, fit for
 * `ozone admin scm roles` (host:ratisPort:ROLE:peerId) and JSON output.
 */
import type { PeerRef } from '../raft/raft-error.js';
import type { LogIndex, MemberRole, NodeId, Term } from '../raft/types.js';

export type RaftRole = 'LEADER' | 'FOLLOWER' | 'CANDIDATE' | 'LEARNER';

export interface RaftPeerStatus {
  readonly id: NodeId;
  readonly address: string;
  readonly role: MemberRole;
  readonly isSelf: boolean;
  readonly isLeader: boolean;
  /** Highest index known replicated on the peer; only known on the leader (null elsewhere). */
  readonly matchIndex: LogIndex | null;
  /**
   * Milliseconds since this node last received a Raft message from the peer (null for itself). Counted
   * from the node's start or the peer's addition when nothing arrived since, so a peer dead from the start
   * ages like one that died later.
   */
  readonly lastContactMs: number | null;
  /**
   * Leader only (null elsewhere): the peer has not yet replicated what was committed one election timeout
   * ago — it is stuck or falling behind, even if it answers heartbeats.
   */
  readonly lagging: boolean | null;
}

export interface RaftStatus {
  readonly id: NodeId;
  readonly groupId: string;
  readonly address: string;
  readonly role: RaftRole;
  /** Whether this node is in the applied configuration (a joining node is 'none' until added). */
  readonly membership: MemberRole | 'none';
  readonly term: Term;
  readonly leader: PeerRef | null;
  readonly commitIndex: LogIndex;
  readonly appliedIndex: LogIndex;
  readonly lastIndex: LogIndex;
  readonly snapshotIndex: LogIndex;
  readonly leadTransferee: NodeId | null;
  readonly peers: readonly RaftPeerStatus[];
  /** Set once the node stopped on a fatal error (storage, applier, invariant). */
  readonly fatal: string | null;
}

export type RaftEvent =
  | { readonly type: 'role'; readonly role: RaftRole; readonly term: Term }
  | { readonly type: 'leader'; readonly leader: PeerRef | null; readonly term: Term }
  | { readonly type: 'membership'; readonly peers: readonly RaftPeerStatus[] }
  | { readonly type: 'applied'; readonly index: LogIndex }
  | { readonly type: 'fatal'; readonly error: Error };

/** Monotonic counters of the driver's work (for /metrics and benchmarks). */
export interface RaftMetrics {
  readonly readys: number;
  readonly persistedEntries: number;
  readonly syncedBatches: number;
  readonly persistMs: number;
  readonly appliedEntries: number;
  readonly eagerFlushes: number;
  readonly snapshotsTaken: number;
  readonly snapshotsInstalled: number;
  readonly proposals: number;
}

/** The driver's own, writable copy of the counters (metrics() hands out a snapshot of it). */
export type RaftCounters = { -readonly [K in keyof RaftMetrics]: number };
