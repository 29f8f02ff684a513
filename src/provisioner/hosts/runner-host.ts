/**
 * RemoteHost on top of a transport's CommandRunner: sudo handling and the file primitives are written once
 * here, so the ssh and local transports have the same semantics (remote-host.ts lists them).
 *
 * Sudo: the mode (root / nopasswd / password) is found on first use and cached for the life of the host,
 * failures included, so a wrong password is tried once per run (no lockouts from retries).
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import type { Logger } from '../../common/logger.js';
import { BatchingRunner } from './batching-runner.js';
import type { CommandRunner, RunRequest, RunResult } from './command-runner.js';
import { atomicWriteScript, checkPath, isMissing, parseStat, readFileScript, statScript } from './file-scripts.js';
import { HostError } from './host-error.js';
import type {
  ExecOptions,
  ExecResult,
  FileStat,
  HostInfo,
  ReadFileOptions,
  RemoteHost,
  StatOptions,
  UploadOptions,
  UploadResult,
  WriteFileOptions,
  WriteFileResult,
} from './remote-host.js';
import { resolveSecret, type SecretContext } from './secret-source.js';
import { quote, type ShellCommand } from './shell-quote.js';
import { splitSudoStderr, sudoScript, type SudoMode } from './sudo-wrap.js';

export interface SudoOptions {
  /** name of the environment variable holding the sudo password (when sudo asks for one) */
  readonly passwordEnv?: string;
}

export interface RunnerHostOptions {
  readonly sudo?: SudoOptions;
  readonly secrets: SecretContext;
  readonly logger?: Logger;
}

interface ResolvedSudo {
  readonly mode: SudoMode;
  readonly password?: string;
}

/** What a host and its batched() views share: one sudo detection, one closed flag. */
interface SharedState {
  sudoState: Promise<ResolvedSudo> | undefined;
  closed: boolean;
}

type StdinInput = ExecOptions['stdin'];

function toStdin(input: StdinInput): Readable | Uint8Array | undefined {
  if (input === undefined) return undefined;
  if (typeof input === 'string') return Buffer.from(input, 'utf8');
  return input;
}

/** `<password>\n` followed by the caller's stdin. */
function withPasswordLine(password: string, input: Readable | Uint8Array | undefined): Readable {
  async function* gen(): AsyncGenerator<Uint8Array> {
    yield Buffer.from(`${password}\n`, 'utf8');
    if (input === undefined) return;
    if (input instanceof Uint8Array) {
      yield input;
      return;
    }
    for await (const chunk of input) yield typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);
  }
  return Readable.from(gen(), { objectMode: false });
}

/**
 * The host-side backstop of `timeoutMs`: `timeout -s KILL` (coreutils/busybox) runs the script in its own
 * process group and kills the whole group one second after the caller's own timer fired, also when the
 * script runs as root through sudo (which the transport's SIGKILL cannot reach). Without `timeout` on the
 * host the script runs unwrapped.
 */
export function withRemoteTimeout(script: string, timeoutMs: number): string {
  const secs = Math.ceil(timeoutMs / 1000) + 1;
  const inner = quote(script);
  return `if command -v timeout >/dev/null 2>&1; then exec timeout -s KILL ${secs} sh -c ${inner}; else exec sh -c ${inner}; fi`;
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.trim().slice(0, 300);
}

function redact(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join('***') : text;
}

export class RunnerHost implements RemoteHost {
  private readonly runner: CommandRunner;
  private readonly options: RunnerHostOptions;
  private readonly marker: string;
  private readonly shared: SharedState;
  /** false for a batched() view: closing it leaves the connection open */
  private readonly owner: boolean;

  constructor(runner: CommandRunner, options: RunnerHostOptions, view?: { shared: SharedState; marker: string }) {
    this.runner = runner;
    this.options = options;
    this.shared = view?.shared ?? { sudoState: undefined, closed: false };
    this.marker = view?.marker ?? `SCMCTL-SUDO-${randomBytes(8).toString('hex')}`;
    this.owner = view === undefined;
  }

