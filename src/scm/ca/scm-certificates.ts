/**
 * An SCM's own certificate material on a secure cluster (ozone-scm-ha.md §7), where Ozone keeps it, under
 * M = `hdds.metadata.dir` → `ozone.metadata.dirs`:
 *   primordial  M/scm/ca/…  (root CA, serial 1) and M/scm/sub-ca/… (its sub-CA, serial 2, signed by the root)
 *   others      M/scm/sub-ca/keys/{private,public}.pem, certs/certificate.crt + <serial>.crt (own sub-CA,
 *               signed by the leader at --bootstrap), CA-<serial>.crt (issuers between it and the root),
 *               ROOTCA-<serial>.crt (the root CA)
 * Every SCM certificate carries the SCM's configured host as a subject alternative name (IP or DNS), so
 * peers verify it on the Raft and inter-SCM ports (mutual TLS).
 *
 *  - `primordialCertCommands`: the replicated commands that record the primordial's root and sub-CA
 *    certificates (`validCerts` + `validSCMCerts`) and move the CertificateId sequence past them; only the
 *    ones the state does not hold yet (idempotent);
 *  - `loadScmCertificates` / `saveIssuedScmCertificate`: this SCM's key, certificate, chain and root;
 *  - `certificateSigner`: who signs for this SCM when it leads — the root CA on the primordial, its own
 *    sub-CA elsewhere (HDDS-8286) — and the chain an issued certificate needs up to the root;
 *  - `scmTls`: the TLS material for the Raft transport and the inter-SCM RPC (client and server).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ScmConfig } from '../config/scm-config.js';
import type { ScmCommand } from '../state/commands.js';
import type { StateView } from '../state/scm-state.js';
import { writeFileAtomic, type ScmVersion } from '../storage/version-file.js';
import type { TlsMaterial } from '../transport/tls-options.js';
import type { RaftTlsOptions } from '../transport/raft-transport.js';
import { CaError } from './ca-error.js';
import { PRIMORDIAL_SUB_CA_SERIAL, ROOT_CA_SERIAL, caPaths, loadCa, type CaMaterial, type KeyPairPem } from './certificate-authority.js';
import { certificateInfo, type SubjectAltNames } from './forge-x509.js';

export interface ScmCertificates {
  readonly privateKeyPem: string;
  readonly certPem: string;
  readonly serial: string;
  /** issuer certificates between this SCM's certificate and the root (leaf side first) */
  readonly chainPem: readonly string[];
  readonly rootPem: string;
}

export interface IssuedCertificate {
  readonly serial: string;
  readonly certPem: string;
  readonly chain: ReadonlyArray<{ readonly serial: string; readonly pem: string }>;
  readonly root: { readonly serial: string; readonly pem: string };
}

export function securityDir(config: ScmConfig): string {
  if (config.dirs.security === undefined) {
    throw new CaError('CA_NOT_INITIALIZED', 'hdds.metadata.dir (or ozone.metadata.dirs) must be set to keep the SCM keys and certificates');
  }
  return config.dirs.security;
}

export function sansOf(host: string): SubjectAltNames {
  return /^[\d.]+$/.test(host) || host.includes(':') ? { ips: [host] } : { dns: [host] };
}

