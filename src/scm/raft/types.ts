/**
 * The vocabulary of the Raft core: ids, log entries, messages, hard state, snapshots, membership.
 *
 * Contract: every shape here is plain data (no classes, no methods) so it can be copied, encoded
 * (message-codec.ts) and compared in tests. Indexes and terms are non-negative safe integers; index 0 /
 * term 0 mean "none" (the log proper starts at index 1).
 */
import type { Brand } from '../../common/brand.js';

/** A member's id. The SCM uses its scmUuid; tests use short strings. Non-empty, at most 255 UTF-8 bytes. */
export type NodeId = Brand<string, 'NodeId'>;

export function nodeId(value: string): NodeId {
  return value as NodeId;
}

/** A Raft term (0 = none). */
export type Term = number;
/** A position in the replicated log (0 = none). */
export type LogIndex = number;

export type EntryType = 'normal' | 'conf-change';

export interface Entry {
  readonly term: Term;
  readonly index: LogIndex;
  readonly type: EntryType;
  /** Application bytes (normal) or an encoded ConfChange (conf-change). Empty data on a normal entry is the leader's no-op. */
  readonly data: Uint8Array;
}

/** Durable vote state. It must be on disk before any message that depends on it leaves the node. */
export interface HardState {
  readonly term: Term;
  readonly vote: NodeId | null;
  readonly commit: LogIndex;
}

export const emptyHardState: HardState = { term: 0, vote: null, commit: 0 };

export type MemberRole = 'voter' | 'learner';

/** One member of the group as the replicated configuration knows it; the address travels with it. */
export interface Member {
  readonly id: NodeId;
  /** `host:port` of the member's Raft endpoint. */
  readonly address: string;
  readonly role: MemberRole;
  /** A learner that any leader promotes to voter as soon as it has caught up. */
  readonly autoPromote: boolean;
}

/** The membership at some log index; members sorted by id. */
export interface ConfState {
  readonly members: readonly Member[];
}

export const emptyConfState: ConfState = { members: [] };

export interface SnapshotMeta {
  readonly index: LogIndex;
  readonly term: Term;
  readonly confState: ConfState;
}

/**
 * A point-in-time image of the applier at `meta.index`. `data` is whatever the applier's
 * `snapshot()` produced: the full state (test KV) or a small descriptor the follower uses to fetch the
 * state out of band (SCM checkpoint download).
 */
export interface Snapshot {
  readonly meta: SnapshotMeta;
  readonly data: Uint8Array;
}

export const emptySnapshot: Snapshot = { meta: { index: 0, term: 0, confState: emptyConfState }, data: new Uint8Array(0) };

export type MessageType =
  | 'app'
  | 'app-resp'
  | 'vote'
  | 'vote-resp'
  | 'pre-vote'
  | 'pre-vote-resp'
  | 'snap'
  | 'heartbeat'
  | 'heartbeat-resp'
  | 'timeout-now';

/**
 * One Raft RPC. Unused fields hold their zero value (0, false, [], null) so every message has the same
 * shape on the wire.
 *  - app: index/logTerm = the entry preceding `entries`; commit = leader's commit.
 *  - app-resp: index = last index the follower now matches (or the rejected index); rejectHint/logTerm
 *    point the leader at the follower's last possibly matching entry.
 *  - vote / pre-vote: index/logTerm = the candidate's last entry; context = "transfer" for a forced campaign.
 *  - heartbeat: commit = min(follower match, leader commit); context = ReadIndex round id.
 */
export interface Message {
  readonly type: MessageType;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: Term;
  readonly logTerm: Term;
  readonly index: LogIndex;
  readonly entries: readonly Entry[];
  readonly commit: LogIndex;
  readonly reject: boolean;
  readonly rejectHint: LogIndex;
  readonly snapshot: Snapshot | null;
  readonly context: Uint8Array | null;
}

export function message(fields: Partial<Message> & Pick<Message, 'type' | 'from' | 'to'>): Message {
  return {
    term: 0,
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    snapshot: null,
    context: null,
    ...fields,
  };
}

/** The role of the local node as the core sees it. */
export type StateType = 'follower' | 'pre-candidate' | 'candidate' | 'leader';

/** A linearizable read point: once the applier has applied `index`, a read tagged `context` may proceed. */
export interface ReadState {
  readonly index: LogIndex;
  readonly context: Uint8Array;
}

export function entryBytes(e: Entry): number {
  return e.data.byteLength + 24;
}
