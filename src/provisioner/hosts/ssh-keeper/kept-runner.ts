/**
 * The client side of one kept connection: a CommandRunner whose commands run on the keeper's SSH connection
 * (connection-keeper.ts). It behaves as ssh-host.ts's runner does — same result, same HostError codes
 * (the keeper sends its errors back coded) — so RunnerHost, sudo and batching work on it unchanged.
 * An abort is answered at once (HOST_ABORTED) and the keeper kills the command; if the keeper goes away,
 * every running command fails with SSH_DISCONNECTED and the runner is closed.
 */
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { Logger } from '../../../common/logger.js';
import type { CommandRunner, RunRequest, RunResult } from '../command-runner.js';
import { HostError } from '../host-error.js';
import type { HostInfo } from '../remote-host.js';
import { FRAME, FrameDecoder, STDIN_WINDOW, encodeFrame, frameJson, type Frame } from './keeper-frames.js';
import { fromWireError, type WireError, type WireLog, type WireResult } from './keeper-messages.js';

interface Pending {
  readonly resolve: (r: RunResult) => void;
  readonly reject: (e: unknown) => void;
  readonly stdout: Buffer[];
  readonly stderr: Buffer[];
  /** stdin bytes sent and not yet credited back by the keeper */
  inFlight: number;
  /** wakes the stdin pump: credit came, the socket drained, or the command ended */
  wake: (() => void) | undefined;
}

/** How long close() waits for the keeper to acknowledge before cutting the socket. */
const CLOSE_TIMEOUT_MS = 2_000;

export class KeptRunner implements CommandRunner {
  private readonly pending = new Map<number, Pending>();
  private readonly decoder = new FrameDecoder();
  private nextId = 1;
  private gone: HostError | undefined;

  /** `socket` has been answered OPENED with `info` (the keeper sends nothing more until asked) */
  constructor(
    readonly info: HostInfo,
    private readonly socket: Socket,
    private readonly logger: Logger | undefined,
  ) {
    socket.on('data', (chunk: Buffer) => {
      let frames: Frame[];
      try {
        frames = this.decoder.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      try {
        for (const f of frames) this.onFrame(f);
      } catch {
        socket.destroy();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.fail(new HostError('SSH_DISCONNECTED', info.name, 'the SSH connection keeper went away')));
  }

  run(req: RunRequest): Promise<RunResult> {
    const name = this.info.name;
    if (this.gone) return Promise.reject(this.gone);
    if (req.signal?.aborted) return Promise.reject(new HostError('HOST_ABORTED', name, 'the command was aborted', { cause: req.signal.reason }));
    const id = this.nextId++;
    return new Promise<RunResult>((resolve, reject) => {
      const onAbort = (): void => {
        const p = this.pending.get(id);
        if (!p) return;
        this.pending.delete(id);
        p.wake?.();
        this.write(FRAME.ABORT, id);
        reject(new HostError('HOST_ABORTED', name, 'the command was aborted and killed', { cause: req.signal?.reason }));
      };
      const done = <T>(f: (v: T) => void) => (v: T) => {
        req.signal?.removeEventListener('abort', onAbort);
        f(v);
      };
      this.pending.set(id, { resolve: done(resolve), reject: done(reject), stdout: [], stderr: [], inFlight: 0, wake: undefined });
      req.signal?.addEventListener('abort', onAbort, { once: true });
      this.write(FRAME.RUN, id, {
        script: req.script,
        stdin: req.stdin !== undefined,
        ...(req.timeoutMs !== undefined ? { timeoutMs: req.timeoutMs } : {}),
        ...(req.maxOutputBytes !== undefined ? { maxOutputBytes: req.maxOutputBytes } : {}),
      });
      if (req.stdin instanceof Uint8Array) {
        if (req.stdin.byteLength > 0) this.write(FRAME.STDIN, id, req.stdin);
        this.write(FRAME.STDIN_END, id);
      } else if (req.stdin !== undefined) {
        void this.pipeStdin(id, req.stdin);
      }
    });
  }

  async close(): Promise<void> {
    this.fail(new HostError('HOST_CLOSED', this.info.name, 'this connection was closed'));
    if (this.socket.destroyed) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => this.socket.destroy(), CLOSE_TIMEOUT_MS);
      this.socket.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      this.socket.end();
    });
  }

  /**
   * Streams stdin within the command's credit window (keeper-frames.ts STDIN_WINDOW) and the socket's own
   * backpressure; stops as soon as the command has ended (its unread input is not sent).
   */
  private async pipeStdin(id: number, stdin: Readable): Promise<void> {
    const waitFor = (p: Pending, ready: () => boolean): Promise<void> =>
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (ready() || !this.pending.has(id) || this.socket.destroyed) {
            p.wake = undefined;
            this.socket.removeListener('drain', check);
            resolve();
          }
        };
        p.wake = check;
        this.socket.on('drain', check);
        check();
      });
    try {
      for await (const chunk of stdin) {
        const p = this.pending.get(id);
        if (!p || this.socket.destroyed) return;
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
        await waitFor(p, () => p.inFlight < STDIN_WINDOW);
        if (!this.pending.has(id) || this.socket.destroyed) return;
        p.inFlight += bytes.length;
        if (!this.write(FRAME.STDIN, id, bytes)) await waitFor(p, () => this.socket.writableLength === 0);
      }
      if (this.pending.has(id)) this.write(FRAME.STDIN_END, id);
    } catch (err) {
      const p = this.pending.get(id);
      if (!p) return;
      this.pending.delete(id);
      this.write(FRAME.ABORT, id);
      p.reject(new HostError('HOST_UPLOAD_FAILED', this.info.name, `reading the local input failed: ${(err as Error).message}`, { cause: err }));
    }
  }

  private write(type: (typeof FRAME)[keyof typeof FRAME], id: number, payload?: object | Uint8Array): boolean {
    if (this.socket.destroyed) return true;
    return this.socket.write(encodeFrame(type, id, payload));
  }

  private onFrame(f: Frame): void {
    if (f.type === FRAME.LOG) {
      const log = frameJson<WireLog>(f);
      this.logger?.[log.level](log.message, log.fields);
      return;
    }
    const p = this.pending.get(f.id);
    if (!p) return;
    switch (f.type) {
      case FRAME.CREDIT:
        p.inFlight -= frameJson<{ bytes: number }>(f).bytes;
        p.wake?.();
        return;
      case FRAME.STDOUT:
        p.stdout.push(f.payload);
        return;
      case FRAME.STDERR:
        p.stderr.push(f.payload);
        return;
      case FRAME.RESULT: {
        this.pending.delete(f.id);
        p.wake?.();
        const r = frameJson<WireResult>(f);
        p.resolve({ stdout: Buffer.concat(p.stdout), stderr: Buffer.concat(p.stderr), exitCode: r.exitCode, ...(r.signal !== undefined ? { signal: r.signal } : {}) });
        return;
      }
      case FRAME.FAILED:
        this.pending.delete(f.id);
        p.wake?.();
        p.reject(fromWireError(frameJson<WireError>(f)));
        return;
      default:
        return;
    }
  }

  private fail(err: HostError): void {
    this.gone ??= err;
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) {
      p.wake?.();
      p.reject(this.gone);
    }
  }
}
