/**
 * Certificates for tests, issued the way the SCM issues them (ca/certificate-profiles.ts) from a CA made
 * with initPrimordialCa: an SCM sub-CA, admin, datanode or OM identity for a host, as TLS material.
 */
import { generateRsaKeyPair, type CaMaterial } from '../../../src/scm/ca/certificate-authority.js';
import { issueForKey, profileFor } from '../../../src/scm/ca/certificate-profiles.js';
import type { IdentityKind } from '../../../src/scm/security/peer-identity.js';
import type { TlsMaterial } from '../../../src/scm/transport/tls-options.js';

export function issueTestIdentity(
  ca: { root: CaMaterial; sub: CaMaterial },
  kind: IdentityKind,
  host: string,
  serial: string,
  clusterId: string,
  scmUuid?: string,
): TlsMaterial & { certPem: string } {
  const k = generateRsaKeyPair();
  const certPem = issueForKey(ca.sub, k.publicKeyPem, profileFor(kind, host, clusterId, scmUuid), serial, new Date(Date.now() - 60_000));
  return { key: k.privateKeyPem, cert: certPem + ca.sub.certPem, ca: ca.root.certPem, certPem };
}
