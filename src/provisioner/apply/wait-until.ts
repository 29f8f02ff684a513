/**
 * Polling with a deadline on an injected clock: `check` is called every `intervalMs` until it reports done,
 * the deadline passes (APPLY_HEALTH_TIMEOUT with the last observation), or the signal aborts (its reason is
 * thrown). A check that throws is treated as "not yet" unless the signal aborted; the last error is reported.
 */
import type { Clock } from '../../common/clock.js';
import { ApplyError } from './apply-error.js';

export interface Observation {
  readonly done: boolean;
  /** what was seen, for progress lines and the timeout message */
  readonly detail: string;
}

export interface WaitOptions {
  readonly what: string;
  readonly host?: string;
  readonly timeoutMs: number;
  readonly intervalMs: number;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
  readonly onProgress?: (detail: string) => void;
}

export async function waitUntil(check: () => Promise<Observation>, o: WaitOptions): Promise<string> {
  const deadline = o.clock.now() + o.timeoutMs;
  let last = 'no answer yet';
  let lastShown = '';
  for (;;) {
    o.signal?.throwIfAborted();
    try {
      const r = await check();
      if (r.done) return r.detail;
      last = r.detail;
    } catch (err) {
      if (o.signal?.aborted) throw err;
      last = err instanceof Error ? err.message : String(err);
    }
    if (last !== lastShown) {
      o.onProgress?.(last);
      lastShown = last;
    }
    if (o.clock.now() >= deadline) {
      throw new ApplyError('APPLY_HEALTH_TIMEOUT', `${o.what} did not happen within ${Math.round(o.timeoutMs / 1000)} s; last seen: ${last}`, {
        ...(o.host ? { host: o.host } : {}),
        hint: 'check the SCM log (<logs>/ozone-<user>-scm.out) on the host; raise timeouts.scmStart if the machines are slow, then apply again (it resumes)',
      });
    }
    await o.clock.sleep(o.intervalMs, o.signal ? { signal: o.signal } : {});
  }
}
