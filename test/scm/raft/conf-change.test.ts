import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isCodedError } from '../../../src/common/coded-error.js';
import {
  applyConfChange,
  decodeConfChange,
  encodeConfChange,
  isAddress,
  validateConfChange,
  votersOf,
  type ConfChange,
} from '../../../src/scm/raft/conf-change.js';
import { nodeId, type ConfState } from '../../../src/scm/raft/types.js';

const base: ConfState = {
  members: [
    { id: nodeId('a'), address: '127.0.3.1:9894', role: 'voter', autoPromote: false },
    { id: nodeId('b'), address: '127.0.3.2:9894', role: 'voter', autoPromote: false },
  ],
};

function code(f: () => void): string | undefined {
  try {
    f();
  } catch (e) {
    return isCodedError(e) ? e.code : 'not-coded';
  }
  return undefined;
}

describe('conf changes', () => {
  it('round-trip through the codec (property)', () => {
    const arbId = fc.string({ minLength: 1, maxLength: 40 });
    const arbAddr = fc.constantFrom('127.0.3.1:9894', 'scm1.example.com:9894', '[::1]:9894');
    const arb: fc.Arbitrary<ConfChange> = fc.oneof(
      fc.record({ type: fc.constant('add-learner' as const), id: arbId.map(nodeId), address: arbAddr, autoPromote: fc.boolean() }),
      fc.record({ type: fc.constant('add-voter' as const), id: arbId.map(nodeId), address: arbAddr }),
      fc.record({ type: fc.constant('promote' as const), id: arbId.map(nodeId) }),
      fc.record({ type: fc.constant('remove' as const), id: arbId.map(nodeId) }),
    );
    fc.assert(
      fc.property(arb, (cc) => {
        expect(decodeConfChange(encodeConfChange(cc))).toEqual(cc);
      }),
    );
  });

  it('rejects undecodable bytes with INTERNAL', () => {
    expect(code(() => decodeConfChange(new Uint8Array([9, 9])))).toBe('INTERNAL');
  });

  it('learner add → promote → remove, with addresses kept', () => {
    let cs = applyConfChange(base, { type: 'add-learner', id: nodeId('c'), address: '127.0.3.3:9894', autoPromote: true });
    expect(cs.members.find((m) => m.id === 'c')).toEqual({ id: 'c', address: '127.0.3.3:9894', role: 'learner', autoPromote: true });
    expect(votersOf(cs)).toEqual(['a', 'b']);
    cs = applyConfChange(cs, { type: 'promote', id: nodeId('c') });
    expect(votersOf(cs)).toEqual(['a', 'b', 'c']);
    expect(cs.members.find((m) => m.id === 'c')?.autoPromote).toBe(false);
    cs = applyConfChange(cs, { type: 'remove', id: nodeId('a') });
    expect(cs.members.map((m) => `${m.id}@${m.address}`)).toEqual(['b@127.0.3.2:9894', 'c@127.0.3.3:9894']);
  });

  it('apply is total: changes that do not fit are no-ops', () => {
    expect(applyConfChange(base, { type: 'promote', id: nodeId('zz') })).toBe(base);
    expect(applyConfChange(base, { type: 'remove', id: nodeId('zz') })).toBe(base);
    expect(applyConfChange(base, { type: 'add-learner', id: nodeId('a'), address: '127.0.3.9:1', autoPromote: false })).toBe(base);
  });

  it('validation refuses what a leader must not propose', () => {
    expect(code(() => validateConfChange(base, { type: 'add-learner', id: nodeId('a'), address: '127.0.3.5:9894', autoPromote: true }))).toBe('INVALID_CONF_CHANGE');
    expect(code(() => validateConfChange(base, { type: 'add-learner', id: nodeId('c'), address: 'nope', autoPromote: true }))).toBe('INVALID_CONF_CHANGE');
    expect(code(() => validateConfChange(base, { type: 'add-learner', id: nodeId('c'), address: '127.0.3.1:9894', autoPromote: true }))).toBe('INVALID_CONF_CHANGE');
    expect(code(() => validateConfChange(base, { type: 'promote', id: nodeId('a') }))).toBe('INVALID_CONF_CHANGE');
    expect(code(() => validateConfChange(base, { type: 'remove', id: nodeId('c') }))).toBe('INVALID_CONF_CHANGE');
    const one: ConfState = { members: [base.members[0]!] };
    expect(code(() => validateConfChange(one, { type: 'remove', id: nodeId('a') }))).toBe('INVALID_CONF_CHANGE');
    expect(code(() => validateConfChange(base, { type: 'remove', id: nodeId('a') }))).toBeUndefined();
  });

  it('addresses are host:port', () => {
    expect(['127.0.3.1:9894', 'scm-1.example.com:1', '[::1]:9894'].every(isAddress)).toBe(true);
    expect(['127.0.3.1', ':9894', 'a b:1', 'h:70000', 'h:-1'].some(isAddress)).toBe(false);
  });
});
