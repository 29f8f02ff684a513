import { describe, expect, it } from 'vitest';
import { decideHostKey, preferredHostKeyAlgorithms, type HostKeyPolicy } from '../../../src/provisioner/hosts/host-key-policy.js';
import { fingerprintSha256, lookupHost, parseKnownHosts } from '../../../src/provisioner/hosts/known-hosts.js';

const K = 'AAAAC3NzaC1lZDI1NTE5AAAAIDxc3Zvf3sSF+YSE8ZaAGV8X3qZ4curZGRtHiHzt0dpu';
const K2 = 'AAAAC3NzaC1lZDI1NTE5AAAAIDzXhtPFdxlke/AhBJ+TDIJyW2NrHR3rVJdHwF1Zl84g';
const key = Buffer.from(K, 'base64');
const other = Buffer.from(K2, 'base64');

const none = lookupHost([], 'scm1', 22);
const knownK = lookupHost(parseKnownHosts(`scm1 ssh-ed25519 ${K}`, 'kh').entries, 'scm1', 22);
const revokedK = lookupHost(parseKnownHosts(`@revoked * ssh-ed25519 ${K}`, 'kh').entries, 'scm1', 22);

const modes: HostKeyPolicy[] = [{ mode: 'strict' }, { mode: 'accept-new' }, { mode: 'off' }, { fingerprint: fingerprintSha256(other) }];

describe('decideHostKey', () => {
  it('refuses a changed key in every mode, pinned included', () => {
    for (const policy of [...modes, { mode: 'off' as const, fingerprint: fingerprintSha256(other) }]) {
      const v = decideHostKey(policy, knownK, other, 'scm1');
      expect(v).toMatchObject({ accept: false, code: 'SSH_HOST_KEY_CHANGED' });
    }
  });

  it('refuses a revoked key in every mode', () => {
    for (const policy of modes) {
      expect(decideHostKey(policy, revokedK, key, 'scm1')).toMatchObject({ accept: false, code: 'SSH_HOST_KEY_REVOKED' });
    }
  });

  it('accepts a known key in every mode without recording it', () => {
    for (const policy of modes.slice(0, 3)) {
      expect(decideHostKey(policy, knownK, key, 'scm1')).toEqual({ accept: true, record: false, how: 'known' });
    }
  });

  it('handles an unknown host per mode', () => {
    expect(decideHostKey({}, none, key, 'scm1')).toMatchObject({ accept: false, code: 'SSH_HOST_KEY_UNKNOWN' });
    expect(decideHostKey({ mode: 'strict' }, none, key, 'scm1')).toMatchObject({ accept: false, code: 'SSH_HOST_KEY_UNKNOWN' });
    expect(decideHostKey({ mode: 'accept-new' }, none, key, 'scm1')).toEqual({ accept: true, record: true, how: 'new' });
    expect(decideHostKey({ mode: 'off' }, none, key, 'scm1')).toEqual({ accept: true, record: false, how: 'unchecked' });
  });

  it('accepts only the pinned fingerprint, with or without the SHA256: prefix', () => {
    const fp = fingerprintSha256(key);
    expect(decideHostKey({ fingerprint: fp }, none, key, 'scm1')).toEqual({ accept: true, record: false, how: 'pinned' });
    expect(decideHostKey({ fingerprint: fp.slice(7) }, none, key, 'scm1')).toMatchObject({ accept: true });
    expect(decideHostKey({ fingerprint: fp, mode: 'accept-new' }, none, other, 'scm1')).toMatchObject({ accept: false, code: 'SSH_HOST_KEY_CHANGED' });
  });

  it('names the host and both fingerprints in a refusal', () => {
    const v = decideHostKey({}, knownK, other, 'scm1 (127.0.1.1:22)');
    expect(v.accept).toBe(false);
    if (!v.accept) {
      expect(v.message).toContain('scm1 (127.0.1.1:22)');
      expect(v.message).toContain(fingerprintSha256(other));
      expect(v.message).toContain('kh:1');
    }
  });
});

describe('preferredHostKeyAlgorithms', () => {
  it('offers the known key types first, all rsa-sha2 variants for ssh-rsa', () => {
    const l = lookupHost(parseKnownHosts(`h ssh-ed25519 ${K}`, 'kh').entries, 'h', 22);
    expect(preferredHostKeyAlgorithms(l)).toEqual(['ssh-ed25519']);
    expect(preferredHostKeyAlgorithms(none)).toEqual([]);
  });
});
