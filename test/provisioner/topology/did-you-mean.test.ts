import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from '../../../src/provisioner/topology/did-you-mean.js';

describe('didYouMean', () => {
  it('counts insertions, deletions, substitutions and transpositions', () => {
    expect(editDistance('adress', 'address')).toBe(1);
    expect(editDistance('nodeid', 'nodeId'.toLowerCase())).toBe(0);
    expect(editDistance('ratsi', 'ratis')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests close candidates only', () => {
    expect(didYouMean('adress', ['name', 'address', 'roles'])).toBe('address');
    expect(didYouMean('NodeID', ['nodeId', 'host'])).toBe('nodeId');
    expect(didYouMean('zzz', ['address', 'roles'])).toBeUndefined();
    expect(didYouMean('address', ['address'])).toBeUndefined();
  });
});
