/**
 * A run's way to the connection keeper: finds it on its socket (starting it when none answers), asks it for
 * a host's connection (OPEN), and returns a KeptRunner. `open` resolves null when the connection must not
 * or cannot be kept — the spec needs a secret, the keeper cannot be started or its directory is not private,
 * the keeper could not open a key without a passphrase — and the caller then connects directly; SSH's own
 * failures (host key, authentication, unreachable) reject with their HostError as a direct connection would.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../../common/logger.js';
import { HostError } from '../host-error.js';
import type { HostInfo } from '../remote-host.js';
import type { SshHostOptions } from '../ssh-options.js';
import { FRAME, FrameDecoder, encodeFrame, frameJson, type Frame } from './keeper-frames.js';
import { fromWireError, KEEPER_INTERNAL, KEEPER_PROTOCOL, wireSpec, type KeptConnection, type WireError, type WireLog } from './keeper-messages.js';
import { KeeperError } from './keeper-error.js';
import { ensurePrivateDir } from './keeper-paths.js';
import { KeptRunner } from './kept-runner.js';

export interface KeeperClientOptions {
  readonly socketPath: string;
  /** how long the keeper keeps a connection after this run leaves it */
  readonly persistMs: number;
  /** starts a keeper listening on the socket; default: the built keeper-main.js, detached */
  readonly start?: (socketPath: string) => Promise<void>;
  /** how long to wait for a started keeper to answer; default 5 s */
  readonly startTimeoutMs?: number;
  readonly logger?: Logger;
}

const errnoOf = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | undefined)?.code;

