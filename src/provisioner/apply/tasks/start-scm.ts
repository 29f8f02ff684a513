/**
 * `start-scm`: start the node, then its gate — `leader`: it is the ring's only LEADER; `member`: one LEADER
 * and it a voter; `none`: nothing (a later wait-ring checks). The restart marker goes only after the gate.
 */
import type { Task } from '../../plan/plan-model.js';
import { hasMembers, leads, type TaskContext } from '../task-context.js';

export async function runStartScm(t: Extract<Task, { kind: 'start-scm' }>, ctx: TaskContext, progress: (m: string) => void): Promise<string> {
  const n = ctx.node(t.node);
  await ctx.startScm(n, progress);
  const detail = t.gate === 'none' ? 'started' : await ctx.waitRing([n], t.gate === 'leader' ? leads(n.key) : hasMembers([n.key]), progress);
  await (await ctx.ops(n.key)).clearRestartMarker(ctx.sig);
  return detail;
}
