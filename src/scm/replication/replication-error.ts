/** Errors of the replication layer (standalone and Raft). */
import { CodedError } from '../../common/coded-error.js';

export type ReplicationErrorCode =
  | 'REPLICATION_NOT_LEADER'
  | 'REPLICATION_CLOSED'
  | 'REPLICATION_FAILED'
  | 'REPLICATION_UNSUPPORTED'
  | 'REPLICATION_TIMEOUT'
  | 'REPLICATION_ABORTED'
  | 'REPLICATION_SNAPSHOT_UNAVAILABLE'
  | 'REPLICATION_JOIN_FAILED';

export class ReplicationError extends CodedError<ReplicationErrorCode> {}

/** Who the leader is believed to be: enough for the RPC layer to build Ozone's `host:port` hint. */
export interface LeaderHint {
  readonly scmUuid: string;
  readonly host: string;
  /** config node id when the leader is a configured peer */
  readonly nodeId?: string;
}

/** Thrown by `Replicator.submit` (and leader-only gates) on a non-leader; carries the hint when known. */
export class NotLeaderError extends ReplicationError {
  constructor(
    readonly role: string,
    readonly leader: LeaderHint | undefined,
    message = `this SCM is ${role}, not the leader`,
  ) {
    super('REPLICATION_NOT_LEADER', message, { hint: leader ? `retry on the leader ${leader.host}` : 'retry once a leader is elected' });
  }
}
