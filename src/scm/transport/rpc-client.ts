/**
 * A client connection to one SCM port, typed by the port's protocol declaration (`RpcClient<P>`; the
 * declaration is imported as a type only). Connects lazily, multiplexes concurrent calls by correlation id,
 * reconnects on the next call after a loss. Each call has a timeout and an optional AbortSignal; on
 * abort/timeout the client sends CANCEL so the server stops work. Errors:
 * RPC_CONNECT (could not connect), RPC_CONNECTION_LOST (lost mid-call), RPC_TIMEOUT, RPC_ABORTED,
 * RPC_NOT_LEADER (with `leader` = "host:port" when known), RPC_REMOTE (server-side code in remoteCode).
 */
import type { Socket } from 'node:net';
import { FrameDecoder } from './frame-codec.js';
import { RpcError } from './rpc-error.js';
import { RPC_KIND, decodePayload, encodeRpcFrame } from './rpc-protocol.js';
import { formatHostPortLite } from './rpc-endpoint.js';
import type { ParamsOf, Protocol, ResultOf, StreamNames, UnaryNames } from './protocol-definition.js';
import { openSocket, type ClientTls } from './tls-options.js';

export interface CallOptions {
  readonly signal?: AbortSignal;
  /** default: the client's timeout */
  readonly timeoutMs?: number;
}

interface Waiter {
  onResponse(result: unknown): void;
  onChunk(body: Uint8Array, eof: boolean): void;
  onError(err: RpcError): void;
}

