/**
 * StorageContainerLocationProtocol handlers (client port 9860, protocols/client-protocol.ts): admin calls.
 * Leader-only except `status` (any SCM, used by tools and tests) and the safe mode calls (each SCM answers for
 * its own) as Ozone exempts a few follower-readable and admin calls (CLT). Membership (decommission), join tokens and certificate revocation are secure-mode admin
 * work: with security off the token and certificate calls answer SCM_SECURITY_DISABLED.
 */
import type { ClientProtocol } from '../protocols/client-protocol.js';
import { describeIdentity, type PeerIdentity } from '../security/peer-identity.js';
import type { CertificateManager } from '../managers/certificate-manager.js';
import type { JoinTokenManager } from '../managers/join-token-manager.js';
import { ScmManagerError } from '../managers/manager-error.js';
import type { RingPeer } from '../replication/replicator.js';
import type { Handlers } from '../transport/rpc-server.js';
import { leaderOnly } from './leader-gate.js';
import { containerWithReplicas, finalizationStatus, listContainerPage, listPipelines, queryNodes } from './operator-queries.js';
import type { ScmContext } from './scm-context.js';
import { peerRoles, scmStatus } from './scm-info.js';

function secureOnly<T>(service: T | undefined, what: string): T {
  if (!service) throw new ScmManagerError('SCM_SECURITY_DISABLED', `${what}: security is not enabled on this SCM (ozone.security.enabled=false)`);
  return service;
}

/** A ring member by scmUuid, node id (configuration) or its Raft host. */
function findPeer(ctx: ScmContext, target: string): RingPeer | undefined {
  const peers = ctx.replicator.status().peers;
  const node = ctx.config.local.nodes.find((n) => n.nodeId === target);
  return (
    peers.find((x) => x.scmUuid === target || (x.nodeId !== undefined && x.nodeId === target)) ??
    (node ? peers.find((x) => x.host === node.host && x.ratisPort === node.ports.ratis) : undefined)
  );
}

const who = (id: PeerIdentity, remote: string): string => `${describeIdentity(id)} from ${remote}`;

