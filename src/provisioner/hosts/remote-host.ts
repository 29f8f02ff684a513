/**
 * RemoteHost: the narrow port through which scmctl reaches a host (docs/design.md §6). Implementations:
 * `ssh-host.ts` (ssh2), `local-host.ts` (execa, `transport: local`), and the strict recording fake in
 * `test/support/fake-host.ts`.
 *
 * Contracts shared by every implementation:
 * - Commands are `ShellCommand`s (built with the `sh` tag) and run under POSIX `sh`, whatever the login
 *   shell is. A non-zero exit is a result, not an error; only transport failures, timeouts and aborts throw
 *   (`HostError`, naming the host).
 * - `sudo: true` runs as root: directly when already root, `sudo -n` when no password is needed, else
 *   `sudo -k -S -p ''` with the password written to stdin ahead of the caller's stdin. The password is
 *   never in argv, the environment, logs or error messages. A refusal by sudo is `SUDO_FAILED`, distinct
 *   from the command's own non-zero exit.
 * - One connection per RemoteHost; calls may run concurrently (channels are multiplexed and bounded).
 * - Paths are absolute. File primitives are atomic: a reader sees the old or the new content, never a mix.
 * - `close()` is idempotent; any call after it fails with `HOST_CLOSED`.
 */
import type { Readable } from 'node:stream';
import type { ShellCommand } from './shell-quote.js';

export type HostTransport = 'ssh' | 'local';

export interface HostInfo {
  /** logical name (topology host name), used in every error and log line */
  readonly name: string;
  readonly transport: HostTransport;
  /** the address used to reach it (for `local`: the address SCM services bind, default 127.0.0.1) */
  readonly address: string;
  readonly port?: number;
  /** login user (ssh) or the user running scmctl (local) */
  readonly user: string;
  /** `SHA256:…` of the host key the connection verified (ssh only) */
  readonly hostKeyFingerprint?: string;
}

export interface ExecOptions {
  /** bytes written to the command's stdin, then EOF; without it stdin is at EOF immediately */
  readonly stdin?: string | Uint8Array | Readable;
  readonly sudo?: boolean;
  /** kill the command and throw HOST_COMMAND_TIMEOUT after this long */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
  /** the exit status; 128+N when the command died of signal N (`signal` then names it) */
  readonly exitCode: number;
  readonly signal?: string;
}

export interface ReadFileOptions {
  readonly sudo?: boolean;
  readonly signal?: AbortSignal;
  /** refuse larger files (HOST_READ_FAILED); default 64 MiB */
  readonly maxBytes?: number;
}

export interface WriteFileOptions {
  /** permission bits of the new file, e.g. 0o644 */
  readonly mode: number;
  readonly sudo?: boolean;
  /** `user` or `user:group` given to the new file before it is renamed into place (needs root) */
  readonly owner?: string;
  /**
   * When set and a file already exists at the path, it is first copied (with its mode and times) to
   * `path + backupSuffix`. Whether a file is "ours" is the caller's decision; this is the primitive.
   */
  readonly backupSuffix?: string;
  readonly signal?: AbortSignal;
}

export interface WriteFileResult {
  /** where the previous file was copied, when backupSuffix was given and a file existed */
  readonly backupPath: string | null;
}

export interface UploadOptions {
  readonly mode: number;
  readonly sudo?: boolean;
  readonly owner?: string;
  readonly signal?: AbortSignal;
  /** called as bytes are sent */
  readonly onProgress?: (sentBytes: number) => void;
}

export interface UploadResult {
  readonly bytes: number;
}

export type FileType = 'file' | 'directory' | 'symlink' | 'other';

export type FileStat =
  | { readonly exists: false; readonly path: string }
  | {
      readonly exists: true;
      readonly path: string;
      /** of the path itself (a symlink is not followed) */
      readonly type: FileType;
      readonly size: number;
      /** permission bits, e.g. 0o755 */
      readonly mode: number;
      readonly uid: number;
      readonly gid: number;
      readonly owner: string;
      readonly group: string;
      readonly mtimeMs: number;
      /** the link text, for symlinks */
      readonly linkTarget?: string;
    };

export interface StatOptions {
  readonly sudo?: boolean;
  readonly signal?: AbortSignal;
}

export interface RemoteHost {
  readonly info: HostInfo;
  exec(cmd: ShellCommand, options?: ExecOptions): Promise<ExecResult>;
  /** the file's bytes, or null when nothing exists at the path */
  readFile(path: string, options?: ReadFileOptions): Promise<Buffer | null>;
  /** temp file in the same directory, fsync, rename over the path, fsync the directory */
  writeFileAtomic(path: string, content: string | Uint8Array, options: WriteFileOptions): Promise<WriteFileResult>;
  /** like writeFileAtomic, streamed: for large files such as the release bundle */
  upload(source: string | Readable, remotePath: string, options: UploadOptions): Promise<UploadResult>;
  stat(path: string, options?: StatOptions): Promise<FileStat>;
  close(): Promise<void>;
  /**
   * A view of this host (same connection, same sudo) whose short commands issued together (no stdin, no
   * timeout) travel as one script: for read-only bursts such as facts gathering. Closing the view does not
   * close the host. Optional: hosts without it (test fakes) are used as they are.
   */
  batched?(): RemoteHost;
}