/** Replicated commands recording the primordial's CA certificates; only those the state lacks. */
export function primordialCertCommands(root: CaMaterial, sub: CaMaterial, view: StateView): ScmCommand[] {
  const out: ScmCommand[] = [];
  const reserved = view.sequence('CertificateId');
  if (reserved < Number(PRIMORDIAL_SUB_CA_SERIAL)) out.push({ type: 'allocateBatch', sequence: 'CertificateId', expectedLastId: reserved, newLastId: Number(PRIMORDIAL_SUB_CA_SERIAL) });
  if (view.cert('validSCMCerts', ROOT_CA_SERIAL) === undefined) out.push({ type: 'storeValidCertificate', serial: ROOT_CA_SERIAL, pem: root.certPem, role: 'SCM' });
  if (view.cert('validSCMCerts', PRIMORDIAL_SUB_CA_SERIAL) === undefined) out.push({ type: 'storeValidCertificate', serial: PRIMORDIAL_SUB_CA_SERIAL, pem: sub.certPem, role: 'SCM' });
  return out;
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new CaError('CA_IO', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** This SCM's sub-CA key and certificate, its issuer chain and the root CA (written by --init or --bootstrap). */
export function loadScmCertificates(config: ScmConfig): ScmCertificates {
  const paths = caPaths(securityDir(config), 'sub-ca');
  if (!existsSync(paths.certificate) || !existsSync(paths.privateKey)) {
    throw new CaError('CA_NOT_INITIALIZED', `this SCM has no certificate (${paths.certificate}); ozone.security.enabled=true needs one`, {
      hint: 'security must be enabled when the SCM is initialised: ozone scm --init (primordial) or ozone scm --bootstrap (the others)',
    });
  }
  const names = readdirSync(paths.certsDir);
  const rootName = names.find((n) => /^ROOTCA-\d+\.crt$/.test(n));
  if (!rootName) throw new CaError('CA_NOT_INITIALIZED', `no ROOTCA-<serial>.crt in ${paths.certsDir}`);
  const certPem = read(paths.certificate);
  const chainPem = names
    .filter((n) => /^CA-\d+\.crt$/.test(n))
    .map((n) => read(join(paths.certsDir, n)));
  return { privateKeyPem: read(paths.privateKey), certPem, serial: certificateInfo(certPem).serial, chainPem: orderChain(certPem, chainPem), rootPem: read(join(paths.certsDir, rootName)) };
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

/** Saves the sub-CA certificate a leader issued to this (bootstrapping) SCM, with its chain and root. */
export function saveIssuedScmCertificate(config: ScmConfig, keys: KeyPairPem, issued: IssuedCertificate): void {
  const paths = caPaths(securityDir(config), 'sub-ca');
  writeFileAtomic(paths.privateKey, keys.privateKeyPem, 0o600);
  writeFileAtomic(paths.publicKey, keys.publicKeyPem);
  writeFileAtomic(join(paths.certsDir, `${issued.serial}.crt`), issued.certPem);
  for (const c of issued.chain) writeFileAtomic(join(paths.certsDir, `CA-${c.serial}.crt`), c.pem);
  writeFileAtomic(join(paths.certsDir, `ROOTCA-${issued.root.serial}.crt`), issued.root.pem);
  writeFileAtomic(paths.certificate, issued.certPem); // last: its presence means the material is complete
}

export interface CertificateSigner {
  readonly ca: CaMaterial;
  /** what a certificate issued by `ca` needs between itself and the root (leaf side first) */
  readonly chain: ReadonlyArray<{ readonly serial: string; readonly pem: string }>;
  readonly root: { readonly serial: string; readonly pem: string };
}

/** The primordial signs with its root CA; any other leader with its own sub-CA (HDDS-8286). */
export function certificateSigner(config: ScmConfig, version: ScmVersion): CertificateSigner {
  const dir = securityDir(config);
  const own = loadScmCertificates(config);
  const root = { serial: certificateInfo(own.rootPem).serial, pem: own.rootPem };
  if (version.primaryScmNodeId === version.scmUuid && existsSync(caPaths(dir, 'ca').certificate)) {
    return { ca: loadCa(caPaths(dir, 'ca')), chain: [], root };
  }
  const sub = loadCa(caPaths(dir, 'sub-ca'));
  const chain = [own.certPem, ...own.chainPem].map((pem) => ({ serial: certificateInfo(pem).serial, pem }));
  return { ca: sub, chain, root };
}

/**
 * Mutual TLS material from this SCM's certificate: presented with its chain, peers verified against the
 * root; on the Raft port a peer may only send as the scmUuid its certificate's OU names.
 */
export function scmTls(certs: ScmCertificates): { raft: RaftTlsOptions; rpc: TlsMaterial } {
  const cert = [certs.certPem, ...certs.chainPem].join('');
  return {
    // a peer speaks for the scmUuid in its certificate's OU only (Raft peer id = scmUuid)
    raft: { key: certs.privateKeyPem, cert, ca: certs.rootPem, requireClientCert: true, senderIdentity: (c) => [c.subject?.OU].flat()[0] },
    rpc: { key: certs.privateKeyPem, cert, ca: certs.rootPem },
  };
}
