/**
 * Throwaway certificates for the Raft transport's mutual-TLS tests: a CA and leaf certificates with IP
 * subject alternative names on the loopback test range (node-forge; test-only).
 */
import forge from 'node-forge';

export interface TestCert {
  readonly key: string;
  readonly cert: string;
}

function serial(n: number): string {
  // DER integers must not start with a zero byte (and stay positive).
  return `1${n.toString(16).padStart(7, '0')}`;
}

export function makeCa(name: string, n = 1): TestCert & { raw: { key: forge.pki.rsa.PrivateKey; cert: forge.pki.Certificate } } {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial(n);
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 3_600_000);
  const attrs = [{ name: 'commonName', value: name }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { key: forge.pki.privateKeyToPem(keys.privateKey), cert: forge.pki.certificateToPem(cert), raw: { key: keys.privateKey, cert } };
}

export function makeLeaf(ca: ReturnType<typeof makeCa>, ip: string, n: number): TestCert {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial(n);
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 3_600_000);
  cert.setSubject([{ name: 'commonName', value: ip }]);
  cert.setIssuer(ca.raw.cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 7, ip }] },
  ]);
  cert.sign(ca.raw.key, forge.md.sha256.create());
  return { key: forge.pki.privateKeyToPem(keys.privateKey), cert: forge.pki.certificateToPem(cert) };
}
