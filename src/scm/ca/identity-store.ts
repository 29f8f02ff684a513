/**
 * An identity on disk: a private key and the certificate a leader issued for it, with the issuer chain and
 * the root CA, in Ozone's layout (SecurityConfig, CAType):
 *   <dir>/keys/private.pem (0600), keys/public.pem
 *   <dir>/certs/certificate.crt, <serial>.crt, CA-<serial>.crt (issuers up to the root), ROOTCA-<serial>.crt
 * Directories are created 0700 (`ozone.metadata.dirs.permissions`). `certificate.crt` is written last: its
 * presence means the identity is complete. Used for an SCM's sub-CA (`<M>/scm/sub-ca`), the admin identity
 * of an SCM host (`<M>/scm/admin`) and datanode identities.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { privateDir } from '../storage/private-dir.js';
import { writeFileAtomic } from '../storage/version-file.js';
import { CaError } from './ca-error.js';
import type { KeyPairPem } from './certificate-authority.js';
import { certificateInfo } from './forge-x509.js';

export interface IssuedCertificate {
  readonly serial: string;
  readonly certPem: string;
  /** issuer certificates between this one and the root (leaf side first) */
  readonly chain: ReadonlyArray<{ readonly serial: string; readonly pem: string }>;
  readonly root: { readonly serial: string; readonly pem: string };
}

export interface StoredIdentity {
  readonly privateKeyPem: string;
  readonly certPem: string;
  readonly serial: string;
  /** issuer certificates between this identity's certificate and the root (leaf side first) */
  readonly chainPem: readonly string[];
  readonly rootPem: string;
}

export function identityPaths(dir: string): { keysDir: string; certsDir: string; privateKey: string; publicKey: string; certificate: string } {
  return {
    keysDir: join(dir, 'keys'),
    certsDir: join(dir, 'certs'),
    privateKey: join(dir, 'keys', 'private.pem'),
    publicKey: join(dir, 'keys', 'public.pem'),
    certificate: join(dir, 'certs', 'certificate.crt'),
  };
}

export function hasIdentity(dir: string): boolean {
  const p = identityPaths(dir);
  return existsSync(p.certificate) && existsSync(p.privateKey);
}

export function saveIdentity(dir: string, keys: KeyPairPem, issued: IssuedCertificate): void {
  const p = identityPaths(dir);
  privateDir(dir);
  privateDir(p.keysDir);
  privateDir(p.certsDir);
  writeFileAtomic(p.privateKey, keys.privateKeyPem, 0o600);
  writeFileAtomic(p.publicKey, keys.publicKeyPem);
  writeFileAtomic(join(p.certsDir, `${issued.serial}.crt`), issued.certPem);
  for (const c of issued.chain) writeFileAtomic(join(p.certsDir, `CA-${c.serial}.crt`), c.pem);
  writeFileAtomic(join(p.certsDir, `ROOTCA-${issued.root.serial}.crt`), issued.root.pem);
  writeFileAtomic(p.certificate, issued.certPem); // last: its presence means the identity is complete
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new CaError('CA_IO', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Loads an identity; CA_NOT_INITIALIZED (with `missingHint`) when it is not there. `readKey` reads the
 * private key (a tool passes security/private-file.ts's check-and-read).
 */
export function loadIdentity(dir: string, missingHint: string, readKey: (path: string) => string = read): StoredIdentity {
  const p = identityPaths(dir);
  if (!hasIdentity(dir)) throw new CaError('CA_NOT_INITIALIZED', `no key and certificate under ${dir}`, { hint: missingHint });
  const names = readdirSync(p.certsDir);
  const rootName = names.find((n) => /^ROOTCA-\d+\.crt$/.test(n));
  if (!rootName) throw new CaError('CA_NOT_INITIALIZED', `no ROOTCA-<serial>.crt in ${p.certsDir}`, { hint: missingHint });
  const certPem = read(p.certificate);
  const issuers = names.filter((n) => /^CA-\d+\.crt$/.test(n)).map((n) => read(join(p.certsDir, n)));
  return { privateKeyPem: readKey(p.privateKey), certPem, serial: certificateInfo(certPem).serial, chainPem: orderChain(certPem, issuers), rootPem: read(join(p.certsDir, rootName)) };
}

/** Issuers ordered from the leaf's issuer up (by subject/issuer names). */
function orderChain(leafPem: string, issuers: readonly string[]): string[] {
  const left = issuers.map((pem) => ({ pem, info: certificateInfo(pem) }));
  const out: string[] = [];
  let current = certificateInfo(leafPem);
  for (;;) {
    const i = left.findIndex((c) => c.info.subject.CN === current.issuer.CN && c.info.subject.OU === current.issuer.OU && c.info.subject.O === current.issuer.O);
    if (i < 0) break;
    const [next] = left.splice(i, 1);
    out.push(next!.pem);
    current = next!.info;
  }
  return [...out, ...left.map((c) => c.pem)];
}
