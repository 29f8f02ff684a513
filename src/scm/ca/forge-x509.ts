/**
 * The node-forge adapter (the only file in src/scm importing node-forge): X.509 certificates and PKCS#10
 * requests, SHA256withRSA as Ozone (`hdds.x509.signature.algorithm`). Keys are PEM strings generated
 * elsewhere (node:crypto); everything crossing this file is PEM or plain data.
 */
import forge from 'node-forge';
import { CaError } from './ca-error.js';

export interface DistinguishedName {
  readonly CN: string;
  readonly OU?: string;
  readonly O?: string;
}

export interface SubjectAltNames {
  readonly dns?: readonly string[];
  readonly ips?: readonly string[];
}

export interface IssueRequest {
  readonly subject: DistinguishedName;
  readonly subjectPublicKeyPem: string;
  /** decimal serial number */
  readonly serial: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly isCa: boolean;
  /** extended key usage of a non-CA certificate: TLS server and client (default), or client only */
  readonly usage?: 'server-client' | 'client';
  readonly sans?: SubjectAltNames;
}

export interface CertificateInfo {
  readonly subject: DistinguishedName;
  readonly issuer: DistinguishedName;
  readonly serial: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly isCa: boolean;
}

function attrs(dn: DistinguishedName): forge.pki.CertificateField[] {
  const out: forge.pki.CertificateField[] = [];
  if (dn.O !== undefined) out.push({ shortName: 'O', value: dn.O });
  if (dn.OU !== undefined) out.push({ shortName: 'OU', value: dn.OU });
  out.push({ shortName: 'CN', value: dn.CN });
  return out;
}

function dnOf(fields: forge.pki.Certificate['subject']): DistinguishedName {
  const get = (n: string): string | undefined => fields.getField(n)?.value as string | undefined;
  const OU = get('OU');
  const O = get('O');
  return { CN: get('CN') ?? '', ...(OU === undefined ? {} : { OU }), ...(O === undefined ? {} : { O }) };
}

function serialHex(decimal: string): string {
  let hex = BigInt(decimal).toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  if (parseInt(hex[0]!, 16) >= 8) hex = `00${hex}`; // keep it positive (DER INTEGER)
  return hex;
}

function extensions(req: { isCa: boolean; usage?: 'server-client' | 'client'; sans?: SubjectAltNames }): unknown[] {
  const ext: unknown[] = [
    { name: 'basicConstraints', cA: req.isCa, critical: true },
    req.isCa
      ? { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true }
      : { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
  ];
  if (!req.isCa) ext.push(req.usage === 'client' ? { name: 'extKeyUsage', clientAuth: true } : { name: 'extKeyUsage', serverAuth: true, clientAuth: true });
  const alt = [...(req.sans?.dns ?? []).map((value) => ({ type: 2, value })), ...(req.sans?.ips ?? []).map((ip) => ({ type: 7, ip }))];
  if (alt.length > 0) ext.push({ name: 'subjectAltName', altNames: alt });
  return ext;
}

/** Issues a certificate signed by `issuer` (or self-signed when issuer is undefined). */
export function issueCertificate(req: IssueRequest, issuer: { certPem: string; privateKeyPem: string } | undefined, selfPrivateKeyPem?: string): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(req.subjectPublicKeyPem);
  cert.serialNumber = serialHex(req.serial);
  cert.validity.notBefore = req.notBefore;
  cert.validity.notAfter = req.notAfter;
  cert.setSubject(attrs(req.subject));
  const signer = issuer ? forge.pki.certificateFromPem(issuer.certPem) : undefined;
  cert.setIssuer(signer ? signer.subject.attributes : attrs(req.subject));
  cert.setExtensions(extensions(req) as never);
  const keyPem = issuer?.privateKeyPem ?? selfPrivateKeyPem;
  if (keyPem === undefined) throw new CaError('CA_NOT_INITIALIZED', 'no signing key');
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

export function createCsr(subject: DistinguishedName, publicKeyPem: string, privateKeyPem: string, options: { isCa: boolean; sans?: SubjectAltNames }): string {
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  csr.setSubject(attrs(subject));
  csr.setAttributes([{ name: 'extensionRequest', extensions: extensions(options) } as never]);
  csr.sign(forge.pki.privateKeyFromPem(privateKeyPem), forge.md.sha256.create());
  return forge.pki.certificationRequestToPem(csr);
}

export interface ParsedCsr {
  readonly subject: DistinguishedName;
  readonly publicKeyPem: string;
  readonly isCa: boolean;
  readonly sans: SubjectAltNames;
}

/** Parses and verifies the signature of a PKCS#10 request. */
export function parseCsr(pem: string): ParsedCsr {
  let csr: forge.pki.CertificateSigningRequest;
  try {
    csr = forge.pki.certificationRequestFromPem(pem);
  } catch (err) {
    throw new CaError('CA_INVALID_CSR', `not a PKCS#10 certificate request: ${(err as Error).message}`, { cause: err });
  }
  let verified = false;
  try {
    verified = csr.verify();
  } catch {
    verified = false; // forge throws on a signature made with another key
  }
  if (!verified) throw new CaError('CA_INVALID_CSR', 'certificate request signature does not verify');
  const ext = ((csr.getAttribute({ name: 'extensionRequest' }) as { extensions?: Array<Record<string, unknown>> } | null)?.extensions ?? []);
  const basic = ext.find((e) => e.name === 'basicConstraints');
  const alt = (ext.find((e) => e.name === 'subjectAltName')?.altNames as Array<{ type: number; value?: string; ip?: string }> | undefined) ?? [];
  return {
    subject: dnOf(csr.subject),
    publicKeyPem: forge.pki.publicKeyToPem(csr.publicKey as forge.pki.rsa.PublicKey),
    isCa: basic?.cA === true,
    sans: { dns: alt.filter((a) => a.type === 2).map((a) => a.value!), ips: alt.filter((a) => a.type === 7).map((a) => a.ip!) },
  };
}

export function certificateInfo(pem: string): CertificateInfo {
  let c: forge.pki.Certificate;
  try {
    c = forge.pki.certificateFromPem(pem);
  } catch (err) {
    throw new CaError('CA_INVALID_CERT', `not a PEM certificate: ${(err as Error).message}`, { cause: err });
  }
  const basic = c.getExtension('basicConstraints') as { cA?: boolean } | null;
  return {
    subject: dnOf(c.subject),
    issuer: dnOf(c.issuer),
    serial: BigInt(`0x${c.serialNumber}`).toString(10),
    notBefore: c.validity.notBefore,
    notAfter: c.validity.notAfter,
    isCa: basic?.cA === true,
  };
}

/** True when `chainPem` (leaf first) verifies up to one of `trustedPem`. */
export function verifyChain(chainPem: readonly string[], trustedPem: readonly string[]): boolean {
  try {
    const store = forge.pki.createCaStore([...trustedPem]);
    return forge.pki.verifyCertificateChain(store, chainPem.map((p) => forge.pki.certificateFromPem(p)));
  } catch {
    return false;
  }
}
