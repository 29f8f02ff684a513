/** `stop-scm`: `ozone --daemon stop scm` (a no-op when it is not running). */
import type { Task } from '../../plan/plan-model.js';
import { DAEMON_STOP } from '../scm-commands.js';
import type { TaskContext } from '../task-context.js';

export async function runStopScm(t: Extract<Task, { kind: 'stop-scm' }>, ctx: TaskContext, progress: (m: string) => void): Promise<string> {
  progress('ozone --daemon stop scm');
  await (await ctx.ops(t.node)).ozoneOk(DAEMON_STOP, 'APPLY_SCM_STOP_FAILED', 'ozone --daemon stop scm', { ...ctx.sig, timeoutMs: 120_000 });
  return 'stopped';
}
