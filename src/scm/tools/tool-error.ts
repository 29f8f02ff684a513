/**
 * Errors of the `ozone` commands. `exitCode` follows Ozone's GenericCli (hadoop-hdds/common …/cli/GenericCli.java:
 * `execute` returns -1 for every exception, which the shell sees as 255); picocli's parameter errors exit 2,
 * which runProgram gives commander's usage errors.
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
  | 'DATANODE_NOT_FOUND'
  | 'CONTAINER_BAD_ID'
  | 'GETCONF_MISSING_KEY'
  | 'GETCONF_NO_SCM'
  | 'UPGRADE_INVALID_RESPONSE'
  | 'USAGE';

/** Ozone's exit code for an execution error (GenericCli: -1 → 255) */
export const EXIT_FAILURE = 255;
/** picocli's exit code for a usage error (CommandLine.ExitCode.USAGE) */
export const EXIT_USAGE = 2;

export class ToolError extends CodedError<ToolErrorCode> {
  constructor(code: ToolErrorCode, message: string, options: { cause?: unknown; hint?: string; exitCode?: number } = {}) {
    super(code, message, options);
    this.exitCode = options.exitCode ?? EXIT_FAILURE;
  }
  readonly exitCode: number;
}
