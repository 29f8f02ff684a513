/**
 * Leader-only gating (§6) and the wire form of NotLeader: Ozone's text plus a `host:port` hint where
 * the port is the same protocol's port on the suggested leader (taken from the configured topology,
 * falling back to this node's port as Ozone assumes identical ports). A leader that is not ready yet
 * (elected, earlier terms' entries still being applied) answers Ratis' LeaderNotReady text with itself
 * as the hint, so clients retry the same SCM after a pause instead of moving on.
 */
import type { ScmProtocol } from '../config/config-keys.js';
import { NotLeaderError } from '../replication/replication-error.js';
import { defaultErrorMapper, type ErrorMapper, type RpcContext } from '../transport/rpc-server.js';
import { notLeaderMessage } from '../transport/rpc-not-leader.js';
import { formatHostPortLite } from '../transport/rpc-endpoint.js';
import type { ScmContext } from './scm-context.js';

export type PortName = ScmProtocol | 'grpc';

export function leaderOnly<P, R>(ctx: ScmContext, handler: (params: P, rpc: RpcContext) => Promise<R>): (params: P, rpc: RpcContext) => Promise<R> {
  return async (params: P, rpc: RpcContext) => {
    if (!ctx.replicator.isLeaderReady()) throw new NotLeaderError(ctx.replicator.role(), ctx.replicator.leaderHint());
    return handler(params, rpc);
  };
}

export function notLeaderMapper(ctx: ScmContext, port: PortName): ErrorMapper {
  return (err) => {
    if (!(err instanceof NotLeaderError)) return defaultErrorMapper(err);
    const self = ctx.config.local.self;
    const hint = err.leader;
    if (err.role === 'LEADER' && (hint === undefined || hint.scmUuid === ctx.version.scmUuid)) {
      const here = formatHostPortLite(self.host, self.ports[port]);
      return { code: 'NOT_LEADER', message: `Server:${ctx.version.scmUuid}(${self.host}) is in LEADER state but not ready yet.`, leader: here };
    }
    let suggested: string | undefined;
    if (hint && hint.scmUuid !== ctx.version.scmUuid) {
      const node = ctx.config.local.nodes.find((n) => (hint.nodeId !== undefined && n.nodeId === hint.nodeId) || n.host === hint.host);
      suggested = formatHostPortLite(hint.host, (node ?? self).ports[port]);
    }
    const role = err.role === 'LEADER' ? 'LEADER' : err.role;
    return {
      code: 'NOT_LEADER',
      message: notLeaderMessage(role, ctx.version.scmUuid, self.host, suggested),
      ...(suggested === undefined ? {} : { leader: suggested }),
    };
  };
}
