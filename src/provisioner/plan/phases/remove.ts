/**
 * Phase `remove` (apply): ring members that are none of the topology's nodes are decommissioned (secure:
 * their certificates are revoked with it), dead members first. Each removal needs a live majority of the
 * ring as it is then; a removal that could not commit is refused (PLAN_WOULD_LOSE_QUORUM) before anything
 * changes.
 */
import type { RolePeer } from '../../facts/host-facts.js';
import type { ScmService } from '../../topology/model.js';
import { serviceRing } from '../dangerous-states.js';
import { describePeer, strangers } from '../ring-view.js';
import type { PhaseSpec, PlanContext } from './phase-context.js';

function planRemove(ctx: PlanContext): void {
  for (const s of ctx.topology.services) removeStrangers(ctx, s);
}

function removeStrangers(ctx: PlanContext, s: ScmService): void {
  const primordial = s.nodes.find((n) => n.nodeId === s.primordial.nodeId)!;
  const ring = serviceRing(s, ctx.facts);
  const declared = s.nodes.map((n) => ({ key: ctx.key(n), address: n.address, ratisPort: n.ports.ratis }));
  const declaredIds = new Set(s.nodes.map((n) => ctx.host(n.host)?.nodes[ctx.key(n)]?.scm.version?.scmUuid).filter((x): x is string => typeof x === 'string'));
  const leaving = (ring ? strangers(declared, ring, declaredIds) : []).filter((p): p is RolePeer & { id: string } => p.id !== null).sort((a, c) => Number(isAlive(a)) - Number(isAlive(c)));
  const lost = ring ? quorumLoss(ring, leaving) : null;
  if (lost) {
    ctx.problems.push({
      code: 'PLAN_WOULD_LOSE_QUORUM',
      hosts: [primordial.host],
      message: `service ${s.serviceId}: removing ${leaving.map(describePeer).join(', ')} would leave the ring without a live majority (${lost})`,
      hint: 'start the members that are down first (scmctl status shows them), or remove fewer members at a time',
    });
    return;
  }
  for (const p of leaving) {
    ctx.add({
      kind: 'decommission-scm',
      id: `decommission:${s.serviceId}:${p.id}`,
      title: `remove ${describePeer(p)} from ${s.serviceId}: in the ring, not in the topology (ozone admin scm decommission)`,
      host: primordial.host,
      serviceId: s.serviceId,
      scmUuid: p.id,
      address: p.address ?? p.host,
      via: ctx.key(primordial),
    });
  }
}

/** A member the leader reports alive (real Ozone prints every non-leader FOLLOWER, so it counts as alive). */
function isAlive(p: RolePeer): boolean {
  const r = p.role.toUpperCase();
  return r === 'LEADER' || r === 'FOLLOWER';
}

/**
 * Whether removing `leaving` one at a time, in order, keeps a live majority for every change (a change
 * commits only with a majority of the ring as it is when proposed). Returns why not, or null.
 */
function quorumLoss(ring: readonly RolePeer[], leaving: readonly RolePeer[]): string | null {
  let members = ring.filter((p) => p.role.toUpperCase() !== 'LEARNER').length;
  let alive = ring.filter(isAlive).length;
  for (const p of leaving) {
    const needed = Math.floor(members / 2) + 1;
    if (alive < needed) return `${alive} live of ${members} members before removing ${describePeer(p)}, ${needed} needed`;
    members--;
    if (isAlive(p)) alive--;
  }
  const needed = Math.floor(members / 2) + 1;
  if (leaving.length > 0 && members > 0 && alive < needed) return `${alive} live of ${members} members would remain, ${needed} needed`;
  return null;
}

export const removePhase = {
  id: 'remove',
  title: 'Remove SCMs the topology does not declare',
  mode: 'sequential',
  plan: planRemove,
} as const satisfies PhaseSpec;