  /** The same host whose short commands issued together travel as one script (batching-runner.ts). */
  batched(): RemoteHost {
    return new RunnerHost(new BatchingRunner(this.runner), this.options, { shared: this.shared, marker: this.marker });
  }

  get info(): HostInfo {
    return this.runner.info;
  }

  private get name(): string {
    return this.runner.info.name;
  }

  private assertOpen(): void {
    if (this.shared.closed) throw new HostError('HOST_CLOSED', this.name, 'this connection was closed');
  }

  async exec(cmd: ShellCommand, options: ExecOptions = {}): Promise<ExecResult> {
    const r = await this.run(cmd.text, options.sudo === true, {
      stdin: toStdin(options.stdin),
      timeoutMs: options.timeoutMs,
      signal: options.signal,
    });
    return {
      stdout: r.stdout.toString('utf8'),
      stderr: r.stderr.toString('utf8'),
      exitCode: r.exitCode,
      ...(r.signal !== undefined ? { signal: r.signal } : {}),
    };
  }

  async readFile(path: string, options: ReadFileOptions = {}): Promise<Buffer | null> {
    checkPath(this.name, path);
    const r = await this.run(readFileScript(path).text, options.sudo === true, {
      signal: options.signal,
      maxOutputBytes: options.maxBytes,
    });
    if (isMissing(r.exitCode, r.stderr.toString('utf8'))) return null;
    if (r.exitCode !== 0) {
      throw new HostError('HOST_READ_FAILED', this.name, `cannot read ${path}: ${firstLine(r.stderr.toString('utf8'))}`, {
        hint: options.sudo ? undefined : 'the file may need sudo: true',
      });
    }
    return r.stdout;
  }

  async writeFileAtomic(path: string, content: string | Uint8Array, options: WriteFileOptions): Promise<WriteFileResult> {
    checkPath(this.name, path);
    const nonce = randomBytes(6).toString('hex');
    const script = atomicWriteScript({
      path,
      mode: options.mode,
      nonce,
      ...(options.owner !== undefined ? { owner: options.owner } : {}),
      ...(options.backupSuffix !== undefined ? { backupSuffix: options.backupSuffix } : {}),
    });
    const r = await this.run(script.text, options.sudo === true, {
      stdin: typeof content === 'string' ? Buffer.from(content, 'utf8') : content,
      signal: options.signal,
    });
    if (r.exitCode !== 0) {
      throw new HostError('HOST_WRITE_FAILED', this.name, `cannot write ${path}: ${firstLine(r.stderr.toString('utf8'))}`);
    }
    const backedUp = options.backupSuffix !== undefined && r.stdout.toString('utf8').split('\n').includes('backup');
    return { backupPath: backedUp ? path + options.backupSuffix : null };
  }

