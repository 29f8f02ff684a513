/**
 * The SSH transport: the only file of the provisioner that imports `ssh2`.
 *
 * `connectSsh(options)` opens ONE connection to the host (through its bastion chain, each hop verified and
 * authenticated on its own), and returns a RemoteHost whose commands are exec channels multiplexed on that
 * connection, at most `maxChannels` at a time. Host keys are checked by host-key-policy.ts against the
 * known_hosts files before any credential is sent (hop-host-key.ts). Authentication order: ssh-agent, private keys,
 * keyboard-interactive, password (like OpenSSH). Secrets come from env var names or the prompt callback.
 *
 * Error mapping (host-error.ts): refused host key → SSH_HOST_KEY_*; no TCP path → SSH_UNREACHABLE;
 * handshake not done in time / keepalives lost → SSH_TIMEOUT; auth refused → SSH_AUTH_FAILED; connection
 * lost while in use → SSH_DISCONNECTED. A command past its timeout or aborted gets SIGKILL over the channel
 * (`signal` request: sshd ≥ 7.9 killpg()s the session as the login user; sshd refuses it for root logins);
 * what that cannot reach (root logins, commands under sudo) is killed by the host-side `timeout` wrapper
 * that runner-host.ts puts around every command with a timeoutMs.
 */
import { readFile } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import type { Readable } from 'node:stream';
import type { AnyAuthMethod, AuthenticationType, Client as Ssh2Client, ClientChannel, ConnectConfig, KeyboardInteractiveCallback, ParsedKey, Prompt } from 'ssh2';
import { DEFAULT_MAX_OUTPUT_BYTES, type CommandRunner, type RunRequest, type RunResult } from './command-runner.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import { HostError, type HostErrorCode } from './host-error.js';
import { HostKeyCheck, readHopKnownKeys } from './hop-host-key.js';
import { preferredHostKeyAlgorithms } from './host-key-policy.js';
import { fingerprintSha256 } from './known-hosts.js';
import type { HostInfo, RemoteHost } from './remote-host.js';
import { RunnerHost } from './runner-host.js';
import { resolveSecret, type SecretContext } from './secret-source.js';
import { connectTickCorked } from './tick-corked-socket.js';
import { quote } from './shell-quote.js';
import { SSH_DEFAULTS, type SshEndpoint, type SshHostOptions } from './ssh-options.js';

type SshClient = Ssh2Client;
type Ssh2 = typeof import('ssh2');
// ssh2 (CommonJS) is loaded on the first connection, not when the CLI starts (issue 13: start-up time)
let ssh2Module: Promise<Ssh2> | undefined;
const loadSsh2 = (): Promise<Ssh2> => (ssh2Module ??= import('ssh2').then((m) => (m as Ssh2 & { default?: Ssh2 }).default ?? m));

/** ssh2's default server host key algorithm list (constants.js), used to put known key types first. */
const DEFAULT_HOST_KEY_ALGOS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

interface Hop {
  readonly endpoint: SshEndpoint;
  readonly port: number;
  /** how errors describe this hop */
  readonly label: string;
  readonly isTarget: boolean;
}

interface OpenHop {
  readonly client: SshClient;
  readonly fingerprint: string;
}

type SshErrorWithLevel = Error & { level?: string; code?: string };

function signalExitCode(name: string | undefined): number {
  if (!name) return 255;
  const n = (osConstants.signals as Record<string, number | undefined>)[`SIG${name}`];
  return 128 + (n ?? 0);
}

/**
 * Sends an RFC 4254 "signal" request; sshd (≥ 7.9) then does killpg() on the session as the login user.
 * ssh2's Channel.signal() silently does nothing once our side sent EOF, which every command without stdin
 * does at once, so the request goes through ssh2's protocol object (pinned ssh2 ^1.17; checked shape).
 */