export class RpcClient<P extends Protocol> {
  private socket: Socket | undefined;
  private connecting: Promise<Socket> | undefined;
  private nextId = 1;
  private readonly waiters = new Map<number, Waiter>();
  private closed = false;

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly options: { tls?: ClientTls; timeoutMs?: number; connectTimeoutMs?: number } = {},
  ) {}

  get endpoint(): string {
    return formatHostPortLite(this.host, this.port);
  }

  private async connection(): Promise<Socket> {
    if (this.closed) throw new RpcError('RPC_CLOSED', `client for ${this.endpoint} is closed`);
    if (this.socket && !this.socket.destroyed) return this.socket;
    this.connecting ??= (async () => {
      let socket: Socket;
      try {
        socket = await openSocket(this.host, this.port, this.options.tls, this.options.connectTimeoutMs ?? 5000);
      } catch (err) {
        throw new RpcError('RPC_CONNECT', `cannot connect to ${this.endpoint}: ${(err as Error).message}`, { cause: err, endpoint: this.endpoint });
      } finally {
        this.connecting = undefined;
      }
      socket.setNoDelay(true);
      const decoder = new FrameDecoder();
      socket.on('data', (chunk) => {
        try {
          for (const f of decoder.push(chunk)) this.onFrame(f.kind, f.payload);
        } catch (err) {
          socket.destroy(err as Error);
        }
      });
      socket.on('error', () => {});
      socket.on('close', () => {
        if (this.socket === socket) this.socket = undefined;
        const lost = new RpcError('RPC_CONNECTION_LOST', `connection to ${this.endpoint} was lost`, { endpoint: this.endpoint });
        for (const w of [...this.waiters.values()]) w.onError(lost);
        this.waiters.clear();
      });
      if (this.closed) {
        socket.destroy();
        throw new RpcError('RPC_CLOSED', `client for ${this.endpoint} is closed`);
      }
      this.socket = socket;
      return socket;
    })();
    return this.connecting;
  }

  private onFrame(kind: number, payload: Uint8Array): void {
    const { header, body } = decodePayload(payload);
    const w = this.waiters.get(header.id as number);
    if (!w) return;
    if (kind === RPC_KIND.RESPONSE) w.onResponse(header.result);
    else if (kind === RPC_KIND.CHUNK) w.onChunk(body, header.eof === true);
    else if (kind === RPC_KIND.ERROR) {
      const code = String(header.code);
      const message = String(header.message);
      const extra = {
        endpoint: this.endpoint,
        ...(typeof header.hint === 'string' ? { hint: header.hint } : {}),
        ...(typeof header.leader === 'string' ? { leader: header.leader } : {}),
      };
      if (code === 'NOT_LEADER') w.onError(new RpcError('RPC_NOT_LEADER', message, extra));
      else if (code === 'RPC_UNKNOWN_METHOD') w.onError(new RpcError('RPC_UNKNOWN_METHOD', message, extra));
      else w.onError(new RpcError('RPC_REMOTE', message, { ...extra, remoteCode: code }));
    }
  }

  /** Sends the request; resolves with a function that cancels the call (no-op once it finished). */
  private begin(method: string, params: unknown, options: CallOptions, waiter: (id: number, finish: () => void) => Waiter): Promise<(err: RpcError) => void> {
    return (async () => {
      options.signal?.throwIfAborted();
      const socket = await this.connection();
      const id = this.nextId++;
      const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? 30_000;
      let finished = false;
      const cancel = (err: RpcError): void => {
        if (finished) return;
        w.onError(err);
        if (!socket.destroyed) socket.write(encodeRpcFrame(RPC_KIND.CANCEL, { id }));
      };
      const timer = setTimeout(() => cancel(new RpcError('RPC_TIMEOUT', `${method} on ${this.endpoint} timed out after ${timeoutMs} ms`, { endpoint: this.endpoint })), timeoutMs);
      const onAbort = (): void => cancel(new RpcError('RPC_ABORTED', `${method} on ${this.endpoint} aborted`, { cause: options.signal?.reason, endpoint: this.endpoint }));
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const finish = (): void => {
        finished = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        this.waiters.delete(id);
      };
      const w = waiter(id, finish);
      this.waiters.set(id, w);
      socket.write(encodeRpcFrame(RPC_KIND.REQUEST, { id, method, params: params ?? null }));
      return cancel;
    })();
  }

  /** Unary call: resolves with the server's result. */
  call<M extends UnaryNames<P>>(method: M, params: ParamsOf<P, M>, options: CallOptions = {}): Promise<ResultOf<P, M>> {
    type T = ResultOf<P, M>;
    return new Promise<T>((resolve, reject) => {
      this.begin(method, params, options, (_id, finish) => ({
        onResponse: (r) => {
          finish();
          resolve(r as T);
        },
        onChunk: () => {},
        onError: (e) => {
          finish();
          reject(e);
        },
      })).catch((err: unknown) => reject(err instanceof RpcError ? err : new RpcError('RPC_ABORTED', `${method} aborted`, { cause: err })));
    });
  }

  /** Streaming call: yields the server's chunks until eof. The per-call timeout bounds the whole stream. */
  async *stream<M extends StreamNames<P>>(method: M, params: ParamsOf<P, M>, options: CallOptions = {}): AsyncIterable<Uint8Array> {
    const queue: Uint8Array[] = [];
    let done = false;
    let failure: RpcError | undefined;
    let wake: (() => void) | undefined;
    const notify = (): void => {
      wake?.();
      wake = undefined;
    };
    const cancel = await this.begin(method, params, options, (_id, finish) => ({
      onResponse: () => {},
      onChunk: (body, eof) => {
        if (body.byteLength > 0) queue.push(Buffer.from(body));
        if (eof) {
          done = true;
          finish();
        }
        notify();
      },
      onError: (e) => {
        failure = e;
        finish();
        notify();
      },
    }));
    try {
      for (;;) {
        if (queue.length > 0) {
          yield queue.shift()!;
          continue;
        }
        if (failure) throw failure;
        if (done) return;
        await new Promise<void>((r) => (wake = r));
      }
    } finally {
      // the consumer stopped early (break/throw): tell the server to stop streaming
      if (!done && !failure) cancel(new RpcError('RPC_ABORTED', `${method} on ${this.endpoint}: consumer stopped reading`, { endpoint: this.endpoint }));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const s = this.socket ?? (await this.connecting?.catch(() => undefined));
    s?.destroy();
    this.socket = undefined;
  }
}
