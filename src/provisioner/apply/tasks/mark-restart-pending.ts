/** `mark-restart-pending`: the durable restart marker in the node's config directory (removed after its restart's gate). */
import type { Task } from '../../plan/plan-model.js';
import type { TaskContext } from '../task-context.js';

export async function runMarkRestartPending(t: Extract<Task, { kind: 'mark-restart-pending' }>, ctx: TaskContext): Promise<undefined> {
  const h = await ctx.host(t.host);
  await h.writeFileAtomic(t.marker, `${t.reason}\n`, { mode: 0o644, ...(t.sudo ? { sudo: true } : {}), ...ctx.sig });
  return undefined;
}
