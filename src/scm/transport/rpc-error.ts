/** Errors of the SCM RPC layer. `RPC_REMOTE` carries the server's own code in `remoteCode`. */
import { CodedError } from '../../common/coded-error.js';

export type RpcErrorCode =
  | 'RPC_CONNECT'
  | 'RPC_CONNECTION_LOST'
  | 'RPC_TIMEOUT'
  | 'RPC_ABORTED'
  | 'RPC_CLOSED'
  | 'RPC_PROTOCOL'
  | 'RPC_NOT_LEADER'
  | 'RPC_REMOTE'
  | 'RPC_UNKNOWN_METHOD'
  | 'RPC_FAILOVER_EXHAUSTED';

export class RpcError extends CodedError<RpcErrorCode> {
  constructor(
    code: RpcErrorCode,
    message: string,
    options: { cause?: unknown; hint?: string; remoteCode?: string; leader?: string; endpoint?: string } = {},
  ) {
    super(code, message, options);
    this.remoteCode = options.remoteCode;
    this.leader = options.leader;
    this.endpoint = options.endpoint;
  }
  /** the server-side error code (e.g. CONFIG_…, SCM_…) when code is RPC_REMOTE */
  readonly remoteCode: string | undefined;
  /** NotLeader hint `host:port`, when the server knew a leader */
  readonly leader: string | undefined;
  readonly endpoint: string | undefined;
}

/** Errors after which another endpoint may succeed (connection trouble, not-leader, timeouts). */
export function isFailoverError(err: unknown): boolean {
  return err instanceof RpcError && ['RPC_CONNECT', 'RPC_CONNECTION_LOST', 'RPC_TIMEOUT', 'RPC_NOT_LEADER'].includes(err.code);
}
