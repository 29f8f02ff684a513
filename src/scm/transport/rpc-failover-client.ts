/**
 * A client of one SCM protocol across every SCM of the service (Ozone's SCMFailoverProxyProvider, §6):
 * starts at the first node (or the last leader), follows NotLeader hints (`host:port` mapped to a
 * configured node) immediately, moves round-robin on connection errors/timeouts or hint-less
 * not-leader replies, and sleeps `retryIntervalMs` whenever a whole round failed. Gives up after
 * `maxFailovers` moves or when the deadline passes (RPC_FAILOVER_EXHAUSTED, cause = the last error).
 * Non-failover errors (RPC_REMOTE with a domain code) are returned to the caller at once.
 *
 * A leader that freezes (SIGSTOP, a stalled disk) or is cut off from its peers keeps its connections open
 * and answers nothing; waiting for the call timeout would stall the client long after the other SCMs
 * elected a new leader. With a `leaderProbe`, a call still running after `afterMs` makes the client ask the
 * other SCMs, every `afterMs`, with a cheap leader-only call; once one of them answers as leader, the
 * stalled call is cancelled and retried there (its outcome on the old leader is unknown, exactly as after a
 * timeout — Ozone's clients retry the same way). Concurrent calls share one probe round.
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
  readonly leaderProbe?: LeaderProbe<Protocol>;
}

export interface LeaderProbe<P extends Protocol> {
  /** how long a call runs before the other SCMs are asked who leads (and the interval between rounds) */
  readonly afterMs: number;
  /** a cheap leader-only call: it succeeds only on a (ready) leader */
  readonly call: (client: RpcClient<P>, signal: AbortSignal) => Promise<unknown>;
}

export class FailoverRpcClient<P extends Protocol> {
  private current = 0;
  private readonly clients: RpcClient<P>[];
  /** the probe round in progress: resolves with the index of an SCM that answered as leader, or -1 */
  private probing: { readonly asked: number; readonly result: Promise<number> } | null = null;

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

  /** Runs one try on the current SCM; with a leaderProbe, abandons it for an SCM that answers as leader. */
  private async watched<T>(run: (c: RpcClient<P>, options: CallOptions) => Promise<T>, options: CallOptions): Promise<T> {
    const probe = this.options.leaderProbe as LeaderProbe<P> | undefined;
    const asked = this.current;
    if (!probe || this.endpoints.length < 2) return run(this.clients[asked]!, options);
    const clock = this.options.clock ?? systemClock;
    const stop = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
    let leader = -1;
    let busy = false;
    // Once the try has settled a late probe answer changes nothing. A flag, not stop.abort(): aborting
    // builds a DOMException and dispatches an event on every call, which cost a busy client (freon at 32
    // threads) about a fifth of its CPU.
    let settled = false;
    const timer = clock.setInterval(() => {
      if (busy || leader >= 0) return;
      busy = true;
      void this.probeLeader(asked, probe).then((found) => {
        busy = false;
        if (found >= 0 && leader < 0 && !settled) {
          leader = found;
          stop.abort();
        }
      });
    }, probe.afterMs);
    try {
      return await run(this.clients[asked]!, { ...options, signal });
    } catch (err) {
      if (leader >= 0 && !options.signal?.aborted) {
        const to = this.endpoints[leader]!;
        throw new RpcError('RPC_NOT_LEADER', `${formatHostPortLite(this.endpoints[asked]!.host, this.endpoints[asked]!.port)} did not answer while ${to.nodeId} answers as leader`, {
          cause: err,
          leader: formatHostPortLite(to.host, to.port),
        });
      }
      throw err;
    } finally {
      settled = true;
      timer.cancel();
    }
  }

  /** Asks every SCM but `asked` at once; the first that answers as leader wins (-1: none did in time). */
  private probeLeader(asked: number, probe: LeaderProbe<P>): Promise<number> {
    if (this.probing?.asked === asked) return this.probing.result;
    const round: { asked: number; result: Promise<number> } = { asked, result: Promise.resolve(-1) };
    round.result = (async () => {
      await Promise.resolve();
      const others = this.endpoints.map((_, i) => i).filter((i) => i !== asked);
      const signal = AbortSignal.timeout(Math.max(probe.afterMs, 250));
      try {
        return await Promise.any(others.map(async (i) => (await probe.call(this.clients[i]!, signal), i)));
      } catch {
        return -1;
      } finally {
        if (this.probing === round) this.probing = null;
      }
    })();
    this.probing = round;
    return round.result;
  }

  private async attempt<T>(run: (c: RpcClient<P>, options: CallOptions) => Promise<T>, options: CallOptions): Promise<T> {
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
        return await this.watched(run, options);
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
    return this.attempt((c, o) => c.call(method, params, o), options);
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.close()));
  }
}
