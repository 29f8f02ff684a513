/** `install-runtime`: the runtime bundle into `<installDir>/releases/<release>` and the `current` link. */
import type { Task } from '../../plan/plan-model.js';
import { ApplyError } from '../apply-error.js';
import type { TaskContext } from '../task-context.js';

export async function runInstallRuntime(t: Extract<Task, { kind: 'install-runtime' }>, ctx: TaskContext, progress: (m: string) => void): Promise<string> {
  const bundle = ctx.deps.bundle;
  if (!bundle || bundle.release !== t.release) {
    throw new ApplyError('APPLY_BUNDLE_MISMATCH', `the plan installs release ${t.release} but the runtime bundle is ${bundle?.release ?? 'missing'}`, {
      host: t.host,
      hint: 'give the bundle the plan was made with (--bundle FILE), or plan again',
    });
  }
  const r = await ctx.deps.install(await ctx.host(t.host), bundle, t.installDir, { ...(t.sudo ? { sudo: true } : {}), ...ctx.sig, onStep: (step) => progress(step) });
  return `${r.action} ${r.release}`;
}
