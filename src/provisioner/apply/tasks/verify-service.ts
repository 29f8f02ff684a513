/**
 * `verify-service`: one clusterID in every VERSION, every node running, one LEADER and every node a voter.
 * The first two are read once; the ring, when every node runs, is waited for (isWhole, within the start
 * timeout): a member briefly UNREACHABLE in the leader's view right after a rolling restart is not a failure.
 */
import type { Task } from '../../plan/plan-model.js';
import { ApplyError } from '../apply-error.js';
import { DAEMON_STATUS } from '../scm-commands.js';
import { isWhole, type TaskContext } from '../task-context.js';

export async function runVerifyService(t: Extract<Task, { kind: 'verify-service' }>, ctx: TaskContext, progress: (m: string) => void): Promise<string> {
  const list = t.nodes.map((k) => ctx.node(k));
  const problems: string[] = [];
  const ids = new Map<string, string[]>();
  for (const n of list) {
    const o = await ctx.ops(n.key);
    const v = await o.version(ctx.sig);
    if (!v?.clusterId) problems.push(`${n.nodeId} has no VERSION`);
    else ids.set(v.clusterId, [...(ids.get(v.clusterId) ?? []), n.nodeId]);
    const st = await o.ozone(DAEMON_STATUS, { ...ctx.sig, timeoutMs: ctx.plan.timeouts.commandMs });
    if (st.exitCode !== 0) problems.push(`${n.nodeId} is not running`);
  }
  if (ids.size > 1) problems.push(`clusterIDs differ: ${[...ids.entries()].map(([id, ns]) => `${id} (${ns.join(', ')})`).join(', ')}`);
  let ringText = 'ring not read';
  if (problems.length === 0) {
    // every node runs: the ring is given until the start timeout to be whole, since a follower the leader has
    // not heard from for a moment (UNREACHABLE in its roles) right after a restart is not a broken ring
    try {
      ringText = await ctx.waitRing(list, isWhole, progress);
    } catch (err) {
      if (ctx.signal?.aborted) throw err;
      problems.push(err instanceof Error ? err.message : String(err));
    }
  } else {
    let ringOk = false;
    for (const via of list) {
      const r = await ctx.readRing(via);
      if ('error' in r) {
        ringText = r.error;
        continue;
      }
      ringText = ctx.describe(r.health);
      ringOk = isWhole.holds(r.health);
      break;
    }
    if (!ringOk) problems.push(ringText);
  }
  if (problems.length > 0) {
    throw new ApplyError('APPLY_VERIFY_FAILED', `service ${t.serviceId}: ${problems.join('; ')}`, {
      host: t.host,
      hint: 'run `scmctl status FILE` to see every node; apply again once the cause is fixed',
    });
  }
  return `clusterID ${[...ids.keys()][0]}; ${ringText}`;
}
