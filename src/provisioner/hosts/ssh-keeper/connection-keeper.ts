/**
 * The connection keeper: a background process of the operator's own (OpenSSH's ControlPersist, Ansible's
 * default) that holds authenticated SSH connections between scmctl runs, so a re-run does not pay a TCP +
 * key exchange + authentication per host. It listens on a Unix socket in a 0700 directory of the operator
 * (keeper-paths.ts); each client socket speaks for one host connection (OPEN), then runs commands over it
 * (RUN/STDIN/ABORT), each an exec channel of the kept connection, exactly as a direct connection runs them
 * (ssh-host.ts's runner does the work; timeouts, output limits and kills behave the same).
 *
 * Lifetime: a connection stays open `persistMs` after its last client left, then closes; a connection found
 * lost (sshd restarted, keepalives unanswered) is dropped and the next OPEN dials again. The keeper exits
 * when it keeps nothing and serves nobody, when no client came within `startGraceMs` of its start, on
 * SHUTDOWN (`scmctl connections --close`) and on SIGTERM. A client that goes away kills its running
 * commands, as the end of an SSH session would.
 */
import type { Server, Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import type { Logger, LogFields, LogLevel } from '../../../common/logger.js';
import type { CommandRunner } from '../command-runner.js';
import type { HostError } from '../host-error.js';
import { FRAME, FrameDecoder, OUTPUT_CHUNK, encodeFrame, frameJson, type Frame, type FrameType } from './keeper-frames.js';
import { describeTarget, KEEPER_PROTOCOL, specKey, toWireError, type KeptConnection, type OpenRequest, type RunHeader, type WireSpec } from './keeper-messages.js';

export type KeptRunner = CommandRunner & {
  readonly lost: HostError | undefined;
  /** whether the server answers within timeoutMs (an SSH-level request when the transport has one) */
  ping?(timeoutMs: number): Promise<boolean>;
};

export interface KeeperOptions {
  /** opens one SSH connection (ssh-host.ts's openSshRunner in the keeper process) */
  readonly openRunner: (spec: WireSpec, logger: Logger) => Promise<KeptRunner>;
  /** called once when the keeper should exit: nothing kept, nobody served, or SHUTDOWN */
  readonly onIdle: () => void;
  /** exit when no client came this long after start; default 10 s */
  readonly startGraceMs?: number;
  /** once nothing is kept and nobody is served, exit after this long unless a client comes; default 1 s */
  readonly lingerMs?: number;
  /** a connection idle longer than this is checked (one `true`) before it is handed to a run; default 5 s */
  readonly checkIdleAfterMs?: number;
  readonly now?: () => number;
}

interface Entry {
  readonly key: string;
  readonly spec: WireSpec;
  readonly runner: Promise<KeptRunner>;
  /** set once the runner is open */
  ready: KeptRunner | undefined;
  readonly openedAt: number;
  clients: number;
  idleSince: number | null;
  persistMs: number;
  timer: NodeJS.Timeout | undefined;
}

/** One client socket: the connection it speaks for, its running commands, how to answer it. */
interface Session {
  readonly socket: Socket;
  readonly runs: Map<number, Running>;
  readonly send: (type: FrameType, id: number, payload?: object | Uint8Array) => void;
  entry: Entry | undefined;
}

interface Running {
  readonly abort: AbortController;
  readonly stdin: PassThrough | undefined;
}

/** A Logger whose records go to the client as LOG frames (the set-up's messages: accept-new, retries). */
function frameLogger(send: (type: FrameType, id: number, payload: object) => void, base: LogFields = {}): Logger {
  const emit = (level: LogLevel) => (message: string, fields?: LogFields) => send(FRAME.LOG, 0, { level, message, fields: { ...base, ...fields } });
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error'), child: (f) => frameLogger(send, { ...base, ...f }) };
}

export class ConnectionKeeper {
  private readonly entries = new Map<string, Entry>();
  private readonly clients = new Set<Socket>();
  private readonly now: () => number;
  private graceTimer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(private readonly options: KeeperOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Serves `server`'s connections; starts the start-grace timer. */
  serve(server: Server): void {
    server.on('connection', (socket) => this.accept(socket));
    this.graceTimer = setTimeout(() => {
      if (this.entries.size === 0 && this.clients.size === 0) this.end();
    }, this.options.startGraceMs ?? 10_000);
  }

  list(): KeptConnection[] {
    const now = this.now();
    return [...this.entries.values()].map((e) => ({
      host: e.spec.name,
      target: describeTarget(e.spec),
      clients: e.clients,
      openedAt: new Date(e.openedAt).toISOString(),
      idleMs: e.idleSince === null ? null : now - e.idleSince,
      persistMs: e.persistMs,
    })).sort((a, b) => a.host.localeCompare(b.host, 'en', { numeric: true }) || a.target.localeCompare(b.target));
  }

  /** Closes every kept connection, then reports idle. */
  async shutdown(): Promise<void> {
    const all = [...this.entries.values()];
    for (const e of all) this.drop(e);
    for (const c of this.clients) c.destroy();
    await Promise.allSettled(all.map(async (e) => (await e.runner).close()));
    this.end();
  }

  private accept(socket: Socket): void {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    this.clients.add(socket);
    const decoder = new FrameDecoder();
    const session: Session = {
      socket,
      runs: new Map(),
      send: (type, id, payload = {}) => {
        if (!socket.destroyed) socket.write(encodeFrame(type, id, payload));
      },
      entry: undefined,
    };
    socket.on('data', (chunk: Buffer) => {
      let frames: Frame[];
      try {
        frames = decoder.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      try {
        for (const f of frames) this.onFrame(f, session);
      } catch {
        // a malformed frame (JSON, shape): this client is cut off, the keeper and the other clients go on
        socket.destroy();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.clients.delete(socket);
      for (const r of session.runs.values()) r.abort.abort(new Error('the client went away'));
      session.runs.clear();
      if (session.entry) this.release(session.entry);
      this.checkIdle();
    });
  }

  private onFrame(f: Frame, s: Session): void {
    switch (f.type) {
      case FRAME.OPEN:
        if (s.entry === undefined) this.open(frameJson<OpenRequest>(f), s).catch(() => s.socket.destroy());
        else s.socket.destroy();
        return;
      case FRAME.RUN: {
        const e = s.entry;
        if (e === undefined || s.runs.has(f.id)) {
          s.socket.destroy();
          return;
        }
        this.run(e, f.id, frameJson<RunHeader>(f), s);
        return;
      }
      case FRAME.STDIN: {
        // credited back once the command took it; the socket is never paused for one command's input
        const stdin = s.runs.get(f.id)?.stdin;
        const bytes = f.payload.length;
        if (stdin && !stdin.destroyed) stdin.write(f.payload, () => s.send(FRAME.CREDIT, f.id, { bytes }));
        return;
      }
      case FRAME.STDIN_END:
        s.runs.get(f.id)?.stdin?.end();
        return;
      case FRAME.ABORT:
        s.runs.get(f.id)?.abort.abort(new Error('aborted by the client'));
        return;
      case FRAME.LIST:
        s.send(FRAME.LISTED, 0, this.list());
        return;
      case FRAME.SHUTDOWN:
        void this.shutdown();
        return;
      default:
        s.socket.destroy();
    }
  }

  private async open(req: OpenRequest, s: Session): Promise<void> {
    if (req.protocol !== KEEPER_PROTOCOL || typeof req.spec?.name !== 'string' || typeof req.persistMs !== 'number') {
      s.socket.destroy();
      return;
    }
    const key = specKey(req.spec);
    let e = this.entries.get(key);
    if (e) {
      if (!(await this.usable(e))) this.drop(e);
      // the same when usable; one another client opened meanwhile; or none (dropped, or its time ran out)
      e = this.entries.get(key);
    }
    if (!e) {
      const opening: Entry = { key, spec: req.spec, runner: this.options.openRunner(req.spec, frameLogger(s.send)), ready: undefined, openedAt: this.now(), clients: 0, idleSince: null, persistMs: req.persistMs, timer: undefined };
      this.entries.set(key, opening);
      opening.runner.then(
        (r) => {
          opening.ready = r;
        },
        () => {
          if (this.entries.get(key) === opening) this.entries.delete(key);
        },
      );
      e = opening;
    }
    // counted before the await: a connection being opened for this client is not idle
    e.clients += 1;
    e.persistMs = req.persistMs;
    e.idleSince = null;
    if (e.timer) clearTimeout(e.timer);
    e.timer = undefined;
    s.entry = e;
    try {
      const runner = await e.runner;
      s.send(FRAME.OPENED, 0, runner.info);
    } catch (err) {
      s.send(FRAME.FAILED, 0, toWireError(err, req.spec.name));
      s.socket.end();
    }
  }

  /**
   * Whether a kept connection may be handed out: not known lost, and, when it sat idle a while, answering a
   * ping (a connection cut without a FIN — a partition, a suspended VM — is found only by keepalives, up to
   * 45 s late).
   */
  private async usable(e: Entry): Promise<boolean> {
    if (e.ready === undefined) return true; // being opened: the run waits for it
    if (e.ready.lost !== undefined) return false;
    if (e.idleSince === null || this.now() - e.idleSince < (this.options.checkIdleAfterMs ?? 5_000)) return true;
    if (e.ready.ping) return e.ready.ping(3_000);
    try {
      return (await e.ready.run({ script: 'true', timeoutMs: 3_000 })).exitCode === 0;
    } catch {
      return false;
    }
  }

  private run(e: Entry, id: number, header: RunHeader, s: Session): void {
    const abort = new AbortController();
    const stdin = header.stdin ? new PassThrough() : undefined;
    s.runs.set(id, { abort, stdin });
    void (async () => {
      try {
        const runner = await e.runner;
        const result = await runner.run({
          script: header.script,
          ...(stdin ? { stdin } : {}),
          ...(header.timeoutMs !== undefined ? { timeoutMs: header.timeoutMs } : {}),
          ...(header.maxOutputBytes !== undefined ? { maxOutputBytes: header.maxOutputBytes } : {}),
          signal: abort.signal,
        });
        for (let at = 0; at < result.stdout.length; at += OUTPUT_CHUNK) s.send(FRAME.STDOUT, id, result.stdout.subarray(at, at + OUTPUT_CHUNK));
        for (let at = 0; at < result.stderr.length; at += OUTPUT_CHUNK) s.send(FRAME.STDERR, id, result.stderr.subarray(at, at + OUTPUT_CHUNK));
        s.send(FRAME.RESULT, id, { exitCode: result.exitCode, ...(result.signal !== undefined ? { signal: result.signal } : {}) });
      } catch (err) {
        s.send(FRAME.FAILED, id, toWireError(err, e.spec.name));
      } finally {
        s.runs.delete(id);
        // input the command did not read is dropped (later STDIN frames of this id are ignored)
        stdin?.destroy();
      }
    })();
  }

  private release(e: Entry): void {
    e.clients -= 1;
    if (e.clients > 0 || this.entries.get(e.key) !== e) return;
    e.idleSince = this.now();
    e.timer = setTimeout(() => {
      this.drop(e);
      this.checkIdle();
    }, e.persistMs);
  }

  /** Forgets the entry and closes its connection (in the background). */
  private drop(e: Entry): void {
    if (e.timer) clearTimeout(e.timer);
    if (this.entries.get(e.key) === e) this.entries.delete(e.key);
    e.runner.then((r) => r.close()).catch(() => undefined);
  }

  /** Nothing kept, nobody served: exit after the linger, unless a client comes meanwhile (accept clears it). */
  private checkIdle(): void {
    if (this.entries.size > 0 || this.clients.size > 0 || this.ended) return;
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = setTimeout(() => {
      if (this.entries.size === 0 && this.clients.size === 0) this.end();
    }, this.options.lingerMs ?? 1_000);
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.options.onIdle();
  }
}
