import { describe, expect, it } from 'vitest';
import { isCodedError } from '../../../src/common/coded-error.js';
import { MemoryStorage } from '../../../src/scm/raft/log-storage.js';
import { RaftLog } from '../../../src/scm/raft/raft-log.js';
import { ReadOnly } from '../../../src/scm/raft/read-only.js';
import { nodeId, type Entry } from '../../../src/scm/raft/types.js';

const e = (term: number, index: number): Entry => ({ term, index, type: 'normal', data: new Uint8Array([index]) });

function logWith(terms: number[], stable = terms.length): RaftLog & { storage: MemoryStorage } {
  const s = new MemoryStorage();
  s.append(terms.slice(0, stable).map((t, i) => e(t, i + 1)));
  const l = new RaftLog(s, 1 << 20);
  l.append(terms.slice(stable).map((t, i) => e(t, stable + i + 1)));
  return l as RaftLog & { storage: MemoryStorage };
}

describe('RaftLog', () => {
  it('reads terms and slices across storage and the unstable tail', () => {
    const l = logWith([1, 1, 2, 3], 2);
    expect([1, 2, 3, 4].map((i) => l.term(i))).toEqual([1, 1, 2, 3]);
    expect(l.term(5)).toBeNull();
    expect(l.slice(1, 5, 1 << 20)!.map((x) => x.index)).toEqual([1, 2, 3, 4]);
    expect(l.slice(1, 5, 1)!.map((x) => x.index)).toEqual([1]);
    expect(l.stableLastIndex()).toBe(2);
  });

  it('findConflictByTerm skips whole terms', () => {
    const l = logWith([1, 1, 2, 2, 5, 5]);
    expect(l.findConflictByTerm(6, 3)).toEqual([4, 2]);
    expect(l.findConflictByTerm(6, 5)).toEqual([6, 5]);
    expect(l.findConflictByTerm(6, 0)).toEqual([0, 0]);
  });

  it('maybeAppend truncates a conflicting uncommitted suffix and advances commit to the last new entry', () => {
    const l = logWith([1, 1, 2, 2]);
    expect(l.maybeAppend(2, 1, 10, [e(3, 3)])).toBe(3);
    expect(l.lastIndex()).toBe(3);
    expect(l.term(3)).toBe(3);
    expect(l.committed).toBe(3);
    expect(l.maybeAppend(3, 2, 3, [])).toBeNull();
  });

  it('only hands out committed entries that are durable', () => {
    const l = logWith([1, 1, 1], 1);
    l.commitTo(3);
    expect(l.nextCommittedEntries().map((x) => x.index)).toEqual([1]);
    l.storage.append(l.unstable.entries);
    l.stableTo(3, 1);
    expect(l.nextCommittedEntries().map((x) => x.index)).toEqual([1, 2, 3]);
  });

  it('refuses to commit beyond its last index or to apply beyond commit', () => {
    const l = logWith([1]);
    for (const f of [() => l.commitTo(5), () => l.appliedTo(1)]) {
      let err: unknown;
      try {
        f();
      } catch (x) {
        err = x;
      }
      expect(isCodedError(err, 'INTERNAL')).toBe(true);
    }
  });
});

describe('MemoryStorage', () => {
  it('appends with truncation, compacts keeping the boundary term, and restores from a snapshot', () => {
    const s = new MemoryStorage();
    s.append([e(1, 1), e(1, 2), e(2, 3)]);
    s.append([e(3, 3), e(3, 4)]);
    expect([1, 2, 3, 4].map((i) => s.term(i))).toEqual([1, 1, 3, 3]);
    s.compact(2);
    expect(s.firstIndex()).toBe(3);
    expect(s.term(2)).toBe(1);
    expect(s.term(1)).toBeNull();
    s.applySnapshot({ meta: { index: 10, term: 4, confState: { members: [] } }, data: new Uint8Array() });
    expect([s.firstIndex(), s.lastIndex(), s.term(10)]).toEqual([11, 10, 4]);
  });
});

describe('ReadOnly', () => {
  it('releases requests in order once acknowledged', () => {
    const r = new ReadOnly();
    const c1 = new Uint8Array([1]);
    const c2 = new Uint8Array([2]);
    r.add(5, c1);
    r.add(6, c2);
    expect(r.recvAck(nodeId('a'), c2)?.size).toBe(1);
    expect(r.advance(c2).map((s) => s.index)).toEqual([5, 6]);
    expect(r.size()).toBe(0);
    expect(r.recvAck(nodeId('a'), c1)).toBeNull();
  });
});