function signalChannel(channel: ClientChannel, name: string): void {
  const c = channel as unknown as {
    outgoing?: { id?: unknown; state?: unknown };
    _client?: { _protocol?: { signal?: (id: number, signal: string) => void } };
  };
  const proto = c._client?._protocol;
  const state = c.outgoing?.state;
  if ((state === 'open' || state === 'eof') && typeof c.outgoing?.id === 'number' && typeof proto?.signal === 'function') {
    proto.signal(c.outgoing.id, name);
  } else {
    channel.signal(name);
  }
}

function hopLabel(e: SshEndpoint, port: number, isTarget: boolean): string {
  const where = `${e.user}@${e.address}:${port}`;
  return isTarget ? where : `bastion ${e.name} (${where})`;
}

/** Node's socket errors in words, without Node's own `connect ECONNREFUSED <address>:<port>` (the caller names the address). */
const SOCKET_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused (ECONNREFUSED)',
  EHOSTUNREACH: 'no route to the host (EHOSTUNREACH)',
  ENETUNREACH: 'the network is unreachable (ENETUNREACH)',
  ENOTFOUND: 'the name does not resolve (ENOTFOUND)',
  EAI_AGAIN: 'the name could not be resolved now (EAI_AGAIN)',
};

export function socketReason(err: { readonly code?: string; readonly message: string }): string {
  return (err.code !== undefined ? SOCKET_REASONS[err.code] : undefined) ?? err.message;
}

/** Turns ssh2's connect-time error into a coded error naming the host (and the hop when a bastion). */
function mapConnectError(err: SshErrorWithLevel, hop: Hop, target: string, triedAuth: readonly string[]): HostError {
  const where = hop.isTarget ? hop.label : `${hop.label} on the way`;
  const level = err.level ?? '';
  const sysCode = err.code ?? '';
  let code: HostErrorCode;
  let message: string;
  if (level === 'client-authentication' || level === 'agent') {
    code = 'SSH_AUTH_FAILED';
    message = `authentication refused by ${where}${triedAuth.length ? ` (tried ${triedAuth.join(', ')})` : ''}`;
  } else if (level === 'client-timeout' || sysCode === 'ETIMEDOUT') {
    code = 'SSH_TIMEOUT';
    message = `no SSH handshake with ${where} in time (${err.message})`;
  } else if (level === 'client-socket' || level === 'client-dns') {
    code = ['ECONNRESET', 'EPIPE'].includes(sysCode) ? 'SSH_DISCONNECTED' : 'SSH_UNREACHABLE';
    message = `cannot connect to ${where}: ${socketReason(err)}`;
  } else {
    code = 'SSH_PROTOCOL';
    message = `SSH protocol failure with ${where}: ${err.message}`;
  }
  return new HostError(code, target, message, { cause: err });
}

interface PreparedAuth {
  readonly methods: readonly AnyAuthMethod[];
  /** for messages: what was tried */
  readonly describe: readonly string[];
}

