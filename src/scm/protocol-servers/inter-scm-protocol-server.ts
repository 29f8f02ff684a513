/**
 * The inter-SCM port handlers (9895, protocols/inter-scm-protocol.ts): `downloadCheckpoint` streams a
 * consistent scm.db checkpoint to a follower that needs it or to `debug ldb` reading a running SCM. Every
 * SCM serves it; the Raft layer asks the leader.
 */
import type { InterScmProtocol } from '../protocols/inter-scm-protocol.js';
import { ScmManagerError } from '../managers/manager-error.js';
import type { Handlers } from '../transport/rpc-server.js';
import type { ScmContext } from './scm-context.js';

export function interScmHandlers(ctx: ScmContext): Handlers<InterScmProtocol> {
  return {
    downloadCheckpoint: ({ clusterId }, rpc) => {
      if (clusterId !== ctx.version.clusterId) {
        throw new ScmManagerError('SCM_CLUSTER_ID_MISMATCH', `checkpoint requested for cluster ${clusterId}, this SCM belongs to ${ctx.version.clusterId}`);
      }
      ctx.logger.info('serving scm.db checkpoint', { applied: ctx.stateStore.lastApplied(), caller: rpc.remote });
      return ctx.stateStore.checkpoint();
    },
  };
}
