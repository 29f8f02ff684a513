import { describe, expect, it } from 'vitest';
import { ConcurrencyLimit } from '../../../src/provisioner/hosts/concurrency-limit.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('ConcurrencyLimit', () => {
  it('runs at most max tasks at once, in call order', async () => {
    const limit = new ConcurrencyLimit(2);
    const gates = [deferred(), deferred(), deferred()];
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      limit.run(async () => {
        started.push(i);
        await g.promise;
        return i;
      }),
    );
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1]);
    expect(limit.queued).toBe(1);
    gates[1]!.resolve();
    await runs[1];
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.resolve();
    gates[2]!.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2]);
    expect(limit.running).toBe(0);
  });

  it('lets a waiting caller leave when its signal fires', async () => {
    const limit = new ConcurrencyLimit(1);
    const gate = deferred();
    const first = limit.run(() => gate.promise);
    const ac = new AbortController();
    const second = limit.run(async () => 'never', ac.signal);
    ac.abort(new Error('gone'));
    await expect(second).rejects.toThrow('gone');
    expect(limit.queued).toBe(0);
    gate.resolve();
    await first;
  });

  it('refuses a non-positive limit', () => {
    expect(() => new ConcurrencyLimit(0)).toThrow(RangeError);
  });
});
