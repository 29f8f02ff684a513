import { describe, expect, it } from 'vitest';
import { isCodedError } from '../../../src/common/coded-error.js';
import { checkAbsolute, checkName, checkPrincipal, isLoopback, parseHosts, parseYesNo } from '../../../src/provisioner/init/answer-checks.js';
import { impliedTransport } from '../../../src/provisioner/init/starter-settings.js';

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (isCodedError(err)) return err.code;
    throw err;
  }
  return 'none';
}

describe('answer checks', () => {
  it('parses host lists separated by commas and/or spaces', () => {
    expect(parseHosts('a.example.com, b.example.com  c.example.com,')).toEqual(['a.example.com', 'b.example.com', 'c.example.com']);
    expect(codeOf(() => parseHosts('10.0.0.1,10.0.0.01'))).toBe('INIT_BAD_VALUE');
    expect(codeOf(() => parseHosts('a_b'))).toBe('INIT_BAD_VALUE');
  });

  it('knows the loopback addresses of this machine', () => {
    expect(['127.0.0.1', '127.0.1.9', '::1', 'localhost'].every(isLoopback)).toBe(true);
    expect(['10.0.0.1', '128.0.0.1', 'fd00::1', 'scm1'].some(isLoopback)).toBe(false);
  });

  it('checks names, absolute paths, principals and yes/no', () => {
    expect(checkName(' prod-1 ')).toBe('prod-1');
    expect(codeOf(() => checkName('-x'))).toBe('INIT_BAD_VALUE');
    expect(checkAbsolute('d', '/srv/x/')).toBe('/srv/x');
    for (const bad of ['srv', '/a/../b', '/a b', '/a;b']) expect(codeOf(() => checkAbsolute('d', bad))).toBe('INIT_BAD_VALUE');
    expect(checkPrincipal('scm/_HOST@EXAMPLE.COM')).toBe('scm/_HOST@EXAMPLE.COM');
    expect(codeOf(() => checkPrincipal('scm/_HOST'))).toBe('INIT_BAD_VALUE');
    expect([parseYesNo('Y'), parseYesNo('no'), parseYesNo('on')]).toEqual([true, false, true]);
    expect(codeOf(() => parseYesNo('maybe'))).toBe('INIT_BAD_VALUE');
  });

  it('implies the transport: the flag, else ssh with SSH settings or a host elsewhere, else local', () => {
    expect(impliedTransport({}, ['127.0.0.1'])).toBe('local');
    expect(impliedTransport({ sshUser: 'x' }, ['127.0.0.1'])).toBe('ssh');
    expect(impliedTransport({}, ['127.0.0.1', '10.0.0.1'])).toBe('ssh');
    expect(impliedTransport({ transport: 'local' }, ['10.0.0.1'])).toBe('local');
  });
});