export function clientHandlers(ctx: ScmContext): Handlers<ClientProtocol> {
  const tokens = (): JoinTokenManager => secureOnly(ctx.tokens, 'join tokens');
  const certificates = (): CertificateManager => secureOnly(ctx.certificates, 'certificates');
  return {
    getScmInfo: leaderOnly(ctx, async () => {
      const { roles, lines } = await peerRoles(ctx);
      return { clusterId: ctx.version.clusterId, scmId: ctx.version.scmUuid, peerRoles: lines, roles };
    }),
    transferLeadership: leaderOnly(ctx, async ({ target }, rpc) => {
      if (ctx.replicator.mode === 'standalone') await ctx.replicator.transferLeadership(target, { signal: rpc.signal });
      const peer = findPeer(ctx, target);
      if (!peer) throw new ScmManagerError('SCM_INVALID_ARGUMENT', `${target} is neither the scmUuid nor the node id of a ring member (${ctx.replicator.status().peers.map((x) => x.scmUuid).join(', ')})`);
      await ctx.replicator.transferLeadership(peer.scmUuid, { signal: rpc.signal });
      return { newLeader: peer.scmUuid };
    }),
    listContainers: leaderOnly(ctx, async ({ start = 0, count = 1000 }) =>
      [...ctx.stateStore.snapshotState.containers.values()].filter((c) => c.containerID >= start).sort((a, b) => a.containerID - b.containerID).slice(0, count),
    ),
    createContainers: leaderOnly(ctx, async ({ count = 1, replication, owner = 'admin' }, rpc) => {
      // Ozone's allocateContainer is refused in safe mode; we first wait for it to end, as for an open pipeline
      await ctx.safeMode.precheck('allocateContainer', { waitMs: ctx.config.timing.requestTimeoutMs, signal: rpc.signal });
      return ctx.blocks.createContainers({ count, replication: replication ?? { replicationType: 'RATIS', replicationFactor: 'THREE' }, owner }, { signal: rpc.signal });
    }),
    status: async () => scmStatus(ctx),
    // safe mode: any SCM answers for itself (Ozone: follower-readable / admin commands, not leader-gated)
    inSafeMode: async () => ({ inSafeMode: ctx.safeMode.inSafeMode(), preCheckComplete: ctx.safeMode.preCheckComplete() }),
    getSafeModeRuleStatuses: async () => ctx.safeMode.ruleStatuses(),
    forceExitSafeMode: async (_params, rpc) => {
      ctx.logger.warn('forcing this SCM out of safe mode', { by: who(rpc.identity, rpc.remote), state: ctx.safeMode.state });
      return { exitedSafeMode: ctx.safeMode.forceExitSafeMode() };
    },
    decommissionScm: leaderOnly(ctx, async ({ nodeId }, rpc) => {
      const peer = findPeer(ctx, nodeId);
      const by = who(rpc.identity, rpc.remote);
      const reason = `decommissioned by ${describeIdentity(rpc.identity)}`;
      if (!peer) {
        // already out of the ring (e.g. an earlier decommission stopped before the revocation): finish that
        const left = ctx.certificates?.certificatesOf(nodeId) ?? [];
        if (left.length === 0) throw new ScmManagerError('SCM_INVALID_ARGUMENT', `${nodeId} is neither the scmUuid nor the node id of a ring member (${ctx.replicator.status().peers.map((x) => x.scmUuid).join(', ')})`);
        await ctx.certificates!.revokeScm(nodeId, reason, by, { signal: rpc.signal });
        return { removed: nodeId, address: '(not in the ring)' };
      }
      if (peer.scmUuid === ctx.version.scmUuid) {
        throw new ScmManagerError('SCM_INVALID_ARGUMENT', 'Cannot remove current leader.', { hint: `transfer leadership first: ozone admin scm transfer -n <another scmUuid>, then decommission ${peer.scmUuid}` });
      }
      const address = `${peer.host}:${peer.ratisPort}`;
      ctx.logger.warn('decommissioning SCM', { scmId: peer.scmUuid, address, by });
      // out of the ring first (a ring of two needs the member's vote to remove it), then its certificates
      // revoked; meanwhile this leader refuses its addScm, and a decommission run again finishes the revocation
      ctx.leavingMembers.add(peer.scmUuid);
      try {
        await ctx.replicator.removePeer(peer.scmUuid, { signal: rpc.signal });
        if (ctx.certificates) await ctx.certificates.revokeScm(peer.scmUuid, reason, by, { signal: rpc.signal });
      } finally {
        ctx.leavingMembers.delete(peer.scmUuid);
      }
      return { removed: peer.scmUuid, address };
    }),
    createJoinToken: leaderOnly(ctx, async (req, rpc) => tokens().create(req, who(rpc.identity, rpc.remote), { signal: rpc.signal })),
    listJoinTokens: leaderOnly(ctx, async () => tokens().list()),
    revokeJoinToken: leaderOnly(ctx, async ({ id }, rpc) => {
      await tokens().revoke(id, who(rpc.identity, rpc.remote), { signal: rpc.signal });
      return { id, revoked: true };
    }),
    listCertificates: leaderOnly(ctx, async ({ role }) => certificates().list(role)),
    revokeCertificate: leaderOnly(ctx, async ({ serial, reason }, rpc) => {
      await certificates().revoke(serial, reason ?? 'revoked by an administrator', who(rpc.identity, rpc.remote), { signal: rpc.signal });
      return { serial, revoked: true };
    }),
    // operator listings (operator-queries.ts): leader-only as Ozone's SCMClientProtocolServer
    queryNodes: leaderOnly(ctx, async () => queryNodes(ctx)),
    listPipelines: leaderOnly(ctx, async () => listPipelines(ctx)),
    listContainerPage: leaderOnly(ctx, async (q) => listContainerPage(ctx, q)),
    getContainerWithReplicas: leaderOnly(ctx, async ({ containerID }) => containerWithReplicas(ctx, containerID)),
    finalizeScmUpgrade: leaderOnly(ctx, async () => finalizationStatus()),
    queryUpgradeFinalizationProgress: leaderOnly(ctx, async () => finalizationStatus()),
  };
}
