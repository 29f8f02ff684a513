/**
 * StorageContainerLocationProtocol on the client port (9860): admin calls. Leader-only except
 * `status` (any SCM, used by tools and tests) as Ozone exempts a few follower-readable calls (CLT).
 */
import { ScmServiceError } from '../services/service-error.js';
import type { ReplicationConfig } from '../state/records.js';
import type { RpcServer } from '../transport/rpc-server.js';
import { leaderOnly } from './leader-gate.js';
import type { ScmContext } from './scm-context.js';
import { peerRoles, scmStatus } from './scm-info.js';

export function registerClientService(server: RpcServer, ctx: ScmContext): void {
  server.handle('getScmInfo', leaderOnly(ctx, async () => {
    const { roles, lines } = await peerRoles(ctx);
    return { clusterId: ctx.version.clusterId, scmId: ctx.version.scmUuid, peerRoles: lines, roles };
  }));
  server.handle('transferLeadership', leaderOnly(ctx, async (p, rpc) => {
    const { target } = p as { target: string };
    const peers = ctx.replicator.status().peers;
    const node = ctx.config.local.nodes.find((n) => n.nodeId === target);
    const peer =
      peers.find((x) => x.scmUuid === target || (x.nodeId !== undefined && x.nodeId === target)) ??
      (node ? peers.find((x) => x.host === node.host && x.ratisPort === node.ports.ratis) : undefined);
    if (ctx.replicator.mode === 'standalone') await ctx.replicator.transferLeadership(target, { signal: rpc.signal });
    if (!peer) throw new ScmServiceError('SCM_INVALID_ARGUMENT', `${target} is neither the scmUuid nor the node id of a ring member (${peers.map((x) => x.scmUuid).join(', ')})`);
    await ctx.replicator.transferLeadership(peer.scmUuid, { signal: rpc.signal });
    return { newLeader: peer.scmUuid };
  }));
  server.handle('listContainers', leaderOnly(ctx, async (p) => {
    const { start = 0, count = 1000 } = (p ?? {}) as { start?: number; count?: number };
    return [...ctx.stateMachine.snapshotState.containers.values()].filter((c) => c.containerID >= start).sort((a, b) => a.containerID - b.containerID).slice(0, count);
  }));
  server.handle('createContainers', leaderOnly(ctx, async (p, rpc) => {
    const { count = 1, replication, owner = 'admin' } = (p ?? {}) as { count?: number; replication?: ReplicationConfig; owner?: string };
    return ctx.blocks.createContainers({ count, replication: replication ?? { replicationType: 'RATIS', replicationFactor: 'THREE' }, owner }, { signal: rpc.signal });
  }));
  server.handle('status', async () => scmStatus(ctx));
}
