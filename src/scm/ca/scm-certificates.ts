/**
 * An SCM's certificate material on a secure cluster (docs/ozone-scm-ha.md §7), where Ozone keeps it, under
 * M = `hdds.metadata.dir` → `ozone.metadata.dirs`:
 *   primordial  M/scm/ca/…  (root CA, serial 1) and M/scm/sub-ca/… (its sub-CA, serial 2, signed by the root)
 *   others      M/scm/sub-ca/… (own sub-CA, signed by the leader at --bootstrap, with CA-<serial>.crt issuers)
 *   every SCM   M/scm/admin/… (the admin identity of the host: operator tools authenticate with it; 0600)
 *
 *  - `primordialCertCommands`: the replicated commands that record the primordial's root, sub-CA and admin
 *    certificates and move the CertificateId sequence past them; only the ones the state lacks (idempotent);
 *  - `loadScmCertificates` / `saveIssuedScmCertificate`: this SCM's sub-CA identity;
 *  - `adminIdentityDir`: where the admin identity of this host lives;
 *  - `certificateSigner`: who signs for this SCM when it leads — the root CA on the primordial, its own
 *    sub-CA elsewhere (HDDS-8286) — and the chain an issued certificate needs up to the root.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ScmConfig } from '../config/scm-config.js';
import type { ScmCommand } from '../state/commands.js';
import type { StateView } from '../state/scm-state.js';
import type { ScmVersion } from '../storage/version-file.js';
import { CaError } from './ca-error.js';
import { PRIMORDIAL_SUB_CA_SERIAL, ROOT_CA_SERIAL, caPaths, loadCa, type CaMaterial, type KeyPairPem } from './certificate-authority.js';
import { certificateInfo } from './forge-x509.js';
import { loadIdentity, saveIdentity, type IssuedCertificate, type StoredIdentity } from './identity-store.js';

/** The primordial's admin identity takes the serial after its sub-CA. */
export const PRIMORDIAL_ADMIN_SERIAL = '3';

export function securityDir(config: ScmConfig): string {
  if (config.dirs.security === undefined) {
    throw new CaError('CA_NOT_INITIALIZED', 'hdds.metadata.dir (or ozone.metadata.dirs) must be set to keep the SCM keys and certificates');
  }
  return config.dirs.security;
}

export function adminIdentityDir(metadataDir: string): string {
  return join(metadataDir, 'scm', 'admin');
}

/** Replicated commands recording the primordial's certificates; only those the state lacks. */
export function primordialCertCommands(root: CaMaterial, sub: CaMaterial, adminCertPem: string, view: StateView): ScmCommand[] {
  const out: ScmCommand[] = [];
  const reserved = view.sequence('CertificateId');
  const last = Number(PRIMORDIAL_ADMIN_SERIAL);
  if (reserved < last) out.push({ type: 'allocateBatch', sequence: 'CertificateId', expectedLastId: reserved, newLastId: last });
  if (view.cert('validSCMCerts', ROOT_CA_SERIAL) === undefined) out.push({ type: 'storeValidCertificate', serial: ROOT_CA_SERIAL, pem: root.certPem, role: 'SCM' });
  if (view.cert('validSCMCerts', PRIMORDIAL_SUB_CA_SERIAL) === undefined) out.push({ type: 'storeValidCertificate', serial: PRIMORDIAL_SUB_CA_SERIAL, pem: sub.certPem, role: 'SCM' });
  if (view.cert('validCerts', PRIMORDIAL_ADMIN_SERIAL) === undefined) out.push({ type: 'storeValidCertificate', serial: PRIMORDIAL_ADMIN_SERIAL, pem: adminCertPem, role: 'ADMIN' });
  return out;
}

const SCM_CERT_HINT = 'security must be enabled when the SCM is initialised: ozone scm --init (primordial) or ozone scm --bootstrap --token-file … --ca-cert-hash … (the others)';

/** This SCM's sub-CA key and certificate, its issuer chain and the root CA (written by --init or --bootstrap). */
export function loadScmCertificates(config: ScmConfig): StoredIdentity {
  const dir = caPaths(securityDir(config), 'sub-ca').dir;
  try {
    return loadIdentity(dir, SCM_CERT_HINT);
  } catch (err) {
    if (err instanceof CaError && err.code === 'CA_NOT_INITIALIZED') {
      throw new CaError('CA_NOT_INITIALIZED', `this SCM has no certificate under ${dir}; ozone.security.enabled=true needs one`, { hint: SCM_CERT_HINT, cause: err });
    }
    throw err;
  }
}

/** Saves the sub-CA certificate a leader issued to this (bootstrapping) SCM, with its chain and root. */
export function saveIssuedScmCertificate(config: ScmConfig, keys: KeyPairPem, issued: IssuedCertificate): void {
  saveIdentity(caPaths(securityDir(config), 'sub-ca').dir, keys, issued);
}

export interface CertificateSigner {
  readonly ca: CaMaterial;
  /** what a certificate issued by `ca` needs between itself and the root (leaf side first) */
  readonly chain: ReadonlyArray<{ readonly serial: string; readonly pem: string }>;
  readonly root: { readonly serial: string; readonly pem: string };
}

/** The primordial signs with its root CA; any other leader with its own sub-CA (HDDS-8286). */
export function certificateSigner(config: ScmConfig, version: ScmVersion, own: StoredIdentity): CertificateSigner {
  const dir = securityDir(config);
  const root = { serial: certificateInfo(own.rootPem).serial, pem: own.rootPem };
  if (version.primaryScmNodeId === version.scmUuid && existsSync(caPaths(dir, 'ca').certificate)) {
    return { ca: loadCa(caPaths(dir, 'ca')), chain: [], root };
  }
  const sub = loadCa(caPaths(dir, 'sub-ca'));
  const chain = [own.certPem, ...own.chainPem].map((pem) => ({ serial: certificateInfo(pem).serial, pem }));
  return { ca: sub, chain, root };
}
