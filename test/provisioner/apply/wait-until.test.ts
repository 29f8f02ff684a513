/**
 * waitUntil on the fake clock: a heartbeat every 10 s of waiting says what is awaited, how long it has been
 * and the limit — also while one check hangs — and none after the wait ends; the timeout names what it
 * gave up waiting for (APPLY_HEALTH_TIMEOUT).
 */
import { describe, expect, it } from 'vitest';
import { heartbeatText, waitUntil, type Heartbeat } from '../../../src/provisioner/apply/wait-until.js';
import { FakeClock } from '../../support/fake-clock.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('waitUntil heartbeats', () => {
  it('beats every 10 s with elapsed and limit, while a check hangs too, and stops when the wait ends', async () => {
    const clock = new FakeClock(0);
    const beats: Heartbeat[] = [];
    let release!: () => void;
    let calls = 0;
    const p = waitUntil(
      async () => {
        calls++;
        if (calls === 1) return { done: false, detail: 'scm2 not in the ring' };
        await new Promise<void>((r) => (release = r)); // the second check hangs until released
        return { done: true, detail: 'leader scm1; in the ring: scm1, scm2' };
      },
      { what: 'svc/scm2 to join the ring (one leader)', timeoutMs: 90_000, intervalMs: 500, clock, onHeartbeat: (h) => beats.push(h) },
    );
    await tick();
    clock.advance(500); // the poll interval: the second check starts and hangs
    await tick();
    clock.advance(40_000);
    expect(beats.map((b) => b.elapsedMs)).toEqual([10_000, 20_000, 30_000, 40_000]);
    expect(beats[3]).toEqual({ what: 'svc/scm2 to join the ring (one leader)', elapsedMs: 40_000, limitMs: 90_000 });
    expect(heartbeatText(beats[3]!)).toBe('still waiting for svc/scm2 to join the ring (one leader): 40 s / 90 s');
    release();
    expect(await p).toBe('leader scm1; in the ring: scm1, scm2');
    clock.advance(60_000);
    expect(beats).toHaveLength(4);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('gives up with APPLY_HEALTH_TIMEOUT naming what it waited for and the last observation', async () => {
    const clock = new FakeClock(0);
    const p = waitUntil(async () => ({ done: false, detail: 'no leader' }), { what: 'svc/scm1 to become the leader', timeoutMs: 2_000, intervalMs: 500, clock });
    const settled = p.catch((e: unknown) => e);
    for (let i = 0; i < 6; i++) {
      await tick();
      clock.advance(500);
    }
    const err = (await settled) as { code: string; message: string };
    expect(err.code).toBe('APPLY_HEALTH_TIMEOUT');
    expect(err.message).toBe('gave up waiting for svc/scm1 to become the leader after 2 s; last seen: no leader');
  });
});