async function loadPrivateKey(
  path: string,
  endpoint: SshEndpoint,
  target: string,
  secrets: SecretContext,
  passphraseCache: Map<string, string>,
  signal: AbortSignal | undefined,
): Promise<ParsedKey> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (err) {
    throw new HostError('SSH_KEY_UNREADABLE', target, `cannot read private key ${path} (for ${endpoint.name}): ${(err as Error).message}`, { cause: err });
  }
  const { utils } = await loadSsh2();
  const first = utils.parseKey(data);
  const pick = (k: ParsedKey | ParsedKey[] | Error): ParsedKey | Error => (Array.isArray(k) ? (k[0] ?? new Error('no key in file')) : k);
  let parsed = pick(first as ParsedKey | ParsedKey[] | Error);
  if (parsed instanceof Error && /passphrase/i.test(parsed.message)) {
    const envName = endpoint.auth.passphraseEnv;
    let passphrase = passphraseCache.get(path);
    if (passphrase === undefined) {
      passphrase = await resolveSecret(
        secrets,
        envName,
        { host: endpoint.name, kind: 'key-passphrase', message: `Enter passphrase for key '${path}': `, echo: false },
        { signal },
      );
    }
    if (passphrase === undefined) {
      throw new HostError(
        'SSH_SECRET_MISSING',
        target,
        envName
          ? `private key ${path} is encrypted and the environment variable ${envName} (its passphrase) is not set`
          : `private key ${path} is encrypted and no passphraseEnv is configured`,
      );
    }
    parsed = pick(utils.parseKey(data, passphrase) as ParsedKey | ParsedKey[] | Error);
    if (parsed instanceof Error) {
      throw new HostError('SSH_KEY_UNREADABLE', target, `cannot decrypt private key ${path}: wrong passphrase${envName ? ` in ${envName}` : ''}`);
    }
    passphraseCache.set(path, passphrase);
  }
  if (parsed instanceof Error) {
    throw new HostError('SSH_KEY_UNREADABLE', target, `cannot parse private key ${path}: ${parsed.message}`);
  }
  return parsed;
}

async function prepareAuth(
  endpoint: SshEndpoint,
  target: string,
  secrets: SecretContext,
  passphraseCache: Map<string, string>,
  signal: AbortSignal | undefined,
): Promise<PreparedAuth> {
  const a = endpoint.auth;
  const username = endpoint.user;
  const methods: AnyAuthMethod[] = [];
  const describe: string[] = [];
  if (a.agent) {
    const socket = typeof a.agent === 'string' ? a.agent : secrets.env['SSH_AUTH_SOCK'];
    if (socket) {
      methods.push({ type: 'agent', username, agent: socket });
      describe.push('ssh-agent');
    } else {
      describe.push('ssh-agent (skipped: SSH_AUTH_SOCK is not set)');
    }
  }
  for (const path of a.privateKeyPaths ?? []) {
    const key = await loadPrivateKey(path, endpoint, target, secrets, passphraseCache, signal);
    methods.push({ type: 'publickey', username, key });
    describe.push(`publickey ${path}`);
  }
  let password: string | undefined;
  if (a.passwordEnv !== undefined) {
    password = await resolveSecret(
      secrets,
      a.passwordEnv,
      { host: endpoint.name, kind: 'ssh-password', message: `${username}@${endpoint.address}'s password: `, echo: false },
      { signal },
    );
    if (password === undefined) {
      throw new HostError('SSH_SECRET_MISSING', target, `the environment variable ${a.passwordEnv} (SSH password for ${endpoint.name}) is not set`);
    }
  }
  const kbd = a.keyboardInteractive ?? (password !== undefined || secrets.prompt !== undefined);
  if (kbd) {
    let answeredPassword = false;
    methods.push({
      type: 'keyboard-interactive',
      username,
      prompt(_name: string, _instructions: string, _lang: string, prompts: Prompt[], finish: KeyboardInteractiveCallback) {
        void (async () => {
          const answers: string[] = [];
          for (const p of prompts) {
            if (/password/i.test(p.prompt) && password !== undefined) {
              // The same password twice means the first was refused: do not loop on it.
              answers.push(answeredPassword ? '' : password);
              answeredPassword = true;
            } else if (secrets.prompt) {
              answers.push(
                await secrets.prompt(
                  { host: endpoint.name, kind: 'keyboard-interactive', message: p.prompt, echo: p.echo ?? false },
                  { signal },
                ),
              );
            } else answers.push('');
          }
          finish(answers);
        })().catch(() => finish([]));
      },
    });
    describe.push('keyboard-interactive');
  }
  if (password !== undefined) {
    methods.push({ type: 'password', username, password });
    describe.push('password');
  }
  return { methods, describe };
}

