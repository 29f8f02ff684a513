/**
 * A deterministic Clock for unit tests: time moves only when the test calls `advance`/`tick`. Timers fire in
 * due-time order (ties in creation order) during `advance`, and timers they schedule fire too if due.
 */
import type { Clock, TimerHandle } from '../../src/common/clock.js';

interface Timer {
  id: number;
  due: number;
  fn: () => void;
  every: number | null;
}

export class FakeClock implements Clock {
  private current: number;
  private seq = 0;
  private timers = new Map<number, Timer>();

  constructor(start = 1_700_000_000_000) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  wallTime(): Date {
    return new Date(this.current);
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, ms, null);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, ms, Math.max(1, ms));
  }

  sleep(ms: number, options: { signal?: AbortSignal } = {}): Promise<void> {
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) return reject(options.signal.reason);
      const handle = this.setTimeout(resolve, ms);
      options.signal?.addEventListener('abort', () => {
        handle.cancel();
        reject(options.signal?.reason);
      }, { once: true });
    });
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const next = [...this.timers.values()].filter((t) => t.due <= target).sort((a, b) => a.due - b.due || a.id - b.id)[0];
      if (!next) break;
      this.current = Math.max(this.current, next.due);
      if (next.every === null) this.timers.delete(next.id);
      else next.due += next.every;
      next.fn();
    }
    this.current = target;
  }

  pendingTimers(): number {
    return this.timers.size;
  }

  private add(fn: () => void, ms: number, every: number | null): TimerHandle {
    const id = ++this.seq;
    this.timers.set(id, { id, due: this.current + Math.max(0, ms), fn, every });
    return { cancel: () => void this.timers.delete(id) };
  }
}

/** Settles `p`, advancing the fake clock by a minute whenever the code under test waits on a timer. */
export async function driveClock<T>(clock: FakeClock, p: Promise<T>): Promise<T> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  while (!done) {
    await new Promise((r) => setImmediate(r));
    if (clock.pendingTimers() > 0) clock.advance(60_000);
  }
  return p;
}
