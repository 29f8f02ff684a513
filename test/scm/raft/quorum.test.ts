import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { committedIndex, majority, voteResult } from '../../../src/scm/raft/quorum.js';
import { nodeId, type NodeId } from '../../../src/scm/raft/types.js';

const ids = (...xs: string[]): NodeId[] => xs.map(nodeId);

describe('quorum', () => {
  it('majority of n is floor(n/2)+1', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(majority)).toEqual([1, 2, 2, 3, 3, 4, 4]);
  });

  it('committed index is the highest index a majority has matched', () => {
    const m = new Map([['a', 5], ['b', 3], ['c', 9]]);
    expect(committedIndex(ids('a', 'b', 'c'), (id) => m.get(id)!)).toBe(5);
    expect(committedIndex(ids('a', 'b'), (id) => m.get(id)!)).toBe(3);
    expect(committedIndex([], () => 7)).toBe(0);
  });

  it('committed index: a majority has match ≥ it, and no higher value has a majority (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(100), { minLength: 1, maxLength: 7 }), (matches) => {
        const voters = matches.map((_, i) => nodeId(`n${i}`));
        const c = committedIndex(voters, (id) => matches[Number(id.slice(1))]!);
        const atLeast = (x: number): number => matches.filter((m) => m >= x).length;
        expect(atLeast(c)).toBeGreaterThanOrEqual(majority(matches.length));
        expect(atLeast(c + 1)).toBeLessThan(majority(matches.length));
      }),
    );
  });

  it('vote result: won, lost, pending', () => {
    const v = ids('a', 'b', 'c');
    expect(voteResult(v, new Map([[nodeId('a'), true], [nodeId('b'), true]]))).toBe('won');
    expect(voteResult(v, new Map([[nodeId('a'), true], [nodeId('b'), false]]))).toBe('pending');
    expect(voteResult(v, new Map([[nodeId('a'), false], [nodeId('b'), false]]))).toBe('lost');
    expect(voteResult(v, new Map([[nodeId('x'), true], [nodeId('y'), true]]))).toBe('pending');
  });
});
