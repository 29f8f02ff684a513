/**
 * ScmBlockLocationProtocol handlers (block port 9863, protocols/block-protocol.ts), every call leader-only
 * (BPT): `getScmInfo` (bootstrap and OMs fetch the cluster id here), `addScm` (a bootstrapped SCM joins the
 * ring at first start), `allocateBlock` (OM/freon). In secure mode addScm adds only the caller itself: the
 * scmId and the Raft host must be those its SCM certificate names (the access table lets only SCM
 * certificates call it at all).
 */
import type { BlockProtocol } from '../protocols/block-protocol.js';
import { splitAddress } from '../transport/peer-link.js';
import { SecurityError } from '../security/security-error.js';
import { ScmManagerError } from '../managers/manager-error.js';
import type { Handlers } from '../transport/rpc-server.js';
import { leaderOnly } from './leader-gate.js';
import type { ScmContext } from './scm-context.js';
import { peerRoles } from './scm-info.js';

export function blockHandlers(ctx: ScmContext): Handlers<BlockProtocol> {
  return {
    getScmInfo: leaderOnly(ctx, async () => ({ clusterId: ctx.version.clusterId, scmId: ctx.version.scmUuid, peerRoles: (await peerRoles(ctx)).lines })),
    addScm: leaderOnly(ctx, async ({ clusterId, scmId, ratisAddress }, rpc) => {
      const { host, port } = splitAddress(ratisAddress);
      const caller = rpc.identity;
      if (caller.kind === 'scm' && (caller.scmUuid !== scmId || caller.host !== host)) {
        throw new SecurityError('ACCESS_DENIED', `SCM ${caller.scmUuid} (${caller.host}) may add only itself to the ring, not ${scmId} at ${ratisAddress}`);
      }
      // the access policy admits only SCM certificates here; kept as a second line of defence
      if (ctx.config.securityEnabled && caller.kind !== 'scm') throw new SecurityError('ACCESS_DENIED', "addScm needs the joining SCM's certificate");
      if (ctx.leavingMembers.has(scmId)) throw new ScmManagerError('SCM_INVALID_ARGUMENT', `SCM ${scmId} is being decommissioned`);
      if (clusterId !== ctx.version.clusterId) {
        throw new ScmManagerError('SCM_CLUSTER_ID_MISMATCH', `SCM ${scmId} with addr ${ratisAddress} has cluster Id ${clusterId} but leader SCM cluster id is ${ctx.version.clusterId}`);
      }
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ScmManagerError('SCM_INVALID_ARGUMENT', `${ratisAddress} has no valid port`);
      ctx.logger.info('addSCM', { scmId, ratisAddress, caller: rpc.remote });
      await ctx.replicator.addPeer({ scmUuid: scmId, host, ratisPort: port }, { signal: rpc.signal });
      return { success: true };
    }),
    allocateBlock: leaderOnly(ctx, async (req, rpc) => {
      // BlockManagerImpl: "SafeModePrecheck failed for allocateBlock" (SAFE_MODE_EXCEPTION) — after waiting for
      // safe mode to end, bounded like the wait for an open pipeline (ozone.scm.ha.ratis.request.timeout)
      await ctx.safeMode.precheck('allocateBlock', { waitMs: ctx.config.timing.requestTimeoutMs, signal: rpc.signal });
      const out = [];
      for (let i = 0; i < (req.num ?? 1); i++) out.push(await ctx.blocks.allocateBlock({ size: req.size, replication: req.replication, owner: req.owner }, { signal: rpc.signal }));
      return out;
    }),
  };
}
