/**
 * `decommission-scm`: removes a ring member the topology does not declare, through a declared node (`via`):
 * idempotent (a member that is gone already is done), leadership first moved to a declared member when the
 * stranger leads (Ozone refuses to remove the current leader), then `ozone admin scm decommission --nodeid`
 * (on a secure cluster this also revokes the member's certificates), then a wait until the ring no longer
 * lists it.
 */
import type { Task } from '../../plan/plan-model.js';
import { peerOf } from '../../plan/ring-view.js';
import { ApplyError } from '../apply-error.js';
import { decommissionArgs, transferArgs } from '../scm-commands.js';
import type { TaskContext } from '../task-context.js';

export async function runDecommissionScm(t: Extract<Task, { kind: 'decommission-scm' }>, ctx: TaskContext, progress: (m: string) => void): Promise<string> {
  const via = ctx.node(t.via);
  const sig = ctx.signal ? { signal: ctx.signal } : {};
  const ring = await ctx.readRing(via);
  if ('error' in ring) throw new ApplyError('APPLY_DECOMMISSION_FAILED', `cannot read the ring of ${t.serviceId} through ${via.key}: ${ring.error}`, { host: via.host });
  const member = ring.peers.find((p) => p.id === t.scmUuid);
  if (!member) return `${t.scmUuid} is not in the ring (any more)`;
  const o = await ctx.ops(t.via);
  if (member.role.toUpperCase() === 'LEADER') {
    // a declared voter takes over
    const newLeader = ring.health.members
      .map((k) => ctx.node(k))
      .map((n) => peerOf({ key: n.key, address: n.address, ratisPort: n.ratisPort }, ring.peers))
      .find((p) => p?.id && p.id !== t.scmUuid)?.id;
    if (!newLeader) throw new ApplyError('APPLY_DECOMMISSION_FAILED', `${t.scmUuid} leads ${t.serviceId} and no declared member can take over`, { host: via.host });
    progress(`${t.scmUuid} leads: transferring leadership to ${newLeader} first`);
    await o.ozoneOk(transferArgs(newLeader), 'APPLY_TRANSFER_FAILED', 'ozone admin scm transfer', { ...sig, timeoutMs: ctx.plan.timeouts.commandMs });
  }
  progress(`ozone admin scm decommission --nodeid ${t.scmUuid}`);
  await o.ozoneOk(decommissionArgs(t.scmUuid), 'APPLY_DECOMMISSION_FAILED', 'ozone admin scm decommission', { ...sig, timeoutMs: ctx.plan.timeouts.commandMs });
  return ctx.waitFor(`${t.scmUuid} leaving the ring of ${t.serviceId}`, via.host, async () => {
    const r = await ctx.readRing(via);
    if ('error' in r) return { done: false, detail: r.error };
    return { done: !r.peers.some((p) => p.id === t.scmUuid) && r.health.leaderCount === 1, detail: ctx.describe(r.health) };
  }, progress);
}
