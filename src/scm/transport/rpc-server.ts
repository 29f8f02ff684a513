/**
 * One RPC listener (one SCM port). Methods are registered as unary (`result`) or streaming (an
 * AsyncIterable of byte chunks, sent as CHUNK frames with socket back-pressure). Requests on a connection
 * run concurrently; each gets an AbortSignal that fires on CANCEL, connection loss or server close.
 * Errors become ERROR frames: CodedErrors keep their code/message/hint; NotLeaderError-like errors carry
 * Ozone's not-leader text and the `leader` hint (host:port of this protocol on the leader).
 */
import type { AddressInfo, Server, Socket } from 'node:net';
import { isCodedError } from '../../common/coded-error.js';
import type { Logger } from '../../common/logger.js';
import { silentLogger } from '../../common/logger.js';
import { FrameDecoder, encodeFrame } from './frame-codec.js';
import { RPC_KIND, decodePayload, encodePayload, type ErrorHeader } from './rpc-protocol.js';
import { listenExclusive } from './listen-exclusive.js';
import { createListener, type TlsMaterial } from './tls-options.js';

export interface RpcContext {
  readonly signal: AbortSignal;
  /** remote address of the caller */
  readonly remote: string;
}

export type UnaryHandler = (params: unknown, ctx: RpcContext) => Promise<unknown>;
export type StreamHandler = (params: unknown, ctx: RpcContext) => AsyncIterable<Uint8Array>;

/** Thrown by handlers to send a coded error with an optional leader hint. */
export interface RpcFailure {
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  readonly leader?: string;
}

/** Maps handler errors to wire errors; the server composition installs one that knows NotLeader. */
export type ErrorMapper = (err: unknown) => RpcFailure;

export const defaultErrorMapper: ErrorMapper = (err) =>
  isCodedError(err)
    ? { code: err.code, message: err.message, ...(err.hint === undefined ? {} : { hint: err.hint }) }
    : { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };

export class RpcServer {
  private readonly unary = new Map<string, UnaryHandler>();
  private readonly streams = new Map<string, StreamHandler>();
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly inflight = new Set<AbortController>();

  constructor(
    readonly name: string,
    private readonly options: {
      tls?: TlsMaterial;
      logger?: Logger;
      errorMapper?: ErrorMapper;
      /** told about every finished call (metrics): method, outcome, duration in seconds */
      onCall?: (method: string, outcome: 'ok' | 'error', seconds: number) => void;
    } = {},
  ) {}

  handle(method: string, handler: UnaryHandler): this {
    this.unary.set(method, handler);
    return this;
  }

  handleStream(method: string, handler: StreamHandler): this {
    this.streams.set(method, handler);
    return this;
  }

  async listen(host: string, port: number): Promise<AddressInfo> {
    const server = createListener(this.options.tls, (s) => this.accept(s));
    this.server = server;
    const address = await listenExclusive(server, host, port);
    server.on('error', (err) => (this.options.logger ?? silentLogger).error(`${this.name} listener error`, { error: err.message }));
    return address;
  }

  address(): AddressInfo | undefined {
    return (this.server?.address() as AddressInfo | null) ?? undefined;
  }

  private accept(socket: Socket): void {
    const log = this.options.logger ?? silentLogger;
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const decoder = new FrameDecoder();
    const calls = new Map<number, AbortController>();
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.on('data', (chunk) => {
      let frames;
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        log.warn(`${this.name}: dropping connection from ${remote}`, { error: (err as Error).message });
        socket.destroy();
        return;
      }
      for (const f of frames) {
        try {
          const { header } = decodePayload(f.payload);
          const id = header.id as number;
          if (f.kind === RPC_KIND.CANCEL) {
            calls.get(id)?.abort(new Error('cancelled by caller'));
          } else if (f.kind === RPC_KIND.REQUEST) {
            const ac = new AbortController();
            calls.set(id, ac);
            this.inflight.add(ac);
            void this.dispatch(socket, id, String(header.method), header.params, { signal: ac.signal, remote }).finally(() => {
              calls.delete(id);
              this.inflight.delete(ac);
            });
          }
        } catch (err) {
          log.warn(`${this.name}: bad frame from ${remote}`, { error: (err as Error).message });
          socket.destroy();
          return;
        }
      }
    });
    const drop = (): void => {
      this.sockets.delete(socket);
      for (const ac of calls.values()) ac.abort(new Error('connection closed'));
    };
    socket.on('close', drop);
    socket.on('error', () => socket.destroy());
  }

  private send(socket: Socket, kind: number, header: unknown, body?: Uint8Array): boolean {
    if (socket.destroyed) return false;
    return socket.write(encodeFrame(kind, encodePayload(header, body)));
  }

  private async dispatch(socket: Socket, id: number, method: string, params: unknown, ctx: RpcContext): Promise<void> {
    const mapper = this.options.errorMapper ?? defaultErrorMapper;
    const t0 = performance.now();
    let outcome: 'ok' | 'error' = 'ok';
    try {
      const unary = this.unary.get(method);
      if (unary) {
        const result = await unary(params, ctx);
        this.send(socket, RPC_KIND.RESPONSE, { id, result: result ?? null });
        return;
      }
      const stream = this.streams.get(method);
      if (stream) {
        for await (const chunk of stream(params, ctx)) {
          if (ctx.signal.aborted || socket.destroyed) return;
          if (!this.send(socket, RPC_KIND.CHUNK, { id, eof: false }, chunk)) await waitDrain(socket, ctx.signal);
        }
        this.send(socket, RPC_KIND.CHUNK, { id, eof: true });
        return;
      }
      this.send(socket, RPC_KIND.ERROR, { id, code: 'RPC_UNKNOWN_METHOD', message: `${this.name} has no method ${method}` } satisfies ErrorHeader);
    } catch (err) {
      outcome = 'error';
      const f = mapper(err);
      this.send(socket, RPC_KIND.ERROR, { id, ...f } satisfies ErrorHeader);
    } finally {
      this.options.onCall?.(method, outcome, (performance.now() - t0) / 1000);
    }
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const ac of this.inflight) ac.abort(new Error('server closing'));
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function waitDrain(socket: Socket, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    socket.once('drain', done);
    socket.once('close', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
