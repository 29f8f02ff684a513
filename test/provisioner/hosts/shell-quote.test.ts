import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quote, sh, shInShell, shJoin, type ShellCommand } from '../../../src/provisioner/hosts/shell-quote.js';

describe('quote', () => {
  it('leaves safe words alone and single-quotes the rest', () => {
    expect(quote('/opt/scmctl/current')).toBe('/opt/scmctl/current');
    expect(quote('')).toBe("''");
    expect(quote('a b')).toBe("'a b'");
    expect(quote("it's")).toBe(`'it'\\''s'`);
    expect(quote('X=1')).toBe("'X=1'");
    expect(quote('~root')).toBe("'~root'");
    expect(() => quote('a\0b')).toThrow(TypeError);
  });

  it('round-trips any string through a real POSIX sh as exactly one word', () => {
    const samples = fc.sample(fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\0')), { numRuns: 300, seed: 42 });
    samples.push('$(touch /tmp/pwned)', '`id`', "'", '"', '\\', '\n', '*', '-n', '--', '!', '$HOME', '; rm -rf /', 'a\tb', 'ü€😀');
    const cmd = sh`printf '%s\\0' ${samples}`;
    const out = execFileSync('sh', ['-c', cmd.text], { encoding: 'utf8' });
    expect(out.split('\0').slice(0, -1)).toEqual(samples);
  });
});

describe('sh tag', () => {
  it('quotes values, joins arrays, embeds commands built by the tag', () => {
    const inner = sh`tar -xzf ${'/tmp/a b.tgz'}`;
    expect(sh`cd ${'/x y'} && ${inner}`.text).toBe(`cd '/x y' && tar -xzf '/tmp/a b.tgz'`);
    expect(sh`sha256sum -- ${['/a', '/b c']}`.text).toBe(`sha256sum -- /a '/b c'`);
    expect(sh`exit ${3}`.text).toBe('exit 3');
  });

  it('refuses look-alike objects and non-finite numbers', () => {
    const fake = { text: 'rm -rf /' } as unknown as ShellCommand;
    expect(() => sh`echo ${fake}`).toThrow(TypeError);
    expect(() => sh`echo ${Number.NaN}`).toThrow(TypeError);
    expect(() => shJoin([fake], '; ')).toThrow(TypeError);
  });

  it('wraps in sh -c so the login shell does not matter', () => {
    const cmd = shInShell(sh`echo ${"it's"}`);
    expect(execFileSync('sh', ['-c', cmd.text], { encoding: 'utf8' })).toBe("it's\n");
    expect(shJoin([sh`a`, sh`b`], ' && ').text).toBe('a && b');
  });
});
