/**
 * SCMSecurityProtocol handlers (security port 9961, protocols/security-protocol.ts). Without
 * `ozone.security.enabled` every call answers SCM_SECURITY_DISABLED. With it: the root CA for anyone
 * (any SCM answers; the caller checks it against its pinned hash), certificate issuance against a join
 * token on the leader (managers/certificate-manager.ts), stored certificates for callers of this cluster.
 */
import type { SecurityProtocol } from '../protocols/security-protocol.js';
import type { CertificateManager } from '../managers/certificate-manager.js';
import { ScmManagerError } from '../managers/manager-error.js';
import type { Handlers } from '../transport/rpc-server.js';
import { leaderOnly } from './leader-gate.js';
import type { ScmContext } from './scm-context.js';

export function securityHandlers(ctx: ScmContext): Handlers<SecurityProtocol> {
  const certs = (method: string): CertificateManager => {
    if (!ctx.certificates) throw new ScmManagerError('SCM_SECURITY_DISABLED', `${method}: security is not enabled on this SCM (ozone.security.enabled=false)`);
    return ctx.certificates;
  };
  return {
    getCaCertificate: async () => certs('getCaCertificate').signer.root.pem,
    listCaCertificate: async () => {
      const c = certs('listCaCertificate');
      return [c.signer.root.pem, ...c.signer.chain.map((x) => x.pem)];
    },
    getSCMCertChain: leaderOnly(ctx, async (p, rpc) => certs('getSCMCertChain').issueScm(p, rpc.remote, { signal: rpc.signal })),
    issueCertificate: leaderOnly(ctx, async (p, rpc) => certs('issueCertificate').issue(p, rpc.remote, { signal: rpc.signal })),
    getCertificate: leaderOnly(ctx, async ({ serial }) => {
      certs('getCertificate');
      const pem = ctx.stateStore.view.cert('validCerts', serial);
      if (pem === undefined) throw new ScmManagerError('SCM_INVALID_ARGUMENT', `no certificate with serial ${serial}`);
      return pem;
    }),
  };
}
