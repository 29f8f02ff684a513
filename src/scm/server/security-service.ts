/**
 * SCMSecurityProtocol (9961), leader-only (SPT). The certificate authority is not part of this build:
 * every call answers SCM_SECURITY_DISABLED after the leader gate, so clients get a clear answer rather
 * than a connection refused.
 */
import { ScmServiceError } from '../services/service-error.js';
import type { RpcServer } from '../transport/rpc-server.js';
import { leaderOnly } from './leader-gate.js';
import type { ScmContext } from './scm-context.js';

export function registerSecurityService(server: RpcServer, ctx: ScmContext): void {
  for (const method of ['getCaCertificate', 'listCaCertificate', 'getSCMCertChain', 'getCertificate']) {
    server.handle(method, leaderOnly(ctx, async () => {
      throw new ScmServiceError('SCM_SECURITY_DISABLED', `${method}: security is not enabled on this SCM (ozone.security.enabled=false; the embedded SCM has no certificate authority yet)`);
    }));
  }
}
