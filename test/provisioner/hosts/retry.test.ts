import { describe, expect, it } from 'vitest';
import { HostError } from '../../../src/provisioner/hosts/host-error.js';
import { backoffDelay, retry } from '../../../src/provisioner/hosts/retry.js';
import type { AttemptFailure } from '../../../src/provisioner/hosts/host-error.js';
import { driveClock, FakeClock } from '../../support/fake-clock.js';

describe('retry', () => {
  it('retries transient host errors with growing delays and says which attempt failed and why', async () => {
    const clock = new FakeClock(0);
    const seen: AttemptFailure[] = [];
    const started: number[] = [];
    const p = retry(
      async (attempt) => {
        started.push(clock.now());
        throw new HostError('SSH_UNREACHABLE', 'scm2', `connection refused (#${attempt})`);
      },
      { attempts: 3, baseDelayMs: 1000, random: () => 1, clock, onAttemptFailed: (f) => seen.push(f) },
    );
    const err = await driveClock(clock, p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostError);
    const he = err as HostError;
    expect(he.code).toBe('SSH_UNREACHABLE');
    expect(he.host).toBe('scm2');
    expect(he.message).toContain('attempt 3 of 3 failed');
    expect(he.message).toContain('attempt 1: SSH_UNREACHABLE connection refused (#1)');
    expect(he.attempts.map((a) => [a.attempt, a.code, a.retryInMs])).toEqual([
      [1, 'SSH_UNREACHABLE', 1000],
      [2, 'SSH_UNREACHABLE', 2000],
      [3, 'SSH_UNREACHABLE', null],
    ]);
    expect(seen).toHaveLength(3);
    expect(started).toEqual([0, 60_000, 120_000]);
  });

  it('does not retry permanent errors (auth, host key)', async () => {
    let calls = 0;
    const err = await retry(
      async () => {
        calls++;
        throw new HostError('SSH_AUTH_FAILED', 'scm1', 'refused');
      },
      { attempts: 5 },
    ).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect((err as HostError).code).toBe('SSH_AUTH_FAILED');
    expect((err as HostError).attempts).toEqual([]);
  });

  it('returns the first success', async () => {
    const clock = new FakeClock(0);
    const p = retry(
      async (attempt) => {
        if (attempt < 2) throw new HostError('SSH_TIMEOUT', 'scm1', 'slow');
        return attempt;
      },
      { clock },
    );
    expect(await driveClock(clock, p)).toBe(2);
  });

  it('stops waiting when aborted', async () => {
    const clock = new FakeClock(0);
    const ac = new AbortController();
    const p = retry(
      async () => {
        throw new HostError('SSH_TIMEOUT', 'scm1', 'slow');
      },
      { clock, signal: ac.signal },
    );
    await new Promise((r) => setImmediate(r));
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
  });

  it('says a reason once when the attempts failed the same way, and marks repeats among different ones', async () => {
    const run = async (reasons: string[]): Promise<HostError> => {
      const clock = new FakeClock(0);
      const p = retry(
        async (attempt) => {
          throw new HostError('SSH_UNREACHABLE', 'scm2', reasons[attempt - 1]!);
        },
        { attempts: reasons.length, clock },
      );
      return (await driveClock(clock, p).catch((e: unknown) => e)) as HostError;
    };
    const same = await run(['connection refused (ECONNREFUSED)', 'connection refused (ECONNREFUSED)', 'connection refused (ECONNREFUSED)']);
    expect(same.message).toBe('host scm2: connection refused (ECONNREFUSED) (attempt 3 of 3 failed, as did the 2 before)');
    const mixed = await run(['no route to the host (EHOSTUNREACH)', 'connection refused (ECONNREFUSED)', 'connection refused (ECONNREFUSED)']);
    expect(mixed.message).toBe(
      'host scm2: connection refused (ECONNREFUSED) (attempt 3 of 3 failed; earlier attempt 1: SSH_UNREACHABLE no route to the host (EHOSTUNREACH); attempt 2: the same)',
    );
  });

  it('draws delays from [d/2, d], capped', () => {
    expect(backoffDelay(1, { baseDelayMs: 100, random: () => 0 })).toBe(50);
    expect(backoffDelay(3, { baseDelayMs: 100, random: () => 1 })).toBe(400);
    expect(backoffDelay(20, { baseDelayMs: 100, maxDelayMs: 1000, random: () => 1 })).toBe(1000);
  });
});
