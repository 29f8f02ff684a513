/**
 * What a transport provides to runner-host.ts: run one POSIX `sh` script with stdin, collect its output.
 * Implemented by ssh-host.ts (one exec channel per call over a shared connection) and local-host.ts
 * (one `sh -c` child process per call).
 *
 * Contract: `run` resolves with the exit status for any exit, including non-zero and death by signal.
 * It rejects only with HostError: transport failures (SSH_*), HOST_COMMAND_TIMEOUT (the command was
 * killed), HOST_ABORTED (the signal fired; the command was killed), HOST_OUTPUT_TOO_LARGE, HOST_CLOSED.
 * Scripts given to `run` may be wrapped in sudo by the caller; runners never see secrets other than as
 * stdin bytes and never log stdin.
 */
import type { Readable } from 'node:stream';
import type { HostInfo } from './remote-host.js';

export interface RunRequest {
  readonly script: string;
  readonly stdin?: Readable | Uint8Array;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** stdout + stderr beyond this are an error (HOST_OUTPUT_TOO_LARGE); default 64 MiB */
  readonly maxOutputBytes?: number;
}

export interface RunResult {
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  /** 128+N when killed by signal N */
  readonly exitCode: number;
  readonly signal?: string;
}

export interface CommandRunner {
  readonly info: HostInfo;
  run(request: RunRequest): Promise<RunResult>;
  close(): Promise<void>;
}

export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024 * 1024;
