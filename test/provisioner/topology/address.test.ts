import { describe, expect, it } from 'vitest';
import { checkAddress } from '../../../src/provisioner/topology/address.js';

describe('checkAddress', () => {
  it.each([
    ['10.0.0.1', 'ipv4'],
    ['255.255.255.255', 'ipv4'],
    ['::1', 'ipv6'],
    ['fd00::1', 'ipv6'],
    ['2001:db8::8a2e:370:7334', 'ipv6'],
    ['::ffff:10.0.0.1', 'ipv6'],
    ['scm1', 'dns'],
    ['scm-1.dc1.example.com', 'dns'],
    ['1scm.example.com', 'dns'],
    ['a'.repeat(63), 'dns'],
    [`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`, 'dns'],
  ])('accepts %s as %s', (value, kind) => {
    expect(checkAddress(value)).toEqual({ ok: true, kind });
  });

  it.each([
    ['300.1.1.1', 'ipv4'],
    ['10.0.1', 'ipv4'],
    ['01.2.3.4', 'ipv4'],
    ['1.2.3.4.5', 'ipv4'],
    ['host.123', 'ipv4'],
    [':::::', 'ipv6'],
    ['1::2::3', 'ipv6'],
    ['fd00::g', 'ipv6'],
    ['-scm1', 'dns'],
    ['scm1-.example.com', 'dns'],
    ['scm_1', 'dns'],
    ['a..b', 'dns'],
    ['a.', 'dns'],
    ['a'.repeat(64), 'dns'],
    [`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`, 'dns'],
  ])('refuses %s (meant as %s)', (value, meant) => {
    const r = checkAddress(value);
    expect(r.ok).toBe(false);
    expect(r.ok ? undefined : r.meant).toBe(meant);
  });
});
