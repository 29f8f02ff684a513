import { describe, expect, it } from 'vitest';
import {
  entryMatches,
  fingerprintSha256,
  formatKnownHostsLine,
  keyTypeOf,
  knownHostsName,
  lookupHost,
  parseKnownHosts,
  sameFingerprint,
  wildcardMatch,
} from '../../../src/provisioner/hosts/known-hosts.js';

// Generated with ssh-keygen (OpenSSH 9.2): two ed25519 keys, and `ssh-keygen -H` of
// "scm1.example.org K" and "[scm2.example.org]:2222 K".
const K = 'AAAAC3NzaC1lZDI1NTE5AAAAIDxc3Zvf3sSF+YSE8ZaAGV8X3qZ4curZGRtHiHzt0dpu';
const K_FP = 'SHA256:4UlfFTnr2v+N8r4khU8TJQ+wIeAu9hpQEsCneKBrGOk';
const K2 = 'AAAAC3NzaC1lZDI1NTE5AAAAIDzXhtPFdxlke/AhBJ+TDIJyW2NrHR3rVJdHwF1Zl84g';
const K2_FP = 'SHA256:iU0JYvY2g4axgaUpw+DE9NgNjQdhwYm3Vbb0oiNS/YQ';
const HASHED_SCM1 = `|1|+ymcXGYmyKtwjC1cvSXqSdQsY4M=|MK2W8aJ/T73EvkqjIT3eLd5jEJ4= ssh-ed25519 ${K}`;
const HASHED_SCM2_2222 = `|1|RFaE7Y4PEexlSdgIskBHjzJ9Dho=|gFtRk43tCGjM+n5tc7QP5pLUdrM= ssh-ed25519 ${K}`;
const key = Buffer.from(K, 'base64');
const key2 = Buffer.from(K2, 'base64');

describe('known_hosts parsing', () => {
  it('reads plain, marked and hashed lines and skips broken ones with a reason', () => {
    const text = [
      '# comment',
      '',
      `scm1,10.0.0.1 ssh-ed25519 ${K} a comment`,
      `@revoked * ssh-ed25519 ${K2}`,
      `@cert-authority *.example.org ssh-ed25519 ${K2}`,
      HASHED_SCM1,
      'garbage-without-key',
      `scm3 ssh-rsa ${K}`,
      `@bogus scm4 ssh-ed25519 ${K}`,
    ].join('\n');
    const parsed = parseKnownHosts(text, 'kh');
    expect(parsed.entries.map((e) => [e.marker, e.hosts, e.line])).toEqual([
      ['none', 'scm1,10.0.0.1', 3],
      ['revoked', '*', 4],
      ['cert-authority', '*.example.org', 5],
      ['none', HASHED_SCM1.split(' ')[0], 6],
    ]);
    expect(parsed.skipped.map((s) => s.line)).toEqual([7, 8, 9]);
  });

  it('computes OpenSSH fingerprints and key types', () => {
    expect(fingerprintSha256(key)).toBe(K_FP);
    expect(fingerprintSha256(key2)).toBe(K2_FP);
    expect(keyTypeOf(key)).toBe('ssh-ed25519');
    expect(keyTypeOf(Buffer.from([0, 0]))).toBeNull();
    expect(sameFingerprint(K_FP, K_FP.slice('SHA256:'.length) + '=')).toBe(true);
    expect(sameFingerprint(K_FP, K2_FP)).toBe(false);
  });
});

describe('host matching', () => {
  it('uses [host]:port for ports other than 22', () => {
    expect(knownHostsName('Scm1.Example.org', 22)).toBe('scm1.example.org');
    expect(knownHostsName('scm1', 2222)).toBe('[scm1]:2222');
  });

  it('matches OpenSSH-hashed names, including [host]:port ones', () => {
    const [h1, h2] = parseKnownHosts(`${HASHED_SCM1}\n${HASHED_SCM2_2222}`, 'kh').entries;
    expect(entryMatches(h1!, 'scm1.example.org', 22)).toBe(true);
    expect(entryMatches(h1!, 'SCM1.example.org', 22)).toBe(true);
    expect(entryMatches(h1!, 'scm1.example.org', 2222)).toBe(false);
    expect(entryMatches(h1!, 'scm2.example.org', 22)).toBe(false);
    expect(entryMatches(h2!, 'scm2.example.org', 2222)).toBe(true);
    expect(entryMatches(h2!, 'scm2.example.org', 22)).toBe(false);
  });

  it('supports wildcards, negation and bracketed ports in plain patterns', () => {
    const e = { hosts: '*.example.org,!bad.example.org,[10.0.0.?]:2222' };
    expect(entryMatches(e, 'scm1.example.org', 22)).toBe(true);
    expect(entryMatches(e, 'bad.example.org', 22)).toBe(false);
    expect(entryMatches(e, '10.0.0.7', 2222)).toBe(true);
    expect(entryMatches(e, '10.0.0.7', 22)).toBe(false);
    expect(entryMatches(e, 'example.org', 22)).toBe(false);
    expect(wildcardMatch('a*b*c', 'aXXbYYc')).toBe(true);
    expect(wildcardMatch('a*b*c', 'aXXbYY')).toBe(false);
    expect(wildcardMatch('*', '')).toBe(true);
  });

  it('splits known and revoked entries for a host, ignoring cert-authority lines', () => {
    const parsed = parseKnownHosts(
      [`scm1 ssh-ed25519 ${K}`, `@revoked scm1 ssh-ed25519 ${K2}`, `@cert-authority scm1 ssh-ed25519 ${K2}`, `other ssh-ed25519 ${K2}`].join('\n'),
      'kh',
    );
    const found = lookupHost(parsed.entries, 'scm1', 22);
    expect(found.known.map((e) => e.line)).toEqual([1]);
    expect(found.revoked.map((e) => e.line)).toEqual([2]);
  });
});

describe('formatting', () => {
  it('writes lines that parse back and match, plain and hashed', () => {
    for (const hashed of [false, true]) {
      for (const port of [22, 2200]) {
        const line = formatKnownHostsLine('scm9.example.org', port, key, { hashed });
        const [entry] = parseKnownHosts(line, 'x').entries;
        expect(entry!.key.equals(key)).toBe(true);
        expect(entryMatches(entry!, 'scm9.example.org', port)).toBe(true);
        expect(entryMatches(entry!, 'scm8.example.org', port)).toBe(false);
        expect(line.startsWith('|1|')).toBe(hashed);
      }
    }
  });

  it('hashes exactly like ssh-keygen -H for a given salt', () => {
    const salt = Buffer.from('+ymcXGYmyKtwjC1cvSXqSdQsY4M=', 'base64');
    expect(formatKnownHostsLine('scm1.example.org', 22, key, { hashed: true, salt })).toBe(HASHED_SCM1);
  });
});
