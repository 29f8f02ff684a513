import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { caPaths, initPrimordialCa } from '../../../src/scm/ca/certificate-authority.js';
import { certificateInfo, verifyChain } from '../../../src/scm/ca/forge-x509.js';

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
});
