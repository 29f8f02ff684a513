/**
 * What scmctl accepts as a host address (written into `ozone.scm.address.*`, used to connect): an IPv4
 * address, an IPv6 address (node:net `isIP`), or a DNS name of RFC 1123 labels — 1 to 63 letters, digits
 * and hyphens each, not starting or ending with a hyphen, at most 253 characters in all. A name whose last
 * label is all digits is not a DNS name (RFC 3696 §2): it is meant as an IPv4 address, so `300.1.1.1` and
 * `10.0.1` are refused instead of being looked up as names. Pure.
 */
import { isIP } from 'node:net';

export type AddressCheck =
  | { readonly ok: true; readonly kind: 'ipv4' | 'ipv6' | 'dns' }
  | { readonly ok: false; readonly meant: 'ipv4' | 'ipv6' | 'dns'; /** what is wrong, as a phrase */ readonly why: string };

const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export function checkAddress(value: string): AddressCheck {
  const ip = isIP(value);
  if (ip === 4) return { ok: true, kind: 'ipv4' };
  if (ip === 6) return { ok: true, kind: 'ipv6' };
  if (value.includes(':')) return { ok: false, meant: 'ipv6', why: 'is not a valid IPv6 address' };
  const labels = value.split('.');
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) {
    return { ok: false, meant: 'ipv4', why: 'is not a valid IPv4 address (four numbers from 0 to 255, without leading zeros)' };
  }
  if (value.length > 253) return { ok: false, meant: 'dns', why: `is not a valid DNS name (${value.length} characters; at most 253)` };
  const bad = labels.find((l) => !LABEL.test(l));
  if (bad !== undefined) {
    const why =
      bad === ''
        ? 'has an empty label (two dots in a row, or a dot at the start or end)'
        : bad.length > 63
          ? `has a label of ${bad.length} characters (at most 63)`
          : /^-|-$/.test(bad)
            ? `has a label starting or ending with a hyphen ("${bad}")`
            : `has a label with characters other than letters, digits and hyphens ("${bad}")`;
    return { ok: false, meant: 'dns', why: `is not a valid DNS name: it ${why}` };
  }
  return { ok: true, kind: 'dns' };
}
