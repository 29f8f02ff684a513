/**
 * `set-aside-scm-data`: each of the node's data directories that is not empty is renamed to
 * `<dir>.<suffix>-<UTC time>` (same file system: a rename, nothing copied or deleted) and created again
 * empty with mode 0700. Idempotent: an empty or missing directory is only (re)created. The SCM must be
 * stopped (the task refuses a running one).
 */
import { sh } from '../../hosts/shell-quote.js';
import type { Task } from '../../plan/plan-model.js';
import { ApplyError } from '../apply-error.js';
import { compactUtc } from '../scm-backup.js';
import { DAEMON_STATUS } from '../scm-commands.js';
import { tail } from '../scm-ops.js';
import type { TaskContext } from '../task-context.js';

export async function runSetAsideScmData(t: Extract<Task, { kind: 'set-aside-scm-data' }>, ctx: TaskContext, progress: (m: string) => void): Promise<string> {
  const o = await ctx.ops(t.node);
  const st = await o.ozone(DAEMON_STATUS, { ...ctx.sig, timeoutMs: ctx.plan.timeouts.commandMs });
  if (st.exitCode === 0) throw new ApplyError('APPLY_SCM_RUNNING', `${t.node} is running; its data can only be set aside when it is stopped`, { host: t.host, hint: 'run the command again: it stops the SCM first' });
  const stamp = `${t.suffix}-${compactUtc(ctx.clock.wallTime())}`;
  progress(`moving ${t.paths.join(', ')} aside (.${stamp})`);
  const script = sh`set -e; umask 077; for d in ${t.paths}; do if [ -d "$d" ] && [ -n "$(ls -A -- "$d")" ]; then if [ -e "$d.${stamp}" ]; then echo "$d.${stamp} exists" >&2; exit 3; fi; mv -T -- "$d" "$d.${stamp}"; echo "$d.${stamp}"; fi; mkdir -p -m 0700 -- "$d"; done`;
  const r = await (await ctx.host(t.host)).exec(script, { ...(t.sudo ? { sudo: true } : {}), ...ctx.sig });
  if (r.exitCode !== 0) throw new ApplyError('APPLY_SET_ASIDE_FAILED', `moving the data of ${t.node} aside failed: ${tail(r, 3)}`, { host: t.host, hint: 'check the directories and their parent\'s permissions; nothing was deleted' });
  const moved = r.stdout.trim().split('\n').filter((l) => l !== '');
  return moved.length > 0 ? `kept as ${moved.join(', ')}` : 'nothing to set aside (already empty)';
}
