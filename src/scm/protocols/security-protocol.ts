/**
 * SCMSecurityProtocol on the security port (9961), leader-only for signing (SPT). In secure mode it is the
 * one port a caller without a certificate may reach (server-authenticated TLS): to fetch the root CA (which
 * the caller checks against its pinned hash) and to present a join token with certificate requests.
 * Callers with a certificate of this cluster may read certificates. Without `ozone.security.enabled` every
 * call answers SCM_SECURITY_DISABLED.
 */
import type { IssuedCertificate } from '../ca/identity-store.js';
import { obj, pem, str } from '../transport/params-guard.js';
import { unary } from '../transport/protocol-definition.js';

/** A token is `<id>.<secret>`; the guard allows room for a malformed one to be refused with TOKEN_INVALID. */
const token = (): ReturnType<typeof str> => str({ min: 1, max: 128 });

export interface ScmCertificatesIssued {
  /** the cluster the new SCM joined, and the scmUuid of the leader that answered (its primaryScmNodeId) */
  readonly clusterId: string;
  readonly scmId: string;
  /** the SCM's sub-CA certificate */
  readonly scm: IssuedCertificate;
  /** the admin identity of the new SCM's host (operator tools there) */
  readonly admin: IssuedCertificate;
}

export interface CertificateIssued extends IssuedCertificate {
  readonly clusterId: string;
}

export const securityProtocol = {
  /** the root CA certificate (PEM); answered by every SCM */
  getCaCertificate: unary<string>()(obj({})),
  listCaCertificate: unary<string[]>()(obj({})),
  /** a joining SCM: token + its sub-CA request + the request for its host's admin identity */
  getSCMCertChain: unary<ScmCertificatesIssued>()(obj({ token: token(), csr: pem(), adminCsr: pem() })),
  /** a datanode, OM or admin identity for the host the token names */
  issueCertificate: unary<CertificateIssued>()(obj({ token: token(), csr: pem() })),
  getCertificate: unary<string>()(obj({ serial: str({ pattern: /^\d{1,40}$/ }) })),
} as const;
export type SecurityProtocol = typeof securityProtocol;
