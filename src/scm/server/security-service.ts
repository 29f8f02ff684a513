/**
 * SCMSecurityProtocol (9961), leader-only (SPT). Without `ozone.security.enabled` every call answers
 * SCM_SECURITY_DISABLED after the leader gate. With it: `getSCMCertChain {csr, clusterId}` signs a
 * bootstrapping SCM's sub-CA request (CertificateService), `getCaCertificate` / `listCaCertificate` return
 * the root CA (and the signer's chain), `getCertificate {serial}` a stored certificate.
 */
import { ScmServiceError } from '../services/service-error.js';
import type { RpcServer } from '../transport/rpc-server.js';
import { leaderOnly } from './leader-gate.js';
import type { ScmContext } from './scm-context.js';

export function registerSecurityService(server: RpcServer, ctx: ScmContext): void {
  const certs = ctx.certificates;
  if (!certs) {
    for (const method of ['getCaCertificate', 'listCaCertificate', 'getSCMCertChain', 'getCertificate']) {
      server.handle(method, leaderOnly(ctx, async () => {
        throw new ScmServiceError('SCM_SECURITY_DISABLED', `${method}: security is not enabled on this SCM (ozone.security.enabled=false)`);
      }));
    }
    return;
  }
  server.handle('getSCMCertChain', leaderOnly(ctx, async (p, rpc) => {
    const { csr, clusterId } = (p ?? {}) as { csr?: string; clusterId?: string };
    if (typeof csr !== 'string' || typeof clusterId !== 'string') throw new ScmServiceError('SCM_INVALID_ARGUMENT', 'getSCMCertChain needs {csr, clusterId}');
    return certs.signScmCsr(csr, clusterId, { signal: rpc.signal });
  }));
  server.handle('getCaCertificate', leaderOnly(ctx, async () => certs.signer.root.pem));
  server.handle('listCaCertificate', leaderOnly(ctx, async () => [certs.signer.root.pem, ...certs.signer.chain.map((c) => c.pem)]));
  server.handle('getCertificate', leaderOnly(ctx, async (p) => {
    const { serial } = (p ?? {}) as { serial?: string };
    const pem = serial === undefined ? undefined : ctx.stateMachine.view.cert('validCerts', serial);
    if (pem === undefined) throw new ScmServiceError('SCM_INVALID_ARGUMENT', `no certificate with serial ${String(serial)}`);
    return pem;
  }));
}
