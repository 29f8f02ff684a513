import { describe, expect, it } from 'vitest';
import { firstDifference } from '../../../src/provisioner/plan/first-difference.js';

describe('firstDifference', () => {
  it('is null for equal JSON values, whatever the key order, with undefined as absent', () => {
    expect(firstDifference({ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 })).toBeNull();
    expect(firstDifference({ a: 1, u: undefined }, { a: 1 })).toBeNull();
  });

  it('names the first differing path, depth first', () => {
    expect(firstDifference({ a: [1, { c: 'x', d: 2 }], z: 0 }, { a: [1, { c: 'y', d: 3 }], z: 1 })).toEqual({ path: ['a', 1, 'c'], a: 'x', b: 'y' });
    expect(firstDifference({ a: 1 }, { a: 1, b: 2 })).toEqual({ path: ['b'], a: undefined, b: 2 });
    expect(firstDifference([1, 2], [1, 2, 3])).toEqual({ path: [2], a: undefined, b: 3 });
    expect(firstDifference({ a: [1] }, { a: { 0: 1 } })).toEqual({ path: ['a'], a: [1], b: { 0: 1 } });
    expect(firstDifference(1, '1')).toEqual({ path: [], a: 1, b: '1' });
  });
});