/** ssh2 authHandler middleware walking our ordered list, skipping what the server does not allow. */
function authHandler(methods: readonly AnyAuthMethod[]) {
  let i = 0;
  return (methodsLeft: AuthenticationType[] | null, _partial: boolean | null, next: (m: AnyAuthMethod | false) => void): void => {
    while (i < methods.length) {
      const m = methods[i++]!;
      const wire = m.type === 'agent' ? 'publickey' : m.type;
      if (!methodsLeft || methodsLeft.includes(wire as AuthenticationType)) {
        next(m);
        return;
      }
    }
    next(false);
  };
}

interface HopContext {
  readonly target: string;
  readonly options: SshHostOptions;
  readonly passphraseCache: Map<string, string>;
  readonly signal: AbortSignal | undefined;
}

/** Opens one hop: its known host keys and credentials first, then the handshake (over `sock` when behind a bastion). */
async function openHop(hop: Hop, sock: Readable | undefined, ctx: HopContext): Promise<OpenHop> {
  const { endpoint, port } = hop;
  const keys = await readHopKnownKeys(endpoint, port, ctx.target, hop.label, ctx.options.logger);
  const auth = await prepareAuth(endpoint, ctx.target, ctx.options.secrets, ctx.passphraseCache, ctx.signal);
  const preferred = preferredHostKeyAlgorithms(keys.lookup);
  const hostKeyAlgos = [...preferred, ...DEFAULT_HOST_KEY_ALGOS.filter((a) => !preferred.includes(a))];
  const { Client } = await loadSsh2();
  const label = hop.isTarget ? `${ctx.target} (${keys.lookupName}:${port})` : `${endpoint.name} (${keys.lookupName}:${port})`;
  const check = new HostKeyCheck({ keys, port, target: ctx.target, hopName: endpoint.name, label, logger: ctx.options.logger });
  const config: ConnectConfig = {
    username: endpoint.user,
    hostVerifier: check.verify,
    authHandler: authHandler(auth.methods) as unknown as ConnectConfig['authHandler'],
    readyTimeout: ctx.options.connectTimeoutMs ?? SSH_DEFAULTS.connectTimeoutMs,
    keepaliveInterval: ctx.options.keepaliveIntervalMs ?? SSH_DEFAULTS.keepaliveIntervalMs,
    keepaliveCountMax: ctx.options.keepaliveCountMax ?? SSH_DEFAULTS.keepaliveCountMax,
    algorithms: { serverHostKey: hostKeyAlgos as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] },
    ...(sock ? { sock } : {}),
  };
  return handshake(new Client(), config, hop, ctx, check, auth);
}

/**
 * Connects `client` and settles once: ready (the key `check` accepted is the hop's fingerprint), or the first
 * failure — the host key refusal when there was one, else ssh2's error mapped — or the abort signal; a
 * failed client is destroyed.
 */
function handshake(client: SshClient, config: ConnectConfig, hop: Hop, ctx: HopContext, check: HostKeyCheck, auth: PreparedAuth): Promise<OpenHop> {
  return new Promise<OpenHop>((resolve, reject) => {
    let settled = false;
    const settle = (err: HostError | null): void => {
      if (settled) return;
      settled = true;
      ctx.signal?.removeEventListener('abort', onAbort);
      if (err) {
        client.removeAllListeners('ready');
        client.on('error', () => undefined);
        client.destroy();
        reject(err);
      } else {
        resolve({ client, fingerprint: fingerprintSha256(check.acceptedKey!) });
      }
    };
    const onAbort = (): void => settle(new HostError('HOST_ABORTED', ctx.target, `connecting to ${hop.label} was aborted`, { cause: ctx.signal?.reason }));
    if (ctx.signal?.aborted) {
      onAbort();
      return;
    }
    ctx.signal?.addEventListener('abort', onAbort, { once: true });

    client.once('ready', () => settle(null));
    client.on('error', (err: SshErrorWithLevel) => settle(check.refusal ?? mapConnectError(err, hop, ctx.target, auth.describe)));
    client.once('close', () =>
      settle(check.refusal ?? new HostError('SSH_DISCONNECTED', ctx.target, `${hop.label} closed the connection during the handshake`)),
    );
    // A direct hop's socket is opened here, after the abort check, so that a failed connect destroys it.
    const direct = config.sock ? null : connectTickCorked(hop.endpoint.address, hop.port);
    try {
      client.connect(direct ? { ...config, sock: direct } : config);
      // the handshake and every command are small request/response exchanges: with Nagle on, delayed ACKs
      // add ~40 ms to each (measured: exec 48 ms → 4 ms on loopback). No-op for a bastion-forwarded stream.
      client.setNoDelay(true);
    } catch (err) {
      direct?.destroy();
      settle(new HostError('SSH_PROTOCOL', ctx.target, `invalid SSH settings for ${hop.label}: ${(err as Error).message}`, { cause: err }));
    }
  });
}

