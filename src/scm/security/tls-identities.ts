/**
 * TLS material from a stored identity (ca/identity-store.ts): what an SCM presents on its ports, what it
 * and the operator tools present as clients, and how either side checks that the other is who it should
 * be. Every chain is verified against the cluster's root CA; beyond the chain:
 *  - a server accepts a caller only with a certificate the ring recorded and did not revoke
 *    (recorded-certificates.ts), and learns the caller's identity from it (peer-identity.ts);
 *  - on the Raft port a peer speaks only for the scmUuid its SCM certificate names, every read re-checks
 *    it, and an outbound link accepts only the certificate of the peer it dials;
 *  - a client checks that the server is an SCM of this cluster (never an OM/datanode/admin certificate
 *    chaining to the same root) and, where it dials a configured SCM, that the certificate is for that host.
 */
import type { DetailedPeerCertificate, PeerCertificate, TLSSocket } from 'node:tls';
import type { StoredIdentity } from '../ca/identity-store.js';
import type { NodeId } from '../raft/types.js';
import type { RaftTlsOptions } from '../transport/raft-transport.js';
import type { ClientTls, ServerTls } from '../transport/tls-options.js';
import { identityOf, type PeerIdentity } from './peer-identity.js';
import type { RecordedCertificates } from './recorded-certificates.js';

const chainOf = (id: StoredIdentity): string => [id.certPem, ...id.chainPem].join('');

export function serverTls(id: StoredIdentity, clientCert: 'required' | 'optional'): ServerTls {
  return { key: id.privateKeyPem, cert: chainOf(id), ca: id.rootPem, clientCert };
}

export interface ServerCheck {
  /** the cluster id the certificate must carry; undefined: the pinned root's (joiners do not know it yet) */
  readonly clusterId: string | undefined;
  /** the certificate must be for the host dialed (its CN host) */
  readonly sameHost?: boolean;
  /** the certificate must be that of this scmUuid */
  readonly scmUuid?: string;
  /** refuse certificates revoked in this SCM's state */
  readonly isRevoked?: (serial: string) => boolean;
}

/** Refuses a server whose certificate is not an SCM of the cluster (and, as asked, of that host / scmUuid, not revoked). */
export function scmServerCheck(o: ServerCheck): (cert: PeerCertificate, host: string) => Error | undefined {
  return (cert, host) => {
    const o2 = cert.subject?.O;
    const id = identityOf(cert, o.clusterId ?? (typeof o2 === 'string' ? o2 : ''));
    const what = `the server's certificate (${cert.subject?.CN ?? 'no CN'})`;
    if (id?.kind !== 'scm') return new Error(`${what} is not an SCM of ${o.clusterId ?? 'this cluster'}`);
    if (o.sameHost && id.host !== host.replace(/^\[|\]$/g, '')) return new Error(`${what} is for ${id.host}, not for ${host}`);
    if (o.scmUuid !== undefined && id.scmUuid !== o.scmUuid) return new Error(`${what} is SCM ${id.scmUuid}, not ${o.scmUuid}`);
    if (o.isRevoked?.(id.serial)) return new Error(`${what} is revoked`);
    return undefined;
  };
}

/** A client that authenticates with `id` (or none) and verifies SCMs against `rootPem`. */
export function clientTls(id: StoredIdentity | undefined, rootPem: string, check: ServerCheck): ClientTls {
  return { ...(id ? { key: id.privateKeyPem, cert: chainOf(id) } : {}), ca: rootPem, verifyServer: scmServerCheck(check) };
}

/** The identity a caller's certificate proves on an RPC or HTTPS port: undefined unless the ring recorded it. */
export function identityOfSocket(socket: TLSSocket, clusterId: string, recorded: RecordedCertificates): PeerIdentity | undefined {
  const cert = socket.getPeerCertificate();
  const id = identityOf(cert, clusterId);
  return id && recorded.status(cert) === 'recorded' ? id : undefined;
}

/**
 * The Raft port: mutual TLS with SCM certificates; a peer speaks only for the scmUuid its certificate
 * names; a revoked or minted certificate speaks for nobody. A certificate this SCM has not recorded (yet)
 * is heard only for an SCM that is not a member here and while nothing in its chain is revoked: a new
 * member, whose state is still empty, must hear its leader; an existing member's certificate is always
 * recorded before that member joined (the certificate is stored through the log before its addMember).
 * Outbound links accept only the certificate of the peer they dial.
 */
export function raftTls(id: StoredIdentity, clusterId: string, recorded: RecordedCertificates, members: () => ReadonlySet<string>): RaftTlsOptions {
  return {
    key: id.privateKeyPem,
    cert: chainOf(id),
    ca: id.rootPem,
    requireClientCert: true,
    admitPeer: (cert: DetailedPeerCertificate) => {
      const who = identityOf(cert, clusterId);
      if (who?.kind !== 'scm') return undefined;
      const serial = who.serial;
      // per read, cheaply: once recorded, only revocation can change; while unknown, the status (a map
      // lookup) and the chain's revocations each time, the ring's membership at most once a second
      let recordedOnce = false;
      let membersCheckedAt = 0;
      const allowed = (): boolean => {
        if (recordedOnce) return !recorded.isRevoked(serial);
        const status = recorded.status(cert);
        if (status === 'recorded') {
          recordedOnce = true;
          return true;
        }
        if (status !== 'unknown' || recorded.chainRevoked(cert)) return false;
        const now = Date.now();
        if (now - membersCheckedAt < 1000) return true;
        membersCheckedAt = now;
        return !members().has(who.scmUuid);
      };
      return allowed() ? { sender: who.scmUuid, stillAllowed: allowed } : undefined;
    },
    verifyServer: (cert: PeerCertificate, expected: NodeId) => scmServerCheck({ clusterId, scmUuid: expected, isRevoked: (serial) => recorded.isRevoked(serial) })(cert, ''),
  };
}
