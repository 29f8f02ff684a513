/**
 * Polling with a deadline on an injected clock: `check` is called every `intervalMs` until it reports done,
 * the deadline passes (APPLY_HEALTH_TIMEOUT with the last observation), or the signal aborts (its reason is
 * thrown). A check that throws is treated as "not yet" unless the signal aborted; the last error is reported.
 *
 * Heartbeat: every `heartbeatMs` (10 s) of waiting, `onHeartbeat` hears what is awaited, how long it has
 * been and the limit ("still waiting for scm2 to join the ring: 40 s / 90 s" in non-TTY progress). It runs on
 * a clock timer, not between polls, so it keeps coming while one check hangs (a roles query takes up to 20 s).
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
  readonly onHeartbeat?: (h: Heartbeat) => void;
  /** default HEARTBEAT_MS */
  readonly heartbeatMs?: number;
}

/** A long wait, reported while it lasts. */
export interface Heartbeat {
  /** what is awaited, e.g. "svc/scm2 to join the ring" */
  readonly what: string;
  readonly elapsedMs: number;
  readonly limitMs: number;
}

export const HEARTBEAT_MS = 10_000;

/** "still waiting for svc/scm2 to join the ring: 40 s / 90 s" */
export function heartbeatText(h: Heartbeat): string {
  return `still waiting for ${h.what}: ${Math.round(h.elapsedMs / 1000)} s / ${Math.round(h.limitMs / 1000)} s`;
}

export async function waitUntil(check: () => Promise<Observation>, o: WaitOptions): Promise<string> {
  const started = o.clock.now();
  const beat = o.onHeartbeat;
  const heartbeat = beat ? o.clock.setInterval(() => beat({ what: o.what, elapsedMs: o.clock.now() - started, limitMs: o.timeoutMs }), o.heartbeatMs ?? HEARTBEAT_MS) : null;
  try {
    return await poll(check, o, started + o.timeoutMs);
  } finally {
    heartbeat?.cancel();
  }
}

async function poll(check: () => Promise<Observation>, o: WaitOptions, deadline: number): Promise<string> {
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
      throw new ApplyError('APPLY_HEALTH_TIMEOUT', `gave up waiting for ${o.what} after ${Math.round(o.timeoutMs / 1000)} s; last seen: ${last}`, {
        ...(o.host ? { host: o.host } : {}),
        hint: 'check the SCM log (<logs>/ozone-<user>-scm.out) on the host; raise timeouts.scmStart if the machines are slow, then apply again (it resumes)',
      });
    }
    await o.clock.sleep(o.intervalMs, o.signal ? { signal: o.signal } : {});
  }
}
