/**
 * The hosts of one run: at most one connection per host (opened on first use, retried with backoff when
 * the failure is transient), work spread over hosts with bounded concurrency, and one `close()` for all.
 *
 * Contract: `get(name)` returns the same RemoteHost for the whole run; a failed connect is not cached (a
 * later phase may try again). `forEach` never throws for a host's failure: it returns one outcome per host,
 * in the order given, so the caller decides what the other hosts do (k0sctl-style phases stop before the
 * next phase, leaving each host consistent). Commands themselves are not retried here: only the caller
 * knows whether one is idempotent (use `retry` from retry.ts for those).
 */
import type { Logger } from '../../common/logger.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import { withCommandLog } from './command-log.js';
import { connectHost, type HostConnectionSpec } from './connect-host.js';
import { HostError, type AttemptFailure } from './host-error.js';
import type { RemoteHost } from './remote-host.js';
import { retry, type RetryOptions } from './retry.js';

export type PoolEvent =
  | { readonly type: 'connect-attempt-failed'; readonly host: string; readonly failure: AttemptFailure }
  | { readonly type: 'connected'; readonly host: string; readonly attempt: number; readonly hostKeyFingerprint?: string };

export type HostOutcome<T> =
  | { readonly host: string; readonly ok: true; readonly value: T }
  | { readonly host: string; readonly ok: false; readonly error: unknown };

export interface HostPoolOptions {
  /** default connectHost; tests pass a factory of fakes */
  readonly connect?: (spec: HostConnectionSpec, ctx: { signal?: AbortSignal }) => Promise<RemoteHost>;
  /** hosts worked on at once by forEach; default 10 */
  readonly concurrency?: number;
  readonly retry?: Omit<RetryOptions, 'signal' | 'onAttemptFailed'>;
  /** failed connection attempts (warn) and, through command-log.ts, every remote operation (debug) */
  readonly logger?: Logger;
  readonly onEvent?: (event: PoolEvent) => void;
}

export class HostPool {
  private readonly specs: ReadonlyMap<string, HostConnectionSpec>;
  private readonly options: HostPoolOptions;
  private readonly connections = new Map<string, Promise<RemoteHost>>();
  private closed = false;

  constructor(specs: readonly HostConnectionSpec[], options: HostPoolOptions = {}) {
    const map = new Map<string, HostConnectionSpec>();
    for (const s of specs) {
      if (map.has(s.name)) throw new TypeError(`HostPool: host name ${s.name} appears twice`);
      map.set(s.name, s);
    }
    this.specs = map;
    this.options = options;
  }

  get names(): readonly string[] {
    return [...this.specs.keys()];
  }

  /** The host's one connection, opened (with retries) on first use. */
  get(name: string, ctx: { signal?: AbortSignal } = {}): Promise<RemoteHost> {
    if (this.closed) return Promise.reject(new HostError('HOST_CLOSED', name, 'the host pool was closed'));
    const existing = this.connections.get(name);
    if (existing) return existing;
    const spec = this.specs.get(name);
    if (!spec) return Promise.reject(new TypeError(`HostPool: no host named ${name}`));
    const connect = this.options.connect ?? connectHost;
    const logger = this.options.logger;
    const p = retry(
      async (attempt) => {
        const connected = await connect(spec, ctx);
        const host = logger ? withCommandLog(connected, logger) : connected;
        this.options.onEvent?.({
          type: 'connected',
          host: name,
          attempt,
          ...(host.info.hostKeyFingerprint ? { hostKeyFingerprint: host.info.hostKeyFingerprint } : {}),
        });
        return host;
      },
      {
        ...this.options.retry,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        onAttemptFailed: (failure) => {
          // the reason is the final error's when the attempts run out: said once, there; a retry is progress
          if (failure.retryInMs !== null) {
            this.options.logger?.info('connection failed, trying again', { host: name, attempt: failure.attempt, of: failure.of, code: failure.code, retryInMs: failure.retryInMs });
          }
          this.options.logger?.debug('connection attempt failed', { host: name, attempt: failure.attempt, of: failure.of, code: failure.code, reason: failure.reason });
          this.options.onEvent?.({ type: 'connect-attempt-failed', host: name, failure });
        },
      },
    );
    this.connections.set(name, p);
    p.catch(() => {
      if (this.connections.get(name) === p) this.connections.delete(name);
    });
    return p;
  }

  /** Runs `task` on each named host (default: all), `concurrency` hosts at a time; one outcome per host. */
  async forEach<T>(
    task: (host: RemoteHost, name: string) => Promise<T>,
    options: { names?: readonly string[]; concurrency?: number; signal?: AbortSignal } = {},
  ): Promise<HostOutcome<T>[]> {
    const names = options.names ?? this.names;
    const limit = new ConcurrencyLimit(options.concurrency ?? this.options.concurrency ?? 30);
    const signal = options.signal;
    return Promise.all(
      names.map(async (name): Promise<HostOutcome<T>> => {
        try {
          const value = await limit.run(async () => {
            const host = await this.get(name, signal ? { signal } : {});
            return task(host, name);
          }, signal);
          return { host: name, ok: true, value };
        } catch (error) {
          const e = signal?.aborted && !(error instanceof HostError) ? new HostError('HOST_ABORTED', name, 'aborted before it ran', { cause: error }) : error;
          return { host: name, ok: false, error: e };
        }
      }),
    );
  }

  /** Closes every connection opened (waiting for connects in progress); idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const pending = [...this.connections.values()];
    this.connections.clear();
    await Promise.allSettled(pending.map(async (p) => (await p).close()));
  }
}
