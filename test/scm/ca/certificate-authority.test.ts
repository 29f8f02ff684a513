import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { caPaths, generateRsaKeyPair, initPrimordialCa, signCsr } from '../../../src/scm/ca/certificate-authority.js';
import { certificateInfo, createCsr, verifyChain } from '../../../src/scm/ca/forge-x509.js';

describe('SCM certificate authority (§7)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ca-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const now = new Date(Date.UTC(2026, 0, 1));
  const ca = initPrimordialCa({ metadataDir: dir, host: 'scm1.example', clusterId: 'CID-1', scmUuid: 'u-1', now });

  it('creates the root CA (serial 1) and the primordial sub-CA (serial 2) with Ozone subjects, paths and validity', () => {
    const root = certificateInfo(ca.root.certPem);
    const sub = certificateInfo(ca.sub.certPem);
    expect(root).toMatchObject({ subject: { CN: 'scm@scm1.example' }, issuer: { CN: 'scm@scm1.example' }, serial: '1', isCa: true });
    expect(sub).toMatchObject({ subject: { CN: 'scm-sub@scm1.example', OU: 'u-1', O: 'CID-1' }, issuer: { CN: 'scm@scm1.example' }, serial: '2', isCa: true });
    expect((sub.notAfter.getTime() - now.getTime()) / 86_400_000).toBe(1865);
    expect(readdirSync(join(dir, 'scm/ca/keys')).sort()).toEqual(['private.pem', 'public.pem']);
    expect(readdirSync(join(dir, 'scm/sub-ca/certs')).sort()).toEqual(['2.crt', 'ROOTCA-1.crt', 'certificate.crt']);
    expect(statSync(caPaths(dir, 'sub-ca').privateKey).mode & 0o777).toBe(0o600);
    expect(verifyChain([ca.sub.certPem], [ca.root.certPem])).toBe(true);
  });

  it('is idempotent: a second init returns the same material', () => {
    const again = initPrimordialCa({ metadataDir: dir, host: 'scm1.example', clusterId: 'CID-1', scmUuid: 'u-1' });
    expect(again.created).toBe(false);
    expect(again.root.certPem).toBe(ca.root.certPem);
  });

  it('signs datanode CSRs (P365D, SANs kept) and SCM sub-CA CSRs of the same cluster only', () => {
    const dn = generateRsaKeyPair();
    const csr = createCsr({ CN: 'dn@127.0.0.5' }, dn.publicKeyPem, dn.privateKeyPem, { isCa: false, sans: { ips: ['127.0.0.5'] } });
    const cert = signCsr(ca.sub, csr, { serial: '3', clusterId: 'CID-1', now });
    expect(certificateInfo(cert)).toMatchObject({ subject: { CN: 'dn@127.0.0.5' }, issuer: { CN: 'scm-sub@scm1.example' }, serial: '3', isCa: false });
    expect((certificateInfo(cert).notAfter.getTime() - now.getTime()) / 86_400_000).toBe(365);
    expect(verifyChain([cert, ca.sub.certPem], [ca.root.certPem])).toBe(true);

    const peer = generateRsaKeyPair();
    const good = createCsr({ CN: 'scm-sub@scm2', OU: 'u-2', O: 'CID-1' }, peer.publicKeyPem, peer.privateKeyPem, { isCa: true });
    expect(certificateInfo(signCsr(ca.sub, good, { serial: '4', clusterId: 'CID-1' })).isCa).toBe(true);
    const other = createCsr({ CN: 'scm-sub@scm9', OU: 'u-9', O: 'CID-2' }, peer.publicKeyPem, peer.privateKeyPem, { isCa: true });
    expect(() => signCsr(ca.sub, other, { serial: '5', clusterId: 'CID-1' })).toThrow(expect.objectContaining({ code: 'CA_INVALID_CSR', message: 'SCM ClusterId mismatch. Peer SCM ClusterId CID-2, primary SCM ClusterId CID-1' }));
  });

  it('refuses requests that are not valid PKCS#10 or whose signature does not verify', () => {
    expect(() => signCsr(ca.sub, 'garbage', { serial: '6', clusterId: 'CID-1' })).toThrow(expect.objectContaining({ code: 'CA_INVALID_CSR' }));
    const k = generateRsaKeyPair();
    const other = generateRsaKeyPair();
    const forged = createCsr({ CN: 'x' }, other.publicKeyPem, k.privateKeyPem, { isCa: false });
    expect(() => signCsr(ca.sub, forged, { serial: '7', clusterId: 'CID-1' })).toThrow(expect.objectContaining({ code: 'CA_INVALID_CSR' }));
  });
});
