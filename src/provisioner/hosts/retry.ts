/**
 * Retries with exponential backoff and jitter. Each failed attempt is reported (`onAttemptFailed`) with its
 * number, code and reason; the error that ends the loop says which attempt failed and why, and lists the
 * earlier ones whose reason differs (a HostError keeps its code and host and gains `attempts`; other errors
 * are rethrown as is).
 * Only errors `isRetryable` accepts are retried (default: HostError.retryable, i.e. transient transport
 * failures); time goes through the Clock port, so tests use the fake clock.
 */
import { systemClock, type Clock } from '../../common/clock.js';
import { HostError, type AttemptFailure } from './host-error.js';

export interface RetryOptions {
  /** total attempts including the first; default 3 */
  readonly attempts?: number;
  /** delay before attempt 2; doubles each time (factor) up to maxDelayMs; default 500 ms */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly factor?: number;
  /** returns [0, 1); the delay is drawn from [d/2, d]; default Math.random */
  readonly random?: () => number;
  readonly isRetryable?: (error: unknown) => boolean;
  readonly clock?: Clock;
  readonly signal?: AbortSignal;
  readonly onAttemptFailed?: (failure: AttemptFailure, error: unknown) => void;
}

export const RETRY_DEFAULTS = { attempts: 3, baseDelayMs: 500, maxDelayMs: 8_000, factor: 2 } as const;

function describe(error: unknown): { code: string | undefined; reason: string } {
  if (error instanceof HostError) return { code: error.code, reason: error.detail };
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : undefined, reason: error.message };
  }
  return { code: undefined, reason: String(error) };
}

export function backoffDelay(attempt: number, options: RetryOptions = {}): number {
  const base = options.baseDelayMs ?? RETRY_DEFAULTS.baseDelayMs;
  const max = options.maxDelayMs ?? RETRY_DEFAULTS.maxDelayMs;
  const factor = options.factor ?? RETRY_DEFAULTS.factor;
  const d = Math.min(max, base * factor ** (attempt - 1));
  const r = (options.random ?? Math.random)();
  return Math.round(d / 2 + (d / 2) * r);
}

/**
 * How the attempts went, after the last one's own message: each earlier reason only when it differs from
 * the last (three refused connections are one "connection refused", not the same text three times).
 */
function summarise(failures: readonly AttemptFailure[]): string {
  const last = failures[failures.length - 1]!;
  const same = (f: AttemptFailure): boolean => f.code === last.code && f.reason === last.reason;
  const earlier = failures.slice(0, -1);
  if (earlier.every(same)) return `attempt ${last.attempt} of ${last.of} failed, as did the ${earlier.length === 1 ? 'one' : earlier.length} before`;
  const listed = earlier.map((f) => `attempt ${f.attempt}: ${same(f) ? 'the same' : `${f.code ?? 'error'} ${f.reason}`}`);
  return `attempt ${last.attempt} of ${last.of} failed; earlier ${listed.join('; ')}`;
}

export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const total = Math.max(1, options.attempts ?? RETRY_DEFAULTS.attempts);
  const clock = options.clock ?? systemClock;
  const retryable = options.isRetryable ?? ((e: unknown) => e instanceof HostError && e.retryable);
  const failures: AttemptFailure[] = [];
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      const more = attempt < total && retryable(error) && !options.signal?.aborted;
      const delay = more ? backoffDelay(attempt, options) : null;
      const failure: AttemptFailure = { attempt, of: total, ...describe(error), retryInMs: delay };
      failures.push(failure);
      options.onAttemptFailed?.(failure, error);
      if (delay === null) {
        if (failures.length > 1 && error instanceof HostError) {
          throw new HostError(error.code, error.host, `${error.detail} (${summarise(failures)})`, {
            cause: error,
            ...(error.hint !== undefined ? { hint: error.hint } : {}),
            attempts: failures,
          });
        }
        throw error;
      }
      await clock.sleep(delay, options.signal ? { signal: options.signal } : {});
    }
  }
}
