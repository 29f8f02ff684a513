/**
 * `create-directories`: data directories first, each with mode 0700 from its mkdir (no window with a wider
 * mode); parents and the other directories 0755; a directory that exists keeps its mode.
 */
import { sh, shJoin } from '../../hosts/shell-quote.js';
import type { Task } from '../../plan/plan-model.js';
import { ApplyError } from '../apply-error.js';
import { tail } from '../scm-ops.js';
import type { TaskContext } from '../task-context.js';

export async function runCreateDirectories(t: Extract<Task, { kind: 'create-directories' }>, ctx: TaskContext): Promise<undefined> {
  const h = await ctx.host(t.host);
  const open = t.paths.filter((d) => !t.privatePaths.includes(d));
  const mkdirs = [sh`umask 022`, ...(t.privatePaths.length > 0 ? [sh`mkdir -p -m 0700 -- ${t.privatePaths}`] : []), ...(open.length > 0 ? [sh`mkdir -p -- ${open}`] : [])];
  const r = await h.exec(shJoin(mkdirs, ' && '), { ...(t.sudo ? { sudo: true } : {}), ...ctx.sig });
  if (r.exitCode !== 0) throw new ApplyError('APPLY_DIRECTORY_FAILED', `mkdir failed: ${tail(r, 3)}`, { host: t.host, hint: 'check the directories\' parents and permissions (become.enabled for root-owned paths)' });
  return undefined;
}
