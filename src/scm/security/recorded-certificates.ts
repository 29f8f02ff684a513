/**
 * A verified chain is not enough: every SCM certificate is a CA, so whoever holds an SCM's key (a stolen
 * key, a decommissioned SCM) could mint certificates that chain to the root. A presented certificate
 * therefore proves an identity only if it is **the certificate the ring recorded** under its serial
 * (`validCerts`, compared by the SHA-256 of its DER encoding) and that serial is not revoked:
 *
 *   recorded   the ring issued exactly this certificate, not revoked        → accepted
 *   revoked    issued, then revoked (decommission, `admin cert revoke`)     → refused
 *   mismatch   a certificate under a recorded serial, but not that one      → refused (minted)
 *   unknown    no certificate under that serial here                        → refused on the RPC and HTTPS
 *              ports; on the Raft port accepted only while no element of its chain is revoked, because an
 *              SCM that is still catching up (a new member's state is empty) must hear its leader
 *
 * Fingerprints of recorded certificates are memoised per serial (a serial's certificate never changes).
 */
import { createHash, X509Certificate } from 'node:crypto';
import type { StateView } from '../state/scm-state.js';
import { serialOf } from './peer-identity.js';

export type RecordedStatus = 'recorded' | 'revoked' | 'mismatch' | 'unknown';

/** the parts of a Node (detailed) peer certificate this module reads */
export interface PresentedCertificate {
  readonly raw?: Buffer;
  readonly serialNumber?: string;
  readonly issuerCertificate?: PresentedCertificate;
}

export class RecordedCertificates {
  private readonly fingerprints = new Map<string, string>();

  constructor(private readonly view: () => StateView) {}

  private fingerprintOf(serial: string): string | undefined {
    const known = this.fingerprints.get(serial);
    if (known) return known;
    const pem = this.view().cert('validCerts', serial);
    if (pem === undefined) return undefined;
    let fp: string;
    try {
      fp = createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
    } catch {
      return undefined;
    }
    this.fingerprints.set(serial, fp);
    return fp;
  }

  status(cert: PresentedCertificate): RecordedStatus {
    if (!cert.raw || !cert.serialNumber) return 'unknown';
    const serial = serialOf(cert);
    const recorded = this.fingerprintOf(serial);
    if (recorded === undefined) return 'unknown';
    if (recorded !== createHash('sha256').update(cert.raw).digest('hex')) return 'mismatch';
    return this.view().isRevoked(serial) ? 'revoked' : 'recorded';
  }

  isRevoked(serial: string): boolean {
    return this.view().isRevoked(serial);
  }

  /** True when any certificate of the presented chain (leaf to root) is revoked here. */
  chainRevoked(cert: PresentedCertificate): boolean {
    const seen = new Set<PresentedCertificate>();
    for (let c: PresentedCertificate | undefined = cert; c && !seen.has(c); c = c.issuerCertificate) {
      seen.add(c);
      if (c.serialNumber && this.view().isRevoked(serialOf(c))) return true;
    }
    return false;
  }
}
