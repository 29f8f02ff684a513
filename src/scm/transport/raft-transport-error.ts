/**
 * Errors of the Raft peer transport.
 *
 *  TRANSPORT_LISTEN_FAILED  the listening socket could not be bound (address in use, permission)
 *  TRANSPORT_BAD_FRAME      a peer sent something that is not a Raft frame of this version
 *  TRANSPORT_GROUP_MISMATCH a peer belongs to another Raft group (another cluster id)
 *  TRANSPORT_TLS_CONFIG     the TLS options are incomplete or unreadable
 *  TRANSPORT_CLOSED         the transport is closed
 */
import { CodedError } from '../../common/coded-error.js';

export type RaftTransportErrorCode = 'TRANSPORT_LISTEN_FAILED' | 'TRANSPORT_BAD_FRAME' | 'TRANSPORT_GROUP_MISMATCH' | 'TRANSPORT_TLS_CONFIG' | 'TRANSPORT_CLOSED';
export class RaftTransportError extends CodedError<RaftTransportErrorCode> {}
