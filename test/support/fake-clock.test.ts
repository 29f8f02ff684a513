import { describe, expect, it } from 'vitest';
import { FakeClock } from './fake-clock.js';

describe('FakeClock', () => {
  it('fires timers in due order and only when advanced past them', () => {
    const c = new FakeClock(0);
    const log: string[] = [];
    c.setTimeout(() => log.push('b@20'), 20);
    c.setTimeout(() => log.push('a@10'), 10);
    const cancelled = c.setTimeout(() => log.push('never'), 15);
    cancelled.cancel();
    c.advance(9);
    expect(log).toEqual([]);
    c.advance(20);
    expect(log).toEqual(['a@10', 'b@20']);
    expect(c.now()).toBe(29);
  });

  it('repeats intervals and fires timers scheduled by timers', () => {
    const c = new FakeClock(0);
    let n = 0;
    const h = c.setInterval(() => n++, 10);
    c.setTimeout(() => c.setTimeout(() => n += 100, 5), 5);
    c.advance(35);
    expect(n).toBe(103);
    h.cancel();
    c.advance(100);
    expect(n).toBe(103);
  });
});
