import { describe, expect, it } from 'vitest';
import { Inflights } from '../../../src/scm/raft/inflights.js';
import { Progress } from '../../../src/scm/raft/progress.js';

describe('Inflights', () => {
  it('fills up by count and by bytes, frees acknowledged messages in order', () => {
    const f = new Inflights(3, 100);
    f.add(5, 10);
    f.add(7, 10);
    expect(f.full()).toBe(false);
    f.add(9, 10);
    expect(f.full()).toBe(true);
    f.freeLE(7);
    expect(f.count()).toBe(1);
    expect(f.full()).toBe(false);
    f.add(12, 95);
    expect(f.full()).toBe(true);
    f.freeFirstOne();
    expect(f.count()).toBe(1);
    f.reset();
    expect(f.count()).toBe(0);
  });
});

describe('Progress flow control', () => {
  it('probe: one message at a time until answered', () => {
    const p = new Progress(6, 4, 1000, true);
    expect(p.state).toBe('probe');
    expect(p.isPaused()).toBe(false);
    p.sentEntries(2, 7, 20);
    expect(p.isPaused()).toBe(true);
    expect(p.maybeUpdate(7)).toBe(true);
    expect(p.isPaused()).toBe(false);
    expect(p.next).toBe(8);
  });

  it('replicate: optimistic next, bounded by the inflight window', () => {
    const p = new Progress(6, 2, 1000, true);
    p.maybeUpdate(5);
    p.becomeReplicate();
    p.sentEntries(2, 7, 20);
    expect(p.next).toBe(8);
    p.sentEntries(1, 8, 10);
    expect(p.isPaused()).toBe(true);
    p.maybeUpdate(7);
    p.inflights.freeLE(7);
    expect(p.isPaused()).toBe(false);
  });

  it('a rejection moves next back; stale rejections are ignored', () => {
    const p = new Progress(10, 4, 1000, true);
    expect(p.maybeDecrTo(5, 3)).toBe(false); // next-1 = 9 ≠ 5: stale
    expect(p.maybeDecrTo(9, 4)).toBe(true);
    expect(p.next).toBe(5);
    p.maybeUpdate(6);
    p.becomeReplicate();
    expect(p.maybeDecrTo(6, 0)).toBe(false); // ≤ match: stale in replicate
    expect(p.maybeDecrTo(8, 0)).toBe(true);
    expect(p.next).toBe(7);
  });

  it('snapshot state pauses until the snapshot is acknowledged, then probes from after it', () => {
    const p = new Progress(3, 4, 1000, true);
    p.becomeSnapshot(20);
    expect(p.isPaused()).toBe(true);
    p.becomeProbe();
    expect(p.next).toBe(21);
  });
});
