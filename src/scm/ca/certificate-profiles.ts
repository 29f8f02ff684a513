/**
 * What a certificate of each identity kind looks like (security/peer-identity.ts), and the one way a
 * certificate request becomes a certificate: `issueFromRequest` builds subject, CA flag, key usage,
 * subject alternative name and validity from the profile — the request contributes only its public key
 * (its signature proves the caller holds the private key). A request whose subject is not the profile's
 * is refused (CSR_SUBJECT_MISMATCH), never corrected or copied:
 *
 *   kind      subject                                       CA    usage                  validity
 *   scm       CN=scm-sub@<host>, OU=<scmUuid>, O=<cluster>  yes   cert/CRL signing + TLS  P1865D (hdds.x509.max.duration)
 *   admin     CN=admin@<host>, O=<cluster>                  no    TLS client              P365D  (hdds.x509.default.duration)
 *   datanode  CN=dn@<host>, O=<cluster>                     no    TLS server + client     P365D
 *   om        CN=om@<host>, O=<cluster>                     no    TLS server + client     P365D
 * Every profile carries its host as subject alternative name (IP or DNS).
 * A request may leave CN and O empty (a joiner need not know its token's host or the cluster id).
 */
import { SecurityError } from '../security/security-error.js';
import { subjectFor, type IdentityKind, type SubjectName } from '../security/peer-identity.js';
import { CA_VALIDITY_DAYS, days, DEFAULT_VALIDITY_DAYS, type CaMaterial } from './certificate-authority.js';
import { issueCertificate, parseCsr, type ParsedCsr, type SubjectAltNames } from './forge-x509.js';

export interface CertificateProfile {
  readonly kind: IdentityKind;
  readonly subject: SubjectName;
  readonly isCa: boolean;
  readonly usage: 'server-client' | 'client';
  readonly validityDays: number;
  readonly sans: SubjectAltNames;
}

export function sansOf(host: string): SubjectAltNames {
  return /^[\d.]+$/.test(host) || host.includes(':') ? { ips: [host] } : { dns: [host] };
}

export function profileFor(kind: IdentityKind, host: string, clusterId: string, scmUuid?: string): CertificateProfile {
  return {
    kind,
    subject: subjectFor(kind, host, clusterId, scmUuid),
    isCa: kind === 'scm',
    usage: kind === 'admin' ? 'client' : 'server-client',
    validityDays: kind === 'scm' ? CA_VALIDITY_DAYS : DEFAULT_VALIDITY_DAYS,
    sans: sansOf(host),
  };
}

/**
 * Checks a request's subject against the profile: OU exactly (an SCM's scmUuid; none for the others), CN
 * and O equal or left empty (the profile fills them: the requester need not know its token's host).
 */
export function checkRequestSubject(got: SubjectName, profile: CertificateProfile): void {
  const want = profile.subject;
  const bad: string[] = [];
  if (got.CN !== '' && got.CN !== want.CN) bad.push(`CN ${JSON.stringify(got.CN)} (allowed: ${JSON.stringify(want.CN)})`);
  if ((got.OU ?? '') !== (want.OU ?? '')) bad.push(`OU ${JSON.stringify(got.OU ?? null)} (allowed: ${JSON.stringify(want.OU ?? null)})`);
  if (got.O !== undefined && got.O !== want.O) bad.push(`O ${JSON.stringify(got.O)} (this cluster: ${JSON.stringify(want.O)})`);
  if (bad.length > 0) {
    throw new SecurityError('CSR_SUBJECT_MISMATCH', `the certificate request asks for a subject the token does not allow: ${bad.join('; ')}`, {
      hint: 'request exactly the subject of the identity the token was made for',
    });
  }
}

/** Verifies the request (its signature proves possession of the key) and checks its subject. */
export function checkRequest(csrPem: string, profile: CertificateProfile): ParsedCsr {
  const csr = parseCsr(csrPem);
  checkRequestSubject(csr.subject, profile);
  return csr;
}

/** Issues from a request already checked against `profile` (checkRequest): only its public key is taken. */
export function issueFromParsed(issuer: CaMaterial, csr: ParsedCsr, profile: CertificateProfile, serial: string, now: Date): string {
  return issueForKey(issuer, csr.publicKeyPem, profile, serial, now);
}

/** Issues a certificate signed by `issuer` for `publicKeyPem`, from the profile alone. */
export function issueForKey(issuer: CaMaterial, publicKeyPem: string, profile: CertificateProfile, serial: string, now: Date): string {
  return issueCertificate(
    { subject: profile.subject, subjectPublicKeyPem: publicKeyPem, serial, notBefore: now, notAfter: days(now, profile.validityDays), isCa: profile.isCa, usage: profile.usage, sans: profile.sans },
    { certPem: issuer.certPem, privateKeyPem: issuer.privateKeyPem },
  );
}