/** A stream through `via` to the next hop (direct-tcpip, as ProxyJump does). */
function forwardTo(via: OpenHop, viaHop: Hop, next: Hop, target: string): Promise<Readable> {
  return new Promise((resolve, reject) => {
    via.client.forwardOut('127.0.0.1', 0, next.endpoint.address, next.port, (err, stream) => {
      if (err) {
        reject(
          new HostError('SSH_UNREACHABLE', target, `${viaHop.isTarget ? viaHop.label : viaHop.endpoint.name} cannot open a connection to ${next.endpoint.address}:${next.port}: ${err.message}`, {
            cause: err,
          }),
        );
        return;
      }
      resolve(stream);
    });
  });
}

class SshRunner implements CommandRunner {
  readonly info: HostInfo;
  private readonly hops: readonly OpenHop[];
  private readonly client: SshClient;
  private readonly limit: ConcurrencyLimit;
  private lostError: HostError | undefined;
  private closing = false;

  /** set once the connection (or a bastion's) dropped, or after close() */
  get lost(): HostError | undefined {
    return this.lostError ?? (this.closing ? new HostError('HOST_CLOSED', this.info.name, 'the connection was closed') : undefined);
  }

  constructor(info: HostInfo, hops: readonly OpenHop[], maxChannels: number) {
    this.info = info;
    this.hops = hops;
    this.client = hops[hops.length - 1]!.client;
    this.limit = new ConcurrencyLimit(maxChannels);
    hops.forEach((h, i) => {
      const onLost = (err?: SshErrorWithLevel): void => {
        if (this.closing || this.lostError) return;
        const which = i === hops.length - 1 ? 'the connection' : `the connection through bastion #${i + 1}`;
        this.lostError = new HostError(
          err?.level === 'client-timeout' ? 'SSH_TIMEOUT' : 'SSH_DISCONNECTED',
          info.name,
          `${which} was lost${err ? `: ${err.message}` : ''}`,
          { cause: err },
        );
      };
      h.client.on('error', onLost);
      h.client.on('close', () => onLost());
    });
  }

  run(req: RunRequest): Promise<RunResult> {
    return this.limit.run(() => this.runOne(req), req.signal).catch((err: unknown) => {
      if (err instanceof HostError) throw err;
      if (req.signal?.aborted) throw new HostError('HOST_ABORTED', this.info.name, 'the command was aborted', { cause: err });
      throw err;
    });
  }

