/**
 * Errors of the Raft core and its driver. One class, a closed set of codes (docs/raft.md §Errors).
 *
 *  NOT_LEADER               this node cannot serve the request; `leader` is the known leader or null.
 *  PROPOSAL_DROPPED         the proposal was not appended or was overwritten; it will never apply. Safe to retry.
 *  PROPOSAL_UNKNOWN         the node lost track of the proposal (its log was replaced by a snapshot); it
 *                           may or may not have applied. Retry only if the command is idempotent.
 *  CONF_CHANGE_IN_PROGRESS  another membership change is not applied yet; retry after it is.
 *  INVALID_CONF_CHANGE      the change does not fit the current membership (unknown id, last voter, …).
 *  TRANSFER_FAILED          leadership did not move to the target within an election timeout.
 *  RAFT_CLOSED              the node is closed (or failed); nothing more will be accepted.
 *  STATE_MACHINE_FAILED     the applier threw; the node stopped to keep replicas identical.
 *  SNAPSHOT_FAILED          taking or restoring a snapshot failed.
 *  INVALID_ARGUMENT         a caller passed something malformed (bad id, address, option).
 *  INTERNAL                 an invariant of the core broke (a bug or corrupt storage); the node must stop.
 */
import { CodedError } from '../../common/coded-error.js';

export type RaftErrorCode =
  | 'NOT_LEADER'
  | 'PROPOSAL_DROPPED'
  | 'PROPOSAL_UNKNOWN'
  | 'CONF_CHANGE_IN_PROGRESS'
  | 'INVALID_CONF_CHANGE'
  | 'TRANSFER_FAILED'
  | 'RAFT_CLOSED'
  | 'STATE_MACHINE_FAILED'
  | 'SNAPSHOT_FAILED'
  | 'INVALID_ARGUMENT'
  | 'INTERNAL';

/** A peer as clients need it for redirection. */
export interface PeerRef {
  readonly id: string;
  readonly address: string;
}

export class RaftError extends CodedError<RaftErrorCode> {
  /** For NOT_LEADER: the leader this node knows of (null when none is known). */
  readonly leader: PeerRef | null;

  constructor(code: RaftErrorCode, message: string, options: { cause?: unknown; hint?: string; leader?: PeerRef | null } = {}) {
    super(code, message, options);
    this.leader = options.leader ?? null;
  }
}

export function notLeader(self: string, leader: PeerRef | null): RaftError {
  return new RaftError(
    'NOT_LEADER',
    leader ? `${self} is not the leader; the leader is ${leader.id} at ${leader.address}` : `${self} is not the leader and no leader is known`,
    { leader, hint: leader ? `retry against ${leader.address}` : 'retry after a leader is elected' },
  );
}

export function internal(message: string): RaftError {
  return new RaftError('INTERNAL', message, { hint: 'stop the node and report the bug with its log store' });
}
