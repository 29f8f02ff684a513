/**
 * Certificates are built from the profile a token allows, never copied from the request: subject, CA flag,
 * key usage and validity come from the profile; a request asking for anything else is refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { afterAll, describe, expect, it } from 'vitest';
import { generateRsaKeyPair, initPrimordialCa } from '../../../src/scm/ca/certificate-authority.js';
import { checkRequest, issueFromParsed, profileFor, type CertificateProfile } from '../../../src/scm/ca/certificate-profiles.js';
import { certificateInfo, createCsr, verifyChain } from '../../../src/scm/ca/forge-x509.js';
import { identityOf } from '../../../src/scm/security/peer-identity.js';

const CID = 'CID-3f1e6c87-8cf0-4cbf-b3b6-3b8f09b1462a';
const UUID = '1c73d6f5-9a35-4325-b414-30ddfb58de64';

/** what the signer does with a request: check it against the profile, then issue from the profile */
const issueFromRequest = (issuer: Parameters<typeof issueFromParsed>[0], csrPem: string, profile: CertificateProfile, serial: string, now: Date): string =>
  issueFromParsed(issuer, checkRequest(csrPem, profile), profile, serial, now);

describe('certificate profiles: the token decides what is issued', () => {
  const dir = mkdtempSync(join(tmpdir(), 'profiles-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const now = new Date(Date.UTC(2026, 0, 1));
  const ca = initPrimordialCa({ metadataDir: dir, host: 'scm1', clusterId: CID, scmUuid: 'b316431d-9631-48ad-81d5-4bc87199a460', now });
  const keys = generateRsaKeyPair();
  const csr = (subject: { CN: string; OU?: string; O?: string }, isCa = false): string => createCsr(subject, keys.publicKeyPem, keys.privateKeyPem, { isCa, sans: { dns: ['evil.example'] } });
  const ext = (pem: string, name: string): Record<string, unknown> | null => forge.pki.certificateFromPem(pem).getExtension(name) as Record<string, unknown> | null;

  it('a datanode request asking for CA:TRUE and other SANs gets a non-CA certificate of the token\'s host', () => {
    const cert = issueFromRequest(ca.sub, csr({ CN: '' }, true), profileFor('datanode', '127.0.0.5', CID), '7', now);
    const info = certificateInfo(cert);
    expect(info).toMatchObject({ subject: { CN: 'dn@127.0.0.5', O: CID }, isCa: false, serial: '7' });
    expect(info.subject.OU).toBeUndefined();
    expect(ext(cert, 'subjectAltName')).toMatchObject({ altNames: [expect.objectContaining({ ip: '127.0.0.5' })] });
    expect(ext(cert, 'keyUsage')).toMatchObject({ keyCertSign: false });
    expect((info.notAfter.getTime() - now.getTime()) / 86_400_000).toBe(365);
    expect(verifyChain([cert, ca.sub.certPem], [ca.root.certPem])).toBe(true);
    expect(identityOf({ subject: info.subject as never, ca: false, serialNumber: '07' }, CID)).toEqual({ kind: 'datanode', host: '127.0.0.5', serial: '7' });
  });

  it('an SCM profile is a sub-CA with the request\'s scmUuid as OU; admin is client-only', () => {
    const scm = certificateInfo(issueFromRequest(ca.sub, csr({ CN: 'scm-sub@127.0.0.2', OU: UUID }), profileFor('scm', '127.0.0.2', CID, UUID), '8', now));
    expect(scm).toMatchObject({ subject: { CN: 'scm-sub@127.0.0.2', OU: UUID, O: CID }, isCa: true });
    expect((scm.notAfter.getTime() - now.getTime()) / 86_400_000).toBe(1865);
    const admin = issueFromRequest(ca.sub, csr({ CN: 'admin@127.0.0.2' }), profileFor('admin', '127.0.0.2', CID), '9', now);
    expect(ext(admin, 'extKeyUsage')).toMatchObject({ clientAuth: true });
    expect(ext(admin, 'extKeyUsage')?.['serverAuth']).toBeFalsy();
  });

  it('refuses a subject that is not the token\'s: another host, a foreign OU, another cluster', () => {
    const dn = profileFor('datanode', '127.0.0.5', CID);
    expect(() => issueFromRequest(ca.sub, csr({ CN: 'dn@127.0.0.6' }), dn, '10', now)).toThrow(expect.objectContaining({ code: 'CSR_SUBJECT_MISMATCH' }));
    expect(() => issueFromRequest(ca.sub, csr({ CN: '', OU: UUID }), dn, '10', now)).toThrow(expect.objectContaining({ code: 'CSR_SUBJECT_MISMATCH' }));
    expect(() => issueFromRequest(ca.sub, csr({ CN: '', O: 'CID-00000000-0000-4000-8000-000000000000' }), dn, '10', now)).toThrow(expect.objectContaining({ code: 'CSR_SUBJECT_MISMATCH' }));
    expect(() => issueFromRequest(ca.sub, csr({ CN: 'scm-sub@127.0.0.2', OU: 'another' }), profileFor('scm', '127.0.0.2', CID, UUID), '10', now)).toThrow(expect.objectContaining({ code: 'CSR_SUBJECT_MISMATCH' }));
  });

  it('refuses requests that are not PKCS#10 or whose signature does not verify (no proof of possession)', () => {
    const dn = profileFor('datanode', 'h', CID);
    expect(() => issueFromRequest(ca.sub, 'garbage', dn, '11', now)).toThrow(expect.objectContaining({ code: 'CA_INVALID_CSR' }));
    const other = generateRsaKeyPair();
    const forged = createCsr({ CN: '' }, other.publicKeyPem, keys.privateKeyPem, { isCa: false });
    expect(() => issueFromRequest(ca.sub, forged, dn, '11', now)).toThrow(expect.objectContaining({ code: 'CA_INVALID_CSR' }));
  });
});
