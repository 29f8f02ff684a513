/** RingReads, pure: who asks a service's roles, in the topology's order, and what is left for after gathering. */
import { describe, expect, it } from 'vitest';
import { RingReads } from '../../../src/provisioner/plan/ring-reads.js';
import { threeNodeText, topologyOf } from './cluster-fixture.js';

const t3 = topologyOf(threeNodeText());
const OK = { ok: true as const, peers: [] };
const FAILED = { ok: false as const, exitCode: 1, message: 'no leader' };

describe('RingReads', () => {
  it('the first running node asks at once; the ones read after its answer do not ask', () => {
    const r = new RingReads(t3);
    expect(r.turn('svc/scm1').decide(true)).toBe(true);
    r.answered('svc/scm1', OK);
    expect(r.turn('svc/scm2').decide(true)).toBe(false);
    expect(r.turn('svc/scm3').decide(true)).toBe(false);
    expect(r.deferred()).toEqual([]);
  });

  it('a node read while an earlier one is still being read is deferred, and asked only if the earlier ones had no answer', () => {
    const r = new RingReads(t3);
    expect(r.turn('svc/scm3').decide(true)).toBe(false); // scm1, scm2 not read yet
    expect(r.turn('svc/scm1').decide(true)).toBe(true);
    expect(r.turn('svc/scm2').decide(true)).toBe(false); // scm1 is asking
    expect(r.deferred()).toEqual([['svc/scm2', 'svc/scm3']]);
    r.answered('svc/scm1', OK);
    expect(r.deferred()).toEqual([]);
  });

  it('a stopped node, an unreadable host and a failed answer pass the turn to the next node, in order', () => {
    const r = new RingReads(t3);
    expect(r.turn('svc/scm1').decide(false)).toBe(false); // not running
    expect(r.turn('svc/scm2').decide(true)).toBe(true);
    r.answered('svc/scm2', FAILED);
    expect(r.turn('svc/scm3').decide(true)).toBe(true);

    const u = new RingReads(t3);
    expect(u.turn('svc/scm2').decide(true)).toBe(false);
    u.settle(['svc/scm1']); // its host could not be read
    expect(u.turn('svc/scm3').decide(true)).toBe(false); // scm2 deferred, not known to have no answer
    expect(u.deferred()).toEqual([['svc/scm2', 'svc/scm3']]);
  });

  it('with the embedded runtime the first node of a service asks early; with a real release (a JVM per ask) none does', () => {
    const r = new RingReads(t3);
    expect(['svc/scm1', 'svc/scm2', 'svc/scm3'].map((k) => r.turn(k).early)).toEqual([true, false, false]);
    const real = new RingReads({ ...t3, runtime: { ...t3.runtime, kind: 'apache-ozone' } as never });
    expect(['svc/scm1', 'svc/scm2', 'svc/scm3'].map((k) => real.turn(k).early)).toEqual([false, false, false]);
  });

  it('settling a host whose node was asking (its roles threw) leaves that node without an answer', () => {
    const r = new RingReads(t3);
    expect(r.turn('svc/scm1').decide(true)).toBe(true);
    r.settle(['svc/scm1']);
    expect(r.turn('svc/scm2').decide(true)).toBe(true);
  });
});
