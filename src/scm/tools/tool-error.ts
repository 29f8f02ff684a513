/**
 * Errors of the `ozone` commands. `exitCode` follows Ozone's GenericCli: a failed init/bootstrap is -1
 * (255) with the first line of the message on stderr; usage and other errors exit 1.
 */
import { CodedError } from '../../common/coded-error.js';

export type ToolErrorCode =
  | 'INIT_FAILED'
  | 'INIT_STALE_DB'
  | 'INIT_SECURITY_UNSUPPORTED'
  | 'BOOTSTRAP_FAILED'
  | 'BOOTSTRAP_CLUSTER_ID_MISMATCH'
  | 'BOOTSTRAP_NO_PEERS'
  | 'BOOTSTRAP_NEEDS_TOKEN'
  | 'LDB_NO_DB'
  | 'LDB_UNKNOWN_CF'
  | 'LDB_OUTPUT_EXISTS'
  | 'FREON_BAD_OPTION'
  | 'FREON_FAILED'
  | 'DAEMON_FAILED'
  | 'USAGE';

export class ToolError extends CodedError<ToolErrorCode> {
  constructor(code: ToolErrorCode, message: string, options: { cause?: unknown; hint?: string; exitCode?: number } = {}) {
    super(code, message, options);
    this.exitCode = options.exitCode ?? 1;
  }
  readonly exitCode: number;
}