function dial(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    socket.once('connect', () => {
      socket.removeListener('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** A socket to the keeper listening on `path`, or null when none does (no socket, or a stale one). */
async function dialIfListening(path: string): Promise<Socket | null> {
  try {
    return await dial(path);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT' || errnoOf(err) === 'ECONNREFUSED') return null;
    throw err;
  }
}

class ClosedBeforeAnswer extends Error {}

/** Asks the keeper on `socket` what it keeps (LIST → LISTED), then closes the socket; ClosedBeforeAnswer when it hung up first. */
function askList(socket: Socket): Promise<KeptConnection[]> {
  return new Promise<KeptConnection[]>((resolve, reject) => {
    const decoder = new FrameDecoder();
    socket.on('data', (chunk: Buffer) => {
      const f = decoder.push(chunk).find((x) => x.type === FRAME.LISTED);
      if (f) {
        socket.destroy();
        resolve(frameJson<KeptConnection[]>(f));
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new ClosedBeforeAnswer('closed before answering')));
    socket.write(encodeFrame(FRAME.LIST, 0));
  });
}

/** The built entry point: beside this file in the bundled CLI (dist/cli), else in dist/src/provisioner. */
function keeperMain(): string {
  const candidates = [new URL('./keeper-main.js', import.meta.url), new URL('../../keeper-main.js', import.meta.url)].map((u) => fileURLToPath(u));
  const found = candidates.find((c) => existsSync(c));
  if (found) return found;
  // running from TypeScript sources (tests): the build's copy
  return candidates[1]!.replace(/\/src\/provisioner\/keeper-main\.js$/, '/dist/src/provisioner/keeper-main.js');
}

/** Spawns the keeper detached from this run, with a minimal environment (no secret variables), stderr to a log. */
export async function spawnKeeper(socketPath: string): Promise<void> {
  const main = keeperMain();
  if (!existsSync(main)) throw new KeeperError('SSH_KEEPER_UNAVAILABLE', `${main} is missing (run npm run build)`);
  const log = await openFile(join(dirname(socketPath), 'ssh-keeper.log'), 'a', 0o600);
  try {
    const env: Record<string, string> = {};
    for (const k of ['PATH', 'HOME', 'LANG', 'TZ']) if (process.env[k] !== undefined) env[k] = process.env[k]!;
    const child = spawn(process.execPath, [main, socketPath], { detached: true, stdio: ['ignore', 'ignore', log.fd], env });
    child.on('error', () => undefined);
    child.unref();
  } finally {
    await log.close();
  }
}

export class KeeperClient {
  private starting: Promise<void> | undefined;
  private dirChecked: Promise<boolean> | undefined;

  constructor(private readonly options: KeeperClientOptions) {}

  /** The host's kept connection, or null when it is not to be kept (see the file comment). */
  async open(spec: SshHostOptions, signal?: AbortSignal): Promise<KeptRunner | null> {
    const wire = wireSpec(spec);
    if (wire === null) return null;
    const logger = spec.logger ?? this.options.logger;
    // a keeper that exits as this run reaches it (its linger ran out) is started again, once
    for (let attempt = 1; ; attempt++) {
      let socket: Socket;
      try {
        socket = await this.reach();
      } catch (err) {
        logger?.debug('the SSH connection keeper is not used', { reason: (err as Error).message });
        throw err instanceof KeeperError ? err : new KeeperError('SSH_KEEPER_UNAVAILABLE', `cannot reach the SSH connection keeper: ${(err as Error).message}`, { cause: err });
      }
      socket.write(encodeFrame(FRAME.OPEN, 0, { protocol: KEEPER_PROTOCOL, spec: wire, persistMs: this.options.persistMs }));
      try {
        const info = await this.awaitOpened(socket, spec, signal, logger);
        return info === null ? null : new KeptRunner(info, socket, logger);
      } catch (err) {
        if (!(err instanceof KeeperError) || attempt >= 2) throw err;
        this.starting = undefined;
      }
    }
  }

  /** The keeper's connections; [] when no keeper runs (or it is exiting). */
  async list(): Promise<KeptConnection[]> {
    const socket = await this.dialExisting();
    if (!socket) return [];
    return askList(socket).catch((err: unknown) => {
      if (err instanceof ClosedBeforeAnswer) return [];
      throw err;
    });
  }

  /** Asks the keeper to close every connection and exit; false when none was running. */
  async shutdown(): Promise<boolean> {
    const socket = await this.dialExisting();
    if (!socket) return false;
    await new Promise<void>((resolve) => {
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
      socket.end(encodeFrame(FRAME.SHUTDOWN, 0));
    });
    return true;
  }

  /** A socket to the running keeper, or null when none runs (nothing is created to find out). */
  private async dialExisting(): Promise<Socket | null> {
    if (!(await ensurePrivateDir(this.options.socketPath, { create: false }))) return null;
    return dialIfListening(this.options.socketPath);
  }

  /** A socket to a running keeper; starts one (once per run) when none answers. */
  private async reach(): Promise<Socket> {
    const path = this.options.socketPath;
    // checked once per run, not once per host
    await (this.dirChecked ??= ensurePrivateDir(path));
    const existing = await dialIfListening(path);
    if (existing) return existing;
    this.starting ??= this.startKeeper();
    await this.starting;
    return dial(path);
  }

  private async startKeeper(): Promise<void> {
    const path = this.options.socketPath;
    // the keeper binds a temporary name and renames it over `path`: a stale socket (a killed keeper) is
    // replaced atomically, and a client never removes a socket another keeper may just have made
    await (this.options.start ?? spawnKeeper)(path);
    const deadline = Date.now() + (this.options.startTimeoutMs ?? 5_000);
    for (;;) {
      try {
        await askList(await dial(path));
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new KeeperError('SSH_KEEPER_UNAVAILABLE', `the SSH connection keeper did not answer on ${path} in time (${errnoOf(err) ?? (err as Error).message})`);
        await new Promise((r) => setTimeout(r, 15));
      }
    }
  }

  /** Reads LOG frames until OPENED (→ info) or FAILED (→ HostError, or null for a missing secret). */
  private awaitOpened(socket: Socket, spec: SshHostOptions, signal: AbortSignal | undefined, logger: Logger | undefined): Promise<HostInfo | null> {
    const name = spec.name;
    return new Promise<HostInfo | null>((resolve, reject) => {
      const decoder = new FrameDecoder();
      const cleanup = (): void => {
        socket.removeListener('data', onData);
        socket.removeListener('close', onClose);
        signal?.removeEventListener('abort', onAbort);
      };
      const onFrame = (f: Frame): boolean => {
        if (f.type === FRAME.LOG) {
          const log = frameJson<WireLog>(f);
          logger?.[log.level](log.message, log.fields);
          return false;
        }
        cleanup();
        if (f.type === FRAME.OPENED) resolve(frameJson<HostInfo>(f));
        else if (f.type === FRAME.FAILED) {
          socket.destroy();
          const wire = frameJson<WireError>(f);
          const err = fromWireError(wire);
          if (wire.code === KEEPER_INTERNAL) reject(new KeeperError('SSH_KEEPER_UNAVAILABLE', wire.detail));
          // the keeper cannot ask for a passphrase or answer keyboard-interactive; a direct connection can when
          // a person is there (or says what to set)
          else if (err.code === 'SSH_SECRET_MISSING' || (err.code === 'SSH_AUTH_FAILED' && spec.secrets.prompt !== undefined)) resolve(null);
          else reject(err);
        } else {
          socket.destroy();
          reject(new KeeperError('SSH_KEEPER_UNAVAILABLE', `unexpected answer ${f.type} from the SSH connection keeper`));
        }
        return true;
      };
      const onData = (chunk: Buffer): void => {
        for (const f of decoder.push(chunk)) if (onFrame(f)) return;
      };
      const onClose = (): void => {
        cleanup();
        reject(new KeeperError('SSH_KEEPER_UNAVAILABLE', 'the SSH connection keeper closed the socket while opening the connection'));
      };
      const onAbort = (): void => {
        cleanup();
        socket.destroy();
        reject(new HostError('HOST_ABORTED', name, 'connecting was aborted', { cause: signal?.reason }));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.on('data', onData);
      socket.on('close', onClose);
      socket.on('error', () => undefined);
    });
  }
}
