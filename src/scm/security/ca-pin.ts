/**
 * Pinning the cluster's root CA by the hash of its public key, as `kubeadm join
 * --discovery-token-ca-cert-hash sha256:<hex>` does: sha256 over the DER SubjectPublicKeyInfo of the root
 * CA certificate. Whoever joins fetches the root over an unverified connection, checks it against the
 * pin, and from then on verifies every SCM against that root — a man in the middle cannot produce a root
 * with the pinned key, so it cannot pose as the cluster.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { SecurityError } from './security-error.js';

export const CA_HASH_FORMAT = /^sha256:([0-9a-f]{64})$/;

export function caCertHash(rootPem: string): string {
  const spki = new X509Certificate(rootPem).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}

export function parseCaCertHash(value: string): string {
  const v = value.trim().toLowerCase();
  if (!CA_HASH_FORMAT.test(v)) {
    throw new SecurityError('CA_PIN_INVALID', `--ca-cert-hash must look like sha256:<64 hex digits>, got ${JSON.stringify(value.slice(0, 80))}`, {
      hint: 'take it from the output of `ozone admin scm token create` (or `scmctl`), which prints the hash of the cluster root CA',
    });
  }
  return v;
}

/** Checks that `rootPem` is a self-signed CA whose key has the pinned hash. */
export function checkPinnedRoot(rootPem: string, pin: string): void {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(rootPem);
  } catch (err) {
    throw new SecurityError('CA_PIN_MISMATCH', `the SCM sent something that is not a certificate as its root CA`, { cause: err });
  }
  const got = caCertHash(rootPem);
  if (got !== pin) {
    throw new SecurityError('CA_PIN_MISMATCH', `the root CA offered by the SCM has public key hash ${got}, not the pinned ${pin}: refusing to trust it`, {
      hint: 'someone may be posing as the cluster, or the hash belongs to another cluster; check the hash printed by `ozone admin scm token create` on the cluster',
    });
  }
  if (!cert.ca || !cert.checkIssued(cert) || !cert.verify(cert.publicKey)) {
    throw new SecurityError('CA_PIN_MISMATCH', 'the pinned key belongs to a certificate that is not a self-signed CA');
  }
}
