import { describe, expect, it } from 'vitest';
import { arr, bool, int, literal, obj, optional, pem, str, type Infer } from '../../../src/scm/transport/params-guard.js';

describe('params guards', () => {
  const g = obj({ name: str({ max: 5 }), n: optional(int({ min: 1, max: 3 })), tags: optional(arr(literal('a', 'b'), { max: 2 })), on: optional(bool()) });
  type T = Infer<typeof g>;

  it('accepts what the declaration allows and types it', () => {
    const v: T = g.check({ name: 'x', n: 2, tags: ['a'], on: true }, 'params');
    expect(v).toEqual({ name: 'x', n: 2, tags: ['a'], on: true });
    expect(g.check({ name: 'y' }, 'params')).toEqual({ name: 'y' });
  });

  it.each([
    [{}, 'params.name: expected a string'],
    [{ name: 7 }, 'params.name: expected a string'],
    [{ name: 'toolong' }, 'params.name: expected a string'],
    [{ name: 'x', n: 4 }, 'params.n: expected an integer in [1, 3]'],
    [{ name: 'x', n: 1.5 }, 'params.n: expected an integer'],
    [{ name: 'x', tags: ['c'] }, 'params.tags[0]: expected one of "a", "b"'],
    [{ name: 'x', tags: ['a', 'a', 'a'] }, 'params.tags: expected an array of at most 2'],
    [{ name: 'x', extra: 1 }, 'params.extra: expected no such field'],
    [null, 'params: expected an object'],
    [[], 'params: expected an object'],
  ])('refuses %j with a coded error naming the field', (value, message) => {
    expect(() => g.check(value, 'params')).toThrow(expect.objectContaining({ code: 'RPC_INVALID_PARAMS', message: expect.stringContaining(message) }));
  });

  it('pem accepts a PEM block only, bounded', () => {
    expect(pem().check('-----BEGIN CERTIFICATE REQUEST-----\nabc\n-----END CERTIFICATE REQUEST-----\n', 'p')).toBeTruthy();
    expect(() => pem().check('hello', 'p')).toThrow(expect.objectContaining({ code: 'RPC_INVALID_PARAMS' }));
    expect(() => pem().check(`-----BEGIN X-----\n${'a'.repeat(20_000)}\n-----END X-----`, 'p')).toThrow(expect.objectContaining({ code: 'RPC_INVALID_PARAMS' }));
  });
});