  async upload(source: string | Readable, remotePath: string, options: UploadOptions): Promise<UploadResult> {
    checkPath(this.name, remotePath);
    let sent = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        sent += chunk.length;
        options.onProgress?.(sent);
        done(null, chunk);
      },
    });
    const input = typeof source === 'string' ? createReadStream(source) : source;
    input.on('error', (err: Error) => counter.destroy(err));
    input.pipe(counter);
    const script = atomicWriteScript({
      path: remotePath,
      mode: options.mode,
      nonce: randomBytes(6).toString('hex'),
      ...(options.owner !== undefined ? { owner: options.owner } : {}),
    });
    let r: RunResult;
    try {
      r = await this.run(script.text, options.sudo === true, { stdin: counter, signal: options.signal });
    } catch (err) {
      input.destroy();
      throw err;
    }
    if (r.exitCode !== 0) {
      throw new HostError('HOST_UPLOAD_FAILED', this.name, `cannot upload to ${remotePath}: ${firstLine(r.stderr.toString('utf8'))}`);
    }
    return { bytes: sent };
  }

  async stat(path: string, options: StatOptions = {}): Promise<FileStat> {
    checkPath(this.name, path);
    const r = await this.run(statScript(path).text, options.sudo === true, { signal: options.signal });
    if (isMissing(r.exitCode, r.stderr.toString('utf8'))) return { exists: false, path };
    const parsed = r.exitCode === 0 ? parseStat(path, r.stdout.toString('utf8')) : null;
    if (!parsed) {
      throw new HostError('HOST_STAT_FAILED', this.name, `cannot stat ${path}: ${firstLine(r.stderr.toString('utf8')) || 'unexpected output from stat'}`);
    }
    return parsed;
  }

  async close(): Promise<void> {
    if (!this.owner || this.shared.closed) return;
    this.shared.closed = true;
    await this.runner.close();
  }

  /** Runs a script, as root when asked; strips sudo's own stderr; SUDO_FAILED when sudo refuses. */
  private async run(rawScript: string, sudo: boolean, req: Omit<RunRequest, 'script'>): Promise<RunResult> {
    this.assertOpen();
    const script = req.timeoutMs === undefined ? rawScript : withRemoteTimeout(rawScript, req.timeoutMs);
    if (!sudo) return this.runner.run({ ...req, script });
    const s = await this.resolveSudo(req.signal);
    const stdin = s.mode === 'password' ? withPasswordLine(s.password ?? '', req.stdin) : req.stdin;
    const r = await this.runner.run({ ...req, script: sudoScript(script, s.mode, this.marker), stdin });
    if (s.mode === 'root') return r;
    const split = splitSudoStderr(r.stderr, this.marker);
    if (!split.started) {
      throw new HostError(
        'SUDO_FAILED',
        this.name,
        `sudo refused to run a command as root (exit ${r.exitCode}): ${redact(firstLine(split.sudoOutput), s.password) || 'no message'}`,
      );
    }
    return { ...r, stderr: split.commandStderr };
  }

  private resolveSudo(signal: AbortSignal | undefined): Promise<ResolvedSudo> {
    this.shared.sudoState ??= this.detectSudo(signal);
    return this.shared.sudoState;
  }

  private async detectSudo(signal: AbortSignal | undefined): Promise<ResolvedSudo> {
    const id = await this.runner.run({ script: 'id -u', signal });
    if (id.exitCode === 0 && id.stdout.toString('utf8').trim() === '0') return { mode: 'root' };
    const user = this.info.user;
    const probe = await this.runner.run({ script: 'command -v sudo >/dev/null 2>&1 || exit 127\nexec sudo -k -n true', signal });
    if (probe.exitCode === 127) {
      throw new HostError('SUDO_FAILED', this.name, `user ${user} is not root and sudo is not installed`, {
        hint: 'install sudo on the host, or connect as root',
      });
    }
    if (probe.exitCode === 0) return { mode: 'nopasswd' };
    const password = await resolveSecret(
      this.options.secrets,
      this.options.sudo?.passwordEnv,
      { host: this.name, kind: 'sudo-password', message: `[sudo] password for ${user}@${this.name}: `, echo: false },
      { signal },
    );
    if (password === undefined) {
      const env = this.options.sudo?.passwordEnv;
      throw new HostError(
        'SUDO_FAILED',
        this.name,
        env
          ? `sudo needs a password for ${user} and the environment variable ${env} is not set`
          : `sudo needs a password for ${user} and none is configured`,
        { hint: 'set sudo.passwordEnv in the topology to the NAME of an environment variable and export it, or allow NOPASSWD for this user' },
      );
    }
    const check = await this.runner.run({
      script: "exec sudo -k -S -p '' -- true",
      stdin: Buffer.from(`${password}\n`, 'utf8'),
      signal,
    });
    if (check.exitCode !== 0) {
      throw new HostError(
        'SUDO_FAILED',
        this.name,
        `sudo refused the password for ${user} or ${user} may not run commands as root: ${redact(firstLine(check.stderr.toString('utf8')), password) || `exit ${check.exitCode}`}`,
      );
    }
    this.options.logger?.debug('sudo needs a password; validated', { host: this.name });
    return { mode: 'password', password };
  }
}
