/**
 * The datanode protocol (9861) — served by EVERY SCM, leader or not (§6): registration and heartbeats
 * with reports; only the leader's heartbeat responses carry commands.
 */
import type { HeartbeatRequest, HeartbeatResponse, RegisterResponse } from '../services/datanode-protocol.js';
import type { DatanodeDetails } from '../state/records.js';
import type { RpcServer } from '../transport/rpc-server.js';
import type { ScmContext } from './scm-context.js';

export function registerDatanodeService(server: RpcServer, ctx: ScmContext): void {
  server.handle('register', async (p): Promise<RegisterResponse> => {
    ctx.nodes.register((p as { datanode: DatanodeDetails }).datanode);
    return { clusterId: ctx.version.clusterId, scmUuid: ctx.version.scmUuid };
  });
  server.handle('heartbeat', async (p): Promise<HeartbeatResponse> => {
    const commands = ctx.nodes.heartbeat(p as HeartbeatRequest);
    return { role: ctx.replicator.role(), term: ctx.replicator.term(), scmUuid: ctx.version.scmUuid, commands };
  });
}