  /**
   * Opens an exec channel. sshd frees a session slot slightly after the client sees the previous channel
   * close, so a refusal ("open failed") right at the MaxSessions limit is retried a few times with a short
   * backoff: the command has not started, so this is always safe.
   *
   * `bind` runs synchronously in ssh2's callback: a fast command's exit-status, EOF and CLOSE can arrive in
   * the same read as the exec confirmation, before any promise continuation would attach listeners.
   */
  private async openExec(command: string, signal: AbortSignal | undefined, bind: (channel: ClientChannel) => void): Promise<void> {
    const name = this.info.name;
    for (let attempt = 1; ; attempt++) {
      if (this.lostError) throw this.lostError;
      if (signal?.aborted) throw new HostError('HOST_ABORTED', name, 'the command was aborted', { cause: signal.reason });
      try {
        await new Promise<void>((resolve, reject) =>
          this.client.exec(command, (err: Error | undefined, channel: ClientChannel) => {
            if (err) {
              reject(err);
              return;
            }
            bind(channel);
            resolve();
          }),
        );
        return;
      } catch (err) {
        if (this.lostError) throw this.lostError;
        if (attempt >= 6) {
          throw new HostError('SSH_CHANNEL_FAILED', name, `cannot open a session channel after ${attempt} attempts: ${(err as Error).message}`, { cause: err });
        }
        await new Promise((r) => setTimeout(r, 25 * 2 ** (attempt - 1)));
      }
    }
  }

  private async runOne(req: RunRequest): Promise<RunResult> {
    let bound: Promise<RunResult> | undefined;
    await this.openExec(`sh -c ${quote(req.script)}`, req.signal, (channel) => {
      bound = this.drive(channel, req);
    });
    return bound!;
  }

  /** Collects a channel's output and exit status; attaches every listener before returning. */
  private drive(channel: ClientChannel, req: RunRequest): Promise<RunResult> {
    const name = this.info.name;
    return new Promise<RunResult>((resolve, reject) => {
      const out: Buffer[] = [];
      const errOut: Buffer[] = [];
      let size = 0;
      const max = req.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
      let exitCode: number | undefined;
      let exitSignal: string | undefined;
      let settled = false;
      let timer: NodeJS.Timeout | undefined;

      const finish = (error: HostError | null): void => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        req.signal?.removeEventListener('abort', onAbort);
        if (error) {
          reject(error);
          return;
        }
        resolve({
          stdout: Buffer.concat(out),
          stderr: Buffer.concat(errOut),
          exitCode: exitCode ?? signalExitCode(exitSignal),
          ...(exitSignal !== undefined ? { signal: exitSignal } : {}),
        });
      };
      const kill = (error: HostError): void => {
        finish(error);
        signalChannel(channel, 'KILL');
        channel.close();
      };
      const onAbort = (): void => kill(new HostError('HOST_ABORTED', name, 'the command was aborted and killed', { cause: req.signal?.reason }));
      req.signal?.addEventListener('abort', onAbort, { once: true });
      if (req.timeoutMs !== undefined) {
        timer = setTimeout(
          () => kill(new HostError('HOST_COMMAND_TIMEOUT', name, `a command ran longer than ${req.timeoutMs} ms and was killed`)),
          req.timeoutMs,
        );
      }
      const collect = (into: Buffer[]) => (chunk: Buffer) => {
        size += chunk.length;
        if (size > max) {
          kill(new HostError('HOST_OUTPUT_TOO_LARGE', name, `a command printed more than ${max} bytes; it was stopped`));
          return;
        }
        into.push(chunk);
      };
      channel.on('data', collect(out));
      channel.stderr.on('data', collect(errOut));
      channel.on('exit', (code: number | null, signalName?: string) => {
        if (code !== null && code !== undefined) exitCode = code;
        else exitSignal = signalName;
      });
      channel.on('close', () => {
        if (exitCode === undefined && exitSignal === undefined) {
          finish(this.lostError ?? new HostError('SSH_DISCONNECTED', name, 'the channel closed before the command reported its exit status'));
          return;
        }
        finish(null);
      });
      channel.on('error', (e: Error) => finish(new HostError('SSH_DISCONNECTED', name, `channel error: ${e.message}`, { cause: e })));

      const stdin = req.stdin;
      if (stdin === undefined) channel.end();
      else if (stdin instanceof Uint8Array) channel.end(Buffer.from(stdin.buffer, stdin.byteOffset, stdin.byteLength));
      else {
        stdin.on('error', (e: Error) =>
          kill(new HostError('HOST_UPLOAD_FAILED', name, `reading the local input failed: ${e.message}`, { cause: e })),
        );
        stdin.pipe(channel);
      }
    });
  }

  /**
   * Whether the server answers now: one `keepalive@openssh.com` global request (what ssh2's keepalive sends),
   * no session, no process on the host. Its reply is matched in order like ssh2's own keepalives (pinned ssh2
   * ^1.17; checked shape); without that shape, a `true` command answers instead.
   */
  async ping(timeoutMs: number): Promise<boolean> {
    if (this.lost) return false;
    const c = this.client as unknown as { _callbacks?: unknown; _protocol?: { ping?: () => void } };
    const answered = new Promise<boolean>((resolve) => {
      if (Array.isArray(c._callbacks) && typeof c._protocol?.ping === 'function') {
        (c._callbacks as Array<(err: boolean) => void>).push(() => resolve(true));
        c._protocol.ping();
      } else {
        this.run({ script: 'true', timeoutMs }).then((r) => resolve(r.exitCode === 0), () => resolve(false));
      }
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      return (await Promise.race([answered, late])) && this.lost === undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const h of [...this.hops].reverse()) {
      await new Promise<void>((resolve) => {
        const c = h.client;
        const t = setTimeout(() => {
          c.destroy();
          resolve();
        }, 2_000);
        t.unref();
        c.once('close', () => {
          clearTimeout(t);
          resolve();
        });
        c.end();
      });
    }
  }
}

