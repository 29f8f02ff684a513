/**
 * Phase `restart` (apply): running nodes whose config, runtime or keytab changes, or whose restart marker
 * is set, restarted one at a time: followers first, the leader last (the executor transfers leadership away
 * first), each gated on the ring. Nodes this plan starts are not restarted (their start reads the new
 * files). migrate runs these tasks as its `roll` phase (roll.ts).
 */
import type { ScmNode, ScmService } from '../../topology/model.js';
import { serviceRing } from '../dangerous-states.js';
import { peerOf } from '../ring-view.js';
import type { PhaseSpec, PlanContext } from './phase-context.js';

function planRestart(ctx: PlanContext): void {
  for (const s of ctx.topology.services) rollingRestart(ctx, s);
}

function rollingRestart(ctx: PlanContext, s: ScmService): void {
  const ring = serviceRing(s, ctx.facts);
  const due = s.nodes.filter((n) => ctx.running(n) && !ctx.started.has(ctx.key(n)) && (ctx.restartReasons(n) !== undefined || ctx.markerPresent(n)));
  const isLeader = (n: ScmNode): boolean => {
    const p = ring ? peerOf({ key: ctx.key(n), address: n.address, ratisPort: n.ports.ratis }, ring) : undefined;
    return p?.role.toUpperCase() === 'LEADER';
  };
  for (const n of [...due.filter((x) => !isLeader(x)), ...due.filter(isLeader)]) {
    const key = ctx.key(n);
    const why = [...(ctx.restartReasons(n) ?? new Set(['pending']))].join(' and ');
    ctx.add({
      kind: 'restart-scm',
      id: `restart:${n.host}:${key}`,
      title: `restart ${key} on ${n.host} (${why === 'pending' ? 'a restart is pending from an earlier apply' : `${why} changed`})${isLeader(n) && s.nodes.length !== 1 ? ', after transferring leadership' : ''}`,
      host: n.host,
      node: key,
      reason: why,
    });
  }
}

export const restartPhase = {
  id: 'restart',
  title: 'Rolling restart',
  mode: 'sequential',
  plan: planRestart,
} as const satisfies PhaseSpec;
