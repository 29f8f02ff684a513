/**
 * TLS material from a stored identity (ca/identity-store.ts): what an SCM presents on its ports, what it
 * and the operator tools present as clients, and how either side checks that the other is who it should
 * be. Every chain is verified against the cluster's root CA; beyond the chain:
 *  - a client checks the server is an SCM of this cluster (`scmServerCheck`), never an OM/datanode/admin
 *    certificate that happens to chain to the same root;
 *  - a server learns the caller's identity from its certificate (peer-identity.ts), and on the Raft port
 *    accepts frames only from the scmUuid an SCM certificate names.
 */
import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { StoredIdentity } from '../ca/identity-store.js';
import type { RaftTlsOptions } from '../transport/raft-transport.js';
import type { ClientTls, ServerTls } from '../transport/tls-options.js';
import { identityOf, type PeerIdentity } from './peer-identity.js';

const chainOf = (id: StoredIdentity): string => [id.certPem, ...id.chainPem].join('');

export function serverTls(id: StoredIdentity, clientCert: 'required' | 'optional'): ServerTls {
  return { key: id.privateKeyPem, cert: chainOf(id), ca: id.rootPem, clientCert };
}

/** Refuses a server whose certificate is not an SCM of `clusterId` (undefined: of the pinned root's cluster). */
export function scmServerCheck(clusterId: string | undefined): (cert: PeerCertificate, host: string) => Error | undefined {
  return (cert) => {
    const o = cert.subject?.O;
    const cluster = clusterId ?? (typeof o === 'string' ? o : '');
    const id = identityOf(cert, cluster);
    return id?.kind === 'scm' ? undefined : new Error(`the server's certificate (${cert.subject?.CN ?? 'no CN'}) is not an SCM of ${clusterId ?? 'this cluster'}`);
  };
}

/** A client that authenticates with `id` (or none) and verifies SCMs against `rootPem`. */
export function clientTls(id: StoredIdentity | undefined, rootPem: string, clusterId: string | undefined): ClientTls {
  return { ...(id ? { key: id.privateKeyPem, cert: chainOf(id) } : {}), ca: rootPem, verifyServer: scmServerCheck(clusterId) };
}

export function identityOfSocket(socket: TLSSocket, clusterId: string): PeerIdentity | undefined {
  return identityOf(socket.getPeerCertificate(), clusterId);
}

/**
 * The Raft port: mutual TLS with SCM certificates; a peer speaks only for the scmUuid its certificate
 * names, and a revoked certificate (a decommissioned SCM) speaks for nobody.
 */
export function raftTls(id: StoredIdentity, clusterId: string, isRevoked: (serial: string) => boolean = () => false): RaftTlsOptions {
  return {
    key: id.privateKeyPem,
    cert: chainOf(id),
    ca: id.rootPem,
    requireClientCert: true,
    senderIdentity: (cert) => {
      const who = identityOf(cert as PeerCertificate, clusterId);
      return who?.kind === 'scm' && !isRevoked(who.serial) ? who.scmUuid : undefined;
    },
  };
}
