/**
 * The local transport (`transport: local`): the only file of the provisioner that imports `execa`.
 * Each command is `sh -c <script>` in its own process group, so a timeout or abort kills the whole group.
 * Same semantics as the SSH transport (RunnerHost): sudo when not root with the password on stdin, atomic
 * file writes. Environment variables named as secrets (sudo.passwordEnv) are removed from the children's
 * environment.
 */
import { constants as osConstants, userInfo } from 'node:os';
import type { Readable } from 'node:stream';
// execa is loaded on the first command, not when the CLI starts (issue 13: start-up time)
let execaModule: Promise<typeof import('execa')> | undefined;
const loadExeca = (): Promise<typeof import('execa')> => (execaModule ??= import('execa'));
import type { Logger } from '../../common/logger.js';
import { DEFAULT_MAX_OUTPUT_BYTES, type CommandRunner, type RunRequest, type RunResult } from './command-runner.js';
import { HostError } from './host-error.js';
import type { HostInfo, RemoteHost } from './remote-host.js';
import { RunnerHost, type SudoOptions } from './runner-host.js';
import type { SecretContext } from './secret-source.js';

export interface LocalHostOptions {
  /** logical name (topology host name) */
  readonly name: string;
  /** the address SCM services on this host bind (for facts and plans); default 127.0.0.1 */
  readonly address?: string;
  readonly sudo?: SudoOptions;
  readonly secrets: SecretContext;
  readonly logger?: Logger;
  /** working directory of commands; default `/` so nothing depends on where scmctl was started */
  readonly cwd?: string;
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone, or owned by root after sudo (then only the sudo process tree we own is affected)
  }
}

class LocalRunner implements CommandRunner {
  readonly info: HostInfo;
  private readonly options: LocalHostOptions;
  private readonly running = new Set<number>();

  constructor(options: LocalHostOptions) {
    this.options = options;
    this.info = {
      name: options.name,
      transport: 'local',
      address: options.address ?? '127.0.0.1',
      user: userInfo().username,
    };
  }

  async run(req: RunRequest): Promise<RunResult> {
    const name = this.info.name;
    if (req.signal?.aborted) throw new HostError('HOST_ABORTED', name, 'the command was aborted', { cause: req.signal.reason });
    const stripped: Record<string, undefined> = {};
    if (this.options.sudo?.passwordEnv) stripped[this.options.sudo.passwordEnv] = undefined;
    const stdin = req.stdin;
    const { execa } = await loadExeca();
    const child = execa('sh', ['-c', req.script], {
      reject: false,
      encoding: 'buffer',
      stripFinalNewline: false,
      detached: true,
      cleanup: true,
      cwd: this.options.cwd ?? '/',
      env: stripped,
      maxBuffer: req.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
      ...(stdin === undefined ? { stdin: 'ignore' as const } : stdin instanceof Uint8Array ? { input: stdin } : { stdin: 'pipe' as const }),
    });
    const pid = child.pid;
    if (pid !== undefined) this.running.add(pid);
    let stopped: HostError | undefined;
    const stop = (err: HostError): void => {
      if (stopped) return;
      stopped = err;
      killGroup(pid);
    };
    const onAbort = (): void => stop(new HostError('HOST_ABORTED', name, 'the command was aborted and killed', { cause: req.signal?.reason }));
    req.signal?.addEventListener('abort', onAbort, { once: true });
    const timer =
      req.timeoutMs === undefined
        ? undefined
        : setTimeout(() => stop(new HostError('HOST_COMMAND_TIMEOUT', name, `a command ran longer than ${req.timeoutMs} ms and was killed`)), req.timeoutMs);
    if (stdin !== undefined && !(stdin instanceof Uint8Array)) {
      const sink = child.stdin;
      sink?.on('error', () => undefined); // EPIPE when the command stops reading early: its exit status tells
      (stdin as Readable).on('error', (e: Error) =>
        stop(new HostError('HOST_UPLOAD_FAILED', name, `reading the local input failed: ${e.message}`, { cause: e })),
      );
      if (sink) (stdin as Readable).pipe(sink);
    }
    try {
      const r = await child;
      if (stopped) throw stopped;
      if (r.isMaxBuffer) throw new HostError('HOST_OUTPUT_TOO_LARGE', name, 'a command printed more than the output limit; it was stopped');
      if (r.exitCode === undefined && r.signal === undefined) {
        throw new HostError('LOCAL_SPAWN_FAILED', name, `cannot start sh: ${r.shortMessage ?? r.code ?? 'unknown error'}`, { cause: r.cause });
      }
      const sig = r.signal?.replace(/^SIG/, '');
      return {
        stdout: Buffer.from(r.stdout as Uint8Array),
        stderr: Buffer.from(r.stderr as Uint8Array),
        exitCode: r.exitCode ?? 128 + (sig ? signalNumber(r.signal) : 0),
        ...(sig !== undefined ? { signal: sig } : {}),
      };
    } finally {
      if (timer) clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      if (pid !== undefined) this.running.delete(pid);
    }
  }

  async close(): Promise<void> {
    for (const pid of this.running) killGroup(pid);
    this.running.clear();
  }
}

function signalNumber(name: string | undefined): number {
  return name ? ((osConstants.signals as Record<string, number | undefined>)[name] ?? 0) : 0;
}

/** The transport alone (`sh -c` per command), as a CommandRunner. */
export function localRunner(options: LocalHostOptions): CommandRunner {
  return new LocalRunner(options);
}

export async function connectLocal(options: LocalHostOptions): Promise<RemoteHost> {
  return new RunnerHost(localRunner(options), {
    secrets: options.secrets,
    ...(options.sudo ? { sudo: options.sudo } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
}
