/**
 * `restart-scm`: a node of a ring of several stops only when the ring is whole (the others keep the
 * majority while it is down); a leader hands leadership to a voter first and the new leader is awaited; then
 * stop, start and the `member` gate (`leader` for a one-node ring). The restart marker goes after the gate.
 * The new leader is a member out of safe mode when there is one (`ozone admin safemode status --scm`): a
 * leader in safe mode refuses every allocation (an SCM the datanodes do not know yet stays in it).
 */
import type { Task } from '../../plan/plan-model.js';
import { ratisAddress } from '../../plan/ring-view.js';
import type { PlanNode } from '../../plan/plan-model.js';
import { DAEMON_STOP, outOfSafeMode, safeModeStatusArgs, transferArgs } from '../scm-commands.js';
import type { ScmOps } from '../scm-ops.js';
import { hasMembers, isWhole, leads, ledByOtherThan, type TaskContext } from '../task-context.js';

export async function runRestartScm(t: Extract<Task, { kind: 'restart-scm' }>, ctx: TaskContext, progress: (m: string) => void): Promise<string> {
  const n = ctx.node(t.node);
  const o = await ctx.ops(n.key);
  const peers = ctx.serviceNodes(n.serviceId);
  if (peers.length > 1) {
    await ctx.waitRing([n], isWhole, progress, `the ring of ${n.serviceId} being whole before ${n.nodeId} restarts`);
    const ring = await ctx.readRing(n);
    if (!('error' in ring) && ring.health.leader === n.key) {
      const target = await transferTarget(peers.filter((p) => p.key !== n.key && ring.health.members.includes(p.key)), o, ctx);
      const targetPeer = target ? ring.peers.find((p) => p.address === ratisAddress(target.address, target.ratisPort)) : undefined;
      if (target) {
        progress(`transferring leadership from ${n.nodeId} to ${target.nodeId}`);
        await o.ozoneOk(transferArgs(targetPeer?.id ?? target.nodeId), 'APPLY_TRANSFER_FAILED', 'ozone admin scm transfer', { ...ctx.sig, timeoutMs: ctx.plan.timeouts.commandMs });
        await ctx.waitRing([target], ledByOtherThan(n.key), progress);
      }
    }
  }
  progress('ozone --daemon stop scm');
  await o.ozoneOk(DAEMON_STOP, 'APPLY_SCM_STOP_FAILED', 'ozone --daemon stop scm', { ...ctx.sig, timeoutMs: 120_000 });
  await ctx.startScm(n, progress);
  const detail = await ctx.waitRing([n], peers.length > 1 ? hasMembers([n.key]) : leads(n.key), progress);
  await o.clearRestartMarker(ctx.sig);
  return detail;
}

/** the first candidate out of safe mode, else the first candidate (safe mode cannot be read: older releases) */
async function transferTarget(candidates: readonly PlanNode[], o: ScmOps, ctx: TaskContext): Promise<PlanNode | undefined> {
  for (const c of candidates) {
    if (c.clientPort === undefined) break;
    const r = await o.ozone(safeModeStatusArgs(c.address, c.clientPort), { ...ctx.sig, timeoutMs: ctx.plan.timeouts.commandMs });
    if (r.exitCode === 0 && outOfSafeMode(r.stdout)) return c;
  }
  return candidates[0];
}
