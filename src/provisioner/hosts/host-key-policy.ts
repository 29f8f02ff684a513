/**
 * The host key decision, pure. Modes (docs/hosts.md):
 * - `strict` (default): the key must be in a known_hosts file.
 * - `accept-new`: an unknown host's key is accepted and recorded in the first known_hosts file.
 * - `off`: an unknown host's key is accepted and not recorded.
 * - `fingerprint` (pin, any mode): the key must have this SHA256 fingerprint; an unknown host is then
 *   accepted without being recorded.
 * In every mode, a key that differs from the known entries for the host (or from the pin) is refused as
 * SSH_HOST_KEY_CHANGED, and a key marked @revoked is refused as SSH_HOST_KEY_REVOKED.
 */
import { fingerprintSha256, type HostKeyLookup, keyTypeOf, sameFingerprint } from './known-hosts.js';

export type HostKeyCheckMode = 'strict' | 'accept-new' | 'off';

export interface HostKeyPolicy {
  readonly mode?: HostKeyCheckMode;
  /** pinned `SHA256:…` fingerprint of the host key */
  readonly fingerprint?: string;
  /** default: `~/.ssh/known_hosts` (written by accept-new) then `/etc/ssh/ssh_known_hosts` */
  readonly knownHostsFiles?: readonly string[];
  /** record new keys with hashed host names (HashKnownHosts yes) */
  readonly hashKnownHosts?: boolean;
}

export type HostKeyRefusal = 'SSH_HOST_KEY_UNKNOWN' | 'SSH_HOST_KEY_CHANGED' | 'SSH_HOST_KEY_REVOKED';

export type HostKeyVerdict =
  | { readonly accept: true; readonly record: boolean; readonly how: 'known' | 'pinned' | 'new' | 'unchecked' }
  | { readonly accept: false; readonly code: HostKeyRefusal; readonly message: string };

function where(lookup: HostKeyLookup): string {
  return lookup.known.map((e) => `${e.source}:${e.line}`).join(', ');
}

export function decideHostKey(policy: HostKeyPolicy, lookup: HostKeyLookup, presented: Buffer, hostLabel: string): HostKeyVerdict {
  const fp = fingerprintSha256(presented);
  const type = keyTypeOf(presented) ?? 'unknown';
  if (lookup.revoked.some((e) => e.key.equals(presented))) {
    return { accept: false, code: 'SSH_HOST_KEY_REVOKED', message: `the ${type} key ${fp} of ${hostLabel} is marked @revoked` };
  }
  const knownMatch = lookup.known.some((e) => e.key.equals(presented));
  if (lookup.known.length > 0 && !knownMatch) {
    return {
      accept: false,
      code: 'SSH_HOST_KEY_CHANGED',
      message: `REMOTE HOST IDENTIFICATION HAS CHANGED: ${hostLabel} presented ${type} key ${fp}, which differs from the key(s) recorded at ${where(lookup)}; refusing to connect`,
    };
  }
  if (policy.fingerprint !== undefined) {
    if (!sameFingerprint(policy.fingerprint, fp)) {
      return {
        accept: false,
        code: 'SSH_HOST_KEY_CHANGED',
        message: `${hostLabel} presented ${type} key ${fp}, not the pinned fingerprint ${policy.fingerprint}; refusing to connect`,
      };
    }
    return { accept: true, record: false, how: knownMatch ? 'known' : 'pinned' };
  }
  if (knownMatch) return { accept: true, record: false, how: 'known' };
  const mode = policy.mode ?? 'strict';
  switch (mode) {
    case 'strict':
      return {
        accept: false,
        code: 'SSH_HOST_KEY_UNKNOWN',
        message: `${hostLabel} is not in known_hosts (it presented ${type} key ${fp}); strict host key checking refuses unknown hosts`,
      };
    case 'accept-new':
      return { accept: true, record: true, how: 'new' };
    case 'off':
      return { accept: true, record: false, how: 'unchecked' };
    default: {
      const unreachable: never = mode;
      throw new TypeError(`unknown host key mode ${String(unreachable)}`);
    }
  }
}

/** Server host key algorithms to offer first, so a host with known keys presents one of them (as OpenSSH does). */
export function preferredHostKeyAlgorithms(lookup: HostKeyLookup): string[] {
  const out: string[] = [];
  for (const e of lookup.known) {
    const algos = e.keyType === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [e.keyType];
    for (const a of algos) if (!out.includes(a)) out.push(a);
  }
  return out;
}
