/** Status and role views of a running SCM, shared by the client protocol, /status and /prom. */
import type { ScmContext } from './scm-context.js';
import { formatPeerRole, toPeerRole, type PeerRole } from './roles.js';

export async function peerRoles(ctx: ScmContext): Promise<{ roles: PeerRole[]; lines: string[] }> {
  const status = ctx.replicator.status();
  const roles: PeerRole[] = [];
  for (const p of status.peers) {
    const ip = p.scmUuid === ctx.version.scmUuid ? ctx.config.local.ip : (await ctx.locality.check(p.host)).ip;
    roles.push(toPeerRole(p, ip));
  }
  return { roles, lines: roles.map(formatPeerRole) };
}

function countBy<T>(items: Iterable<T>, key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[key(i)] = (out[key(i)] ?? 0) + 1;
  return out;
}

export function scmStatus(ctx: ScmContext): Record<string, unknown> {
  const r = ctx.replicator.status();
  const state = ctx.stateStore.snapshotState;
  return {
    scmUuid: ctx.version.scmUuid,
    clusterId: ctx.version.clusterId,
    serviceId: ctx.config.local.serviceId ?? null,
    nodeId: ctx.config.local.self.nodeId,
    host: ctx.config.local.self.host,
    mode: r.mode,
    role: r.role,
    leaderReady: ctx.replicator.isLeaderReady(),
    term: r.term,
    leader: r.leader ?? null,
    commitIndex: r.commitIndex,
    appliedIndex: r.appliedIndex,
    ring: r.peers.map((p) => ({ nodeId: p.nodeId ?? null, scmUuid: p.scmUuid, address: `${p.host}:${p.ratisPort}`, role: p.role, self: p.scmUuid === ctx.version.scmUuid })),
    ...(r.raft ? { raft: r.raft } : {}),
    containers: countBy(state.containers.values(), (c) => c.state),
    pipelines: countBy(state.pipelines.values(), (p) => p.state),
    datanodes: ctx.nodes.counts(),
    safeMode: { inSafeMode: ctx.safeMode.inSafeMode(), preCheckComplete: ctx.safeMode.preCheckComplete() },
    sequenceIds: Object.fromEntries(state.sequences),
  };
}
