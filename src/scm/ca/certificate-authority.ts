/**
 * The SCM certificate authority (docs/ozone-scm-ha.md §7): the primordial SCM holds a self-signed root CA
 * (`CN=scm@<host>`, serial 1) and its own sub-CA (`CN=scm-sub@<host>, OU=<scmUuid>, O=<clusterId>`,
 * serial 2, signed by the root); other certificates (OM/datanode/admin P365D, SCM sub-CAs P1865D) are
 * issued by the leader from PKCS#10 requests presented with a join token (certificate-profiles.ts), with
 * serials from the replicated CertificateId sequence.
 * Keys are RSA 2048 (node:crypto); files live where Ozone keeps them, M = hdds.metadata.dir || ozone.metadata.dirs:
 *   M/scm/ca/keys/{private.pem,public.pem}, M/scm/ca/certs/certificate.crt
 *   M/scm/sub-ca/keys/{private.pem,public.pem}, M/scm/sub-ca/certs/{certificate.crt,<serial>.crt,ROOTCA-<serial>.crt}
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../storage/version-file.js';
import { CaError } from './ca-error.js';
import { privateDir } from '../storage/private-dir.js';
import { issueCertificate, type SubjectAltNames } from './forge-x509.js';

export const ROOT_CA_SERIAL = '1';
export const PRIMORDIAL_SUB_CA_SERIAL = '2';
export const CA_VALIDITY_DAYS = 1865; // hdds.x509.max.duration P1865D
export const DEFAULT_VALIDITY_DAYS = 365; // hdds.x509.default.duration P365D

export interface KeyPairPem {
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
}

export interface CaMaterial extends KeyPairPem {
  readonly certPem: string;
}

export interface CaPaths {
  readonly dir: string;
  readonly privateKey: string;
  readonly publicKey: string;
  readonly certsDir: string;
  readonly certificate: string;
}

export function caPaths(metadataDir: string, kind: 'ca' | 'sub-ca'): CaPaths {
  const dir = join(metadataDir, 'scm', kind);
  return {
    dir,
    privateKey: join(dir, 'keys', 'private.pem'),
    publicKey: join(dir, 'keys', 'public.pem'),
    certsDir: join(dir, 'certs'),
    certificate: join(dir, 'certs', 'certificate.crt'),
  };
}

export function generateRsaKeyPair(): KeyPairPem {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/** `n` days after `from` (validity periods) */
export const days = (from: Date, n: number): Date => new Date(from.getTime() + n * 86_400_000);

function save(paths: CaPaths, m: CaMaterial, extra: Record<string, string> = {}): void {
  privateDir(paths.dir);
  privateDir(join(paths.dir, 'keys'));
  privateDir(paths.certsDir);
  writeFileAtomic(paths.privateKey, m.privateKeyPem, 0o600);
  writeFileAtomic(paths.publicKey, m.publicKeyPem);
  writeFileAtomic(paths.certificate, m.certPem);
  for (const [name, pem] of Object.entries(extra)) writeFileAtomic(join(paths.certsDir, name), pem);
}

export function loadCa(paths: CaPaths): CaMaterial {
  if (!existsSync(paths.certificate) || !existsSync(paths.privateKey)) {
    throw new CaError('CA_NOT_INITIALIZED', `${paths.dir} holds no CA (expected ${paths.certificate} and ${paths.privateKey})`);
  }
  try {
    return { certPem: readFileSync(paths.certificate, 'utf8'), privateKeyPem: readFileSync(paths.privateKey, 'utf8'), publicKeyPem: readFileSync(paths.publicKey, 'utf8') };
  } catch (err) {
    throw new CaError('CA_IO', `cannot read CA files under ${paths.dir}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Primordial `--init` on a secure cluster: root CA + the primordial sub-CA. Idempotent: existing material
 * is returned untouched (a CA is never regenerated).
 */
export function initPrimordialCa(o: { metadataDir: string; host: string; clusterId: string; scmUuid: string; now?: Date; sans?: SubjectAltNames }): { root: CaMaterial; sub: CaMaterial; created: boolean } {
  const rootPaths = caPaths(o.metadataDir, 'ca');
  const subPaths = caPaths(o.metadataDir, 'sub-ca');
  if (existsSync(rootPaths.certificate) && existsSync(subPaths.certificate)) return { root: loadCa(rootPaths), sub: loadCa(subPaths), created: false };
  if (existsSync(rootPaths.certificate) || existsSync(subPaths.certificate)) {
    throw new CaError('CA_EXISTS', `partial CA material under ${o.metadataDir}/scm (one of ca/ and sub-ca/ exists)`, { hint: 'restore both from a backup; a CA is never regenerated over existing files' });
  }
  const now = o.now ?? new Date();
  const rootKeys = generateRsaKeyPair();
  const rootCert = issueCertificate(
    { subject: { CN: `scm@${o.host}` }, subjectPublicKeyPem: rootKeys.publicKeyPem, serial: ROOT_CA_SERIAL, notBefore: now, notAfter: days(now, CA_VALIDITY_DAYS), isCa: true },
    undefined,
    rootKeys.privateKeyPem,
  );
  const root: CaMaterial = { ...rootKeys, certPem: rootCert };
  const subKeys = generateRsaKeyPair();
  const subCert = issueCertificate(
    {
      subject: { CN: `scm-sub@${o.host}`, OU: o.scmUuid, O: o.clusterId },
      subjectPublicKeyPem: subKeys.publicKeyPem,
      serial: PRIMORDIAL_SUB_CA_SERIAL,
      notBefore: now,
      notAfter: days(now, CA_VALIDITY_DAYS),
      isCa: true,
      ...(o.sans ? { sans: o.sans } : {}),
    },
    { certPem: rootCert, privateKeyPem: rootKeys.privateKeyPem },
  );
  const sub: CaMaterial = { ...subKeys, certPem: subCert };
  save(rootPaths, root);
  save(subPaths, sub, { [`${PRIMORDIAL_SUB_CA_SERIAL}.crt`]: subCert, [`ROOTCA-${ROOT_CA_SERIAL}.crt`]: rootCert });
  return { root, sub, created: true };
}
