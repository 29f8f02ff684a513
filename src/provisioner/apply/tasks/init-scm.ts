/**
 * `init-scm`: `ozone scm --init` on the primordial node. The plan saw no VERSION anywhere in the service;
 * every other node is checked again first (a second cluster must never be created).
 */
import type { Task } from '../../plan/plan-model.js';
import { ApplyError } from '../apply-error.js';
import { SCM_INIT } from '../scm-commands.js';
import type { TaskContext } from '../task-context.js';

export async function runInitScm(t: Extract<Task, { kind: 'init-scm' }>, ctx: TaskContext): Promise<string | undefined> {
  const n = ctx.node(t.node);
  for (const other of ctx.serviceNodes(n.serviceId).filter((x) => x.key !== n.key)) {
    const v = await (await ctx.ops(other.key)).version(ctx.sig);
    if (v) {
      throw new ApplyError('APPLY_SECOND_CLUSTER', `refusing to initialise ${n.key}: ${other.key} on ${other.host} is already initialised for ${v.clusterId}`, {
        host: n.host,
        hint: 'plan again: the cluster changed since the plan was made',
      });
    }
  }
  const r = await (await ctx.ops(n.key)).ozoneOk(SCM_INIT, 'APPLY_SCM_INIT_FAILED', 'ozone scm --init', { ...ctx.sig, timeoutMs: ctx.plan.timeouts.commandMs });
  const cid = /cid=(CID-[0-9a-fA-F-]+)/.exec(r.stdout)?.[1];
  return cid ? `clusterID ${cid}` : undefined;
}