/**
 * Opens the connection (bastions first) and returns the RemoteHost. Rejects with HostError naming
 * `options.name`; on failure every hop opened so far is closed.
 */
export async function connectSsh(options: SshHostOptions, ctx: { signal?: AbortSignal } = {}): Promise<RemoteHost> {
  const runner = await openSshRunner(options, ctx);
  return new RunnerHost(runner, {
    secrets: options.secrets,
    ...(options.sudo ? { sudo: options.sudo } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
}

/**
 * The connection alone, as a CommandRunner (what the connection keeper holds between runs: ssh-keeper/).
 * Rejects like connectSsh. `lost` tells whether the connection has dropped since it was opened.
 */
export async function openSshRunner(options: SshHostOptions, ctx: { signal?: AbortSignal } = {}): Promise<CommandRunner & { readonly lost: HostError | undefined; ping(timeoutMs: number): Promise<boolean> }> {
  const endpoints: SshEndpoint[] = [...(options.bastions ?? []), options];
  const hops: Hop[] = endpoints.map((e, i) => {
    const port = e.port ?? SSH_DEFAULTS.port;
    const isTarget = i === endpoints.length - 1;
    return { endpoint: e, port, isTarget, label: hopLabel(e, port, isTarget) };
  });
  const hopCtx: HopContext = { target: options.name, options, passphraseCache: new Map(), signal: ctx.signal };
  const opened: OpenHop[] = [];
  try {
    for (const [i, hop] of hops.entries()) {
      const sock = i === 0 ? undefined : await forwardTo(opened[i - 1]!, hops[i - 1]!, hop, options.name);
      opened.push(await openHop(hop, sock, hopCtx));
      options.logger?.debug('ssh hop connected', { host: options.name, hop: hop.label });
    }
  } catch (err) {
    for (const h of opened.reverse()) h.client.destroy();
    throw err;
  }
  const info: HostInfo = {
    name: options.name,
    transport: 'ssh',
    address: options.address,
    port: hops[hops.length - 1]!.port,
    user: options.user,
    hostKeyFingerprint: opened[opened.length - 1]!.fingerprint,
  };
  return new SshRunner(info, opened, options.maxChannels ?? SSH_DEFAULTS.maxChannels);
}
