/**
 * InterSCMProtocol on the inter-SCM port (9895): `downloadCheckpoint` streams a consistent scm.db
 * checkpoint (checkpoint.ts format) to a lagging or new SCM of the same cluster (§10), which installs it
 * only if newer. Any SCM can serve it; the Raft layer asks the leader.
 */
import { ScmServiceError } from '../services/service-error.js';
import type { RpcServer } from '../transport/rpc-server.js';
import type { ScmContext } from './scm-context.js';

export function registerInterScmService(server: RpcServer, ctx: ScmContext): void {
  server.handleStream('downloadCheckpoint', (p) => {
    const { clusterId } = (p ?? {}) as { clusterId?: string };
    if (clusterId !== ctx.version.clusterId) {
      throw new ScmServiceError('SCM_CLUSTER_ID_MISMATCH', `checkpoint requested for cluster ${String(clusterId)}, this SCM belongs to ${ctx.version.clusterId}`);
    }
    ctx.logger.info('serving scm.db checkpoint', { applied: ctx.stateMachine.lastApplied() });
    return ctx.stateMachine.checkpoint();
  });
}
