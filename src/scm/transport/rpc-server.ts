/**
 * One RPC listener (one SCM port) serving one declared protocol (protocol-definition.ts). Every request
 * goes through, in order:
 *   connection admission (ConnectionGovernor: connection caps, buffered-byte budget, idle/handshake
 *   timeouts) → frame decoding (per-port max frame; unknown frame kinds close the connection) →
 *   caller identity (secure mode: the verified client certificate; `anonymous` without one) →
 *   authorization (`authorize(method, identity)`, the access table of security/access-policy.ts) →
 *   params guard (RPC_INVALID_PARAMS) → the handler.
 * Requests on a connection run concurrently (at most `maxInflightPerConnection`; reading pauses beyond it,
 * and while responses wait for the caller to read them);
 * each gets an AbortSignal that fires on CANCEL, connection loss or server close. Errors become ERROR
 * frames: CodedErrors keep their code/message/hint; the error mapper turns NotLeader into Ozone's text and
 * the `leader` hint. Refusals (bad frames, denied calls, refused connections) are logged rate-limited
 * with the caller's address.
 */
import type { AddressInfo, Server, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { isCodedError } from '../../common/coded-error.js';
import type { Logger } from '../../common/logger.js';
import { silentLogger } from '../../common/logger.js';
import { ANONYMOUS, describeIdentity, type PeerIdentity } from '../security/peer-identity.js';
import { ConnectionGovernor, DEFAULT_LIMITS, type ConnectionLimits } from './connection-limits.js';
import { FrameDecoder, type Frame } from './frame-codec.js';
import { listenExclusive } from './listen-exclusive.js';
import type { ParamsOf, Protocol, ResultOf, StreamMethod, UnaryMethod } from './protocol-definition.js';
import { RateLimitedLog } from './rate-limited-log.js';
import { RPC_KIND, decodePayload, encodeRpcFrame, type ErrorHeader } from './rpc-protocol.js';
import { createListener, presentedUnverifiedCertificate, type ServerTls } from './tls-options.js';

export interface RpcContext {
  readonly signal: AbortSignal;
  /** remote address of the caller (host:port) */
  readonly remote: string;
  /** who the caller is (secure mode: proven by its certificate); `anonymous` without TLS */
  readonly identity: PeerIdentity;
}

export type Handlers<P extends Protocol> = {
  readonly [M in keyof P]: P[M] extends UnaryMethod<any, any> // eslint-disable-line @typescript-eslint/no-explicit-any
    ? (params: ParamsOf<P, M>, ctx: RpcContext) => Promise<ResultOf<P, M>>
    : P[M] extends StreamMethod<any> // eslint-disable-line @typescript-eslint/no-explicit-any
      ? (params: ParamsOf<P, M>, ctx: RpcContext) => AsyncIterable<Uint8Array>
      : never;
};

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

/** Secure mode: who a verified certificate is, and what each identity may call on this port. */
export interface RpcSecurity {
  readonly tls: ServerTls;
  /** the identity a verified client certificate proves; undefined = none of ours (closed) */
  readonly identify: (socket: TLSSocket) => PeerIdentity | undefined;
  /** throws (a coded error, e.g. ACCESS_DENIED or CERT_REVOKED) when `identity` may not call `method` */
  readonly authorize: (method: string, identity: PeerIdentity) => void;
}

export interface RpcServerOptions {
  readonly security?: RpcSecurity;
  readonly limits?: ConnectionLimits;
  readonly logger?: Logger;
  readonly errorMapper?: ErrorMapper;
  /** told about every finished call (metrics): method, outcome, duration in seconds */
  readonly onCall?: (method: string, outcome: 'ok' | 'error', seconds: number) => void;
}

type AnyHandler = (params: unknown, ctx: RpcContext) => Promise<unknown> | AsyncIterable<Uint8Array>;

export class RpcServer<P extends Protocol> {
  private handlers: Readonly<Record<string, AnyHandler>> = {};
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly inflight = new Set<AbortController>();
  readonly governor: ConnectionGovernor;
  private readonly log: RateLimitedLog;
  private readonly logger: Logger;

  constructor(
    readonly name: string,
    private readonly protocol: P,
    private readonly options: RpcServerOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
    this.governor = new ConnectionGovernor(name, options.limits ?? DEFAULT_LIMITS, this.logger);
    this.log = new RateLimitedLog(this.logger, 10_000);
  }

  /** Installs the handlers: exactly the protocol's methods. */
  serve(handlers: Handlers<P>): this {
    this.handlers = handlers as unknown as Record<string, AnyHandler>;
    return this;
  }

  async listen(host: string, port: number): Promise<AddressInfo> {
    const security = this.options.security;
    const tls = security ? { ...security.tls, handshakeTimeoutMs: this.governor.limits.handshakeTimeoutMs } : undefined;
    const server = createListener(tls, (s) => this.accept(s));
    // connections are admitted (and counted) when TCP accepts them, before any TLS handshake
    this.governor.watch(server, tls !== undefined);
    if (security) server.on('tlsClientError', (err, socket) => this.log.warn(`${this.name}:tls`, `${this.name}: TLS handshake with ${socket.remoteAddress ?? '?'} failed`, { error: err.message }));
    this.server = server;
    const address = await listenExclusive(server, host, port);
    server.on('error', (err) => this.logger.error(`${this.name} listener error`, { error: err.message }));
    return address;
  }

  address(): AddressInfo | undefined {
    return (this.server?.address() as AddressInfo | null) ?? undefined;
  }

  private identify(socket: Socket, remote: string): PeerIdentity | undefined {
    const security = this.options.security;
    if (!security) return ANONYMOUS;
    const tlsSocket = socket as TLSSocket;
    if (!tlsSocket.authorized) {
      if (presentedUnverifiedCertificate(tlsSocket)) {
        this.log.warn(`${this.name}:foreign-cert`, `${this.name}: closing a connection from ${remote}: its certificate is not issued by this cluster's CA`, { error: String(tlsSocket.authorizationError) });
        return undefined;
      }
      return ANONYMOUS;
    }
    const id = security.identify(tlsSocket);
    if (!id) this.log.warn(`${this.name}:unknown-identity`, `${this.name}: closing a connection from ${remote}: its certificate names no identity of this cluster`);
    return id;
  }

  private accept(socket: Socket): void {
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    const admission = this.governor.admitted(socket, this.options.security !== undefined);
    if (!admission) return;
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.sockets.delete(socket);
      for (const ac of calls.values()) ac.abort(new Error('connection closed'));
    });
    const calls = new Map<number, AbortController>();
    const identity = this.identify(socket, remote);
    if (!identity) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const limits = this.governor.limits;
    const decoder = new FrameDecoder(limits.maxFrameBytes);
    const drop = (key: string, why: string, err?: unknown): void => {
      this.log.warn(`${this.name}:${key}`, `${this.name}: dropping connection from ${remote}: ${why}`, err ? { error: (err as Error).message } : {});
      socket.destroy();
    };
    // frames of requests beyond maxInflightPerConnection wait here (reading is paused meanwhile, so
    // at most what one read delivered is held)
    const waiting: Frame[] = [];
    const pump = (): void => {
      while (waiting.length > 0 && calls.size < limits.maxInflightPerConnection && !socket.writableNeedDrain && !socket.destroyed) {
        if (!handle(waiting.shift()!)) return;
      }
      admission.setInflight(calls.size);
      // a caller that does not read its responses is not read either (its answers cannot pile up)
      if (calls.size >= limits.maxInflightPerConnection || waiting.length > 0 || socket.writableNeedDrain) socket.pause();
      else if (socket.isPaused()) socket.resume();
    };
    socket.on('drain', pump);
    /** false when the connection was dropped */
    const handle = (f: Frame): boolean => {
      let header: Record<string, unknown>;
      try {
        header = decodePayload(f.payload).header;
      } catch (err) {
        drop('bad-frame', 'bad frame', err);
        return false;
      }
      const id = header.id as number;
      if (f.kind === RPC_KIND.CANCEL) {
        calls.get(id)?.abort(new Error('cancelled by caller'));
        return true;
      }
      if (f.kind !== RPC_KIND.REQUEST) {
        drop('bad-frame', `frame kind ${f.kind} is not a request`);
        return false;
      }
      if (calls.has(id)) {
        drop('bad-frame', `request id ${id} is already in use on this connection`);
        return false;
      }
      const ac = new AbortController();
      calls.set(id, ac);
      this.inflight.add(ac);
      void this.dispatch(socket, id, header.method, header.params, { signal: ac.signal, remote, identity }).finally(() => {
        calls.delete(id);
        this.inflight.delete(ac);
        pump();
      });
      return true;
    };
    socket.on('data', (chunk: Buffer) => {
      admission.touch();
      let frames;
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        drop('bad-frame', 'bad frame', err);
        return;
      }
      if (!admission.buffered(decoder.pendingBytes)) {
        socket.destroy();
        return;
      }
      // a CANCEL must reach its call even while requests wait: it is handled at once
      for (const f of frames) {
        if (f.kind === RPC_KIND.CANCEL && waiting.length > 0) {
          if (!handle(f)) return;
        } else waiting.push(f);
      }
      pump();
    });
  }

  private send(socket: Socket, kind: number, header: unknown, body?: Uint8Array): boolean {
    if (socket.destroyed) return false;
    const ok = socket.write(encodeRpcFrame(kind, header, body));
    if (socket.writableLength > this.governor.limits.maxConnectionBufferBytes) {
      this.log.warn(`${this.name}:slow-reader`, `${this.name}: closing a connection from ${socket.remoteAddress ?? '?'} that does not read its responses`, { queued: socket.writableLength });
      socket.destroy();
      return false;
    }
    return ok;
  }

  private async dispatch(socket: Socket, id: number, rawMethod: unknown, rawParams: unknown, ctx: RpcContext): Promise<void> {
    const mapper = this.options.errorMapper ?? defaultErrorMapper;
    const method = typeof rawMethod === 'string' ? rawMethod : String(rawMethod);
    const t0 = performance.now();
    let outcome: 'ok' | 'error' = 'ok';
    const spec = Object.hasOwn(this.protocol, method) ? this.protocol[method] : undefined;
    const handler = spec ? this.handlers[method] : undefined;
    try {
      if (!spec || !handler) {
        outcome = 'error';
        this.send(socket, RPC_KIND.ERROR, { id, code: 'RPC_UNKNOWN_METHOD', message: `${this.name} has no method ${method.slice(0, 100)}` } satisfies ErrorHeader);
        return;
      }
      try {
        this.options.security?.authorize(method, ctx.identity);
      } catch (err) {
        this.log.warn(`${this.name}:denied:${method}`, `${this.name}: refused ${method} from ${ctx.remote}`, { caller: describeIdentity(ctx.identity), code: isCodedError(err) ? err.code : 'ACCESS_DENIED' });
        throw err;
      }
      const params = spec.params.check(rawParams ?? {}, 'params');
      if (spec.kind === 'unary') {
        const result = await (handler(params, ctx) as Promise<unknown>);
        this.send(socket, RPC_KIND.RESPONSE, { id, result: result ?? null });
        return;
      }
      for await (const chunk of handler(params, ctx) as AsyncIterable<Uint8Array>) {
        if (ctx.signal.aborted || socket.destroyed) return;
        if (!this.send(socket, RPC_KIND.CHUNK, { id, eof: false }, chunk)) await waitDrain(socket, ctx.signal);
      }
      this.send(socket, RPC_KIND.CHUNK, { id, eof: true });
    } catch (err) {
      outcome = 'error';
      const f = mapper(err);
      this.send(socket, RPC_KIND.ERROR, { id, ...f } satisfies ErrorHeader);
    } finally {
      // unknown method names never become metric labels (a caller could create unbounded series)
      this.options.onCall?.(spec ? method : '(unknown)', outcome, (performance.now() - t0) / 1000);
    }
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.governor.close();
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
