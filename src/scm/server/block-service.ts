/**
 * ScmBlockLocationProtocol on the block port (9863), every call leader-only (BPT): `getScmInfo`
 * (bootstrap fetches the clusterID here), `addScm` (a bootstrapped SCM joins the ring at first start),
 * `allocateBlock` (OM/freon).
 */
import type { ReplicationConfig } from '../state/records.js';
import { ScmServiceError } from '../services/service-error.js';
import type { RpcServer } from '../transport/rpc-server.js';
import { leaderOnly } from './leader-gate.js';
import type { ScmContext } from './scm-context.js';
import { peerRoles } from './scm-info.js';

export interface AllocateBlockParams {
  readonly size: number;
  readonly num?: number;
  readonly replication: ReplicationConfig;
  readonly owner: string;
}

export function registerBlockService(server: RpcServer, ctx: ScmContext): void {
  server.handle(
    'getScmInfo',
    leaderOnly(ctx, async () => ({ clusterId: ctx.version.clusterId, scmId: ctx.version.scmUuid, peerRoles: (await peerRoles(ctx)).lines })),
  );
  server.handle(
    'addScm',
    leaderOnly(ctx, async (p, rpc) => {
      const { clusterId, scmId, ratisAddress } = p as { clusterId: string; scmId: string; ratisAddress: string };
      if (clusterId !== ctx.version.clusterId) {
        throw new ScmServiceError('SCM_CLUSTER_ID_MISMATCH', `SCM ${scmId} with addr ${ratisAddress} has cluster Id ${clusterId} but leader SCM cluster id is ${ctx.version.clusterId}`);
      }
      const idx = ratisAddress.lastIndexOf(':');
      await ctx.replicator.addPeer({ scmUuid: scmId, host: ratisAddress.slice(0, idx), ratisPort: Number(ratisAddress.slice(idx + 1)) }, { signal: rpc.signal });
      return { success: true };
    }),
  );
  server.handle(
    'allocateBlock',
    leaderOnly(ctx, async (p, rpc) => {
      const req = p as AllocateBlockParams;
      const n = req.num ?? 1;
      if (!Number.isSafeInteger(n) || n < 1 || n > 1000) throw new ScmServiceError('SCM_INVALID_ARGUMENT', `num must be 1..1000, got ${String(req.num)}`);
      const out = [];
      for (let i = 0; i < n; i++) out.push(await ctx.blocks.allocateBlock({ size: req.size, replication: req.replication, owner: req.owner }, { signal: rpc.signal }));
      return out;
    }),
  );
}
