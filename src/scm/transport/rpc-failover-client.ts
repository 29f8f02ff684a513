/**
 * A client of one SCM protocol across every SCM of the service (Ozone's SCMFailoverProxyProvider, §6):
 * starts at the first node (or the last leader), follows NotLeader hints (`host:port` mapped to a
 * configured node) immediately, moves round-robin on connection errors/timeouts or hint-less
 * not-leader replies, and sleeps `retryIntervalMs` whenever a whole round failed. Gives up after
 * `maxFailovers` moves or when the deadline passes (RPC_FAILOVER_EXHAUSTED, cause = the last error).
 * Non-failover errors (RPC_REMOTE with a domain code) are returned to the caller at once.
 */
import type { Clock } from '../../common/clock.js';
import { systemClock } from '../../common/clock.js';
import { RpcClient, type CallOptions } from './rpc-client.js';
import { formatHostPortLite, type RpcEndpoint } from './rpc-endpoint.js';
import { RpcError, isFailoverError } from './rpc-error.js';
import type { ParamsOf, Protocol, ResultOf, UnaryNames } from './protocol-definition.js';
import type { ClientTls } from './tls-options.js';

export interface FailoverOptions {
  readonly maxFailovers?: number;
  readonly retryIntervalMs?: number;
  /** overall deadline (ms) for one call including failovers */
  readonly deadlineMs?: number;
  readonly callTimeoutMs?: number;
  readonly tls?: ClientTls;
  readonly clock?: Clock;
  /** told about each failover (for logs) */
  readonly onFailover?: (from: RpcEndpoint, to: RpcEndpoint, reason: RpcError) => void;
}

export class FailoverRpcClient<P extends Protocol> {
  private current = 0;
  private readonly clients: RpcClient<P>[];

  constructor(
    readonly endpoints: readonly RpcEndpoint[],
    private readonly options: FailoverOptions = {},
  ) {
    if (endpoints.length === 0) throw new RpcError('RPC_CONNECT', 'no SCM endpoints configured');
    this.clients = endpoints.map((e) => new RpcClient(e.host, e.port, { ...(options.tls ? { tls: options.tls } : {}), timeoutMs: options.callTimeoutMs ?? 30_000 }));
  }

  /** The endpoint calls currently go to (the known or presumed leader). */
  get currentEndpoint(): RpcEndpoint {
    return this.endpoints[this.current]!;
  }

  private indexOfHint(hint: string): number {
    const exact = this.endpoints.findIndex((e) => formatHostPortLite(e.host, e.port) === hint);
    if (exact >= 0) return exact;
    const host = hint.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    return this.endpoints.findIndex((e) => e.host === host);
  }

  private async attempt<T>(run: (c: RpcClient<P>) => Promise<T>, options: CallOptions): Promise<T> {
    const clock = this.options.clock ?? systemClock;
    const maxFailovers = this.options.maxFailovers ?? 15;
    const interval = this.options.retryIntervalMs ?? 2000;
    const deadline = this.options.deadlineMs === undefined ? Infinity : clock.now() + this.options.deadlineMs;
    let failovers = 0;
    let sinceSleep = 0;
    let last: RpcError | undefined;
    for (;;) {
      options.signal?.throwIfAborted();
      try {
        return await run(this.clients[this.current]!);
      } catch (err) {
        if (!isFailoverError(err)) throw err;
        last = err as RpcError;
      }
      if (failovers >= maxFailovers || clock.now() >= deadline) {
        throw new RpcError('RPC_FAILOVER_EXHAUSTED', `no SCM answered as leader after ${failovers} failovers: ${last.message}`, {
          cause: last,
          hint: `check that the SCMs (${this.endpoints.map((e) => formatHostPortLite(e.host, e.port)).join(', ')}) are running and one of them is leader`,
        });
      }
      const from = this.endpoints[this.current]!;
      const hinted = last.code === 'RPC_NOT_LEADER' && last.leader !== undefined ? this.indexOfHint(last.leader) : -1;
      // A hint naming the node we asked (leader not ready yet) retries it after a pause; another hinted
      // node is tried at once; no hint moves round-robin. A full round without success always pauses,
      // which also bounds hint ping-pong during elections.
      const next = hinted >= 0 ? hinted : (this.current + 1) % this.endpoints.length;
      failovers++;
      sinceSleep++;
      this.current = next;
      if (next !== this.endpoints.indexOf(from)) this.options.onFailover?.(from, this.endpoints[next]!, last);
      if (hinted === this.endpoints.indexOf(from) || sinceSleep >= this.endpoints.length) {
        sinceSleep = 0;
        const pause = Math.max(0, Math.min(interval, deadline - clock.now()));
        await clock.sleep(pause, options.signal ? { signal: options.signal } : {});
      }
    }
  }

  call<M extends UnaryNames<P>>(method: M, params: ParamsOf<P, M>, options: CallOptions = {}): Promise<ResultOf<P, M>> {
    return this.attempt((c) => c.call(method, params, options), options);
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.close()));
  }
}
