/** `backup-scm`: a stopped node's directories archived on its host (scm-backup.ts), recorded by the caller. */
import type { Task } from '../../plan/plan-model.js';
import { formatBytes } from '../../../common/bytes.js';
import { backupScm } from '../scm-backup.js';
import type { TaskContext } from '../task-context.js';

export async function runBackupScm(t: Extract<Task, { kind: 'backup-scm' }>, ctx: TaskContext, progress: (m: string) => void): Promise<string> {
  const r = await backupScm(await ctx.ops(t.node), t, ctx.clock, ctx.signal, progress);
  ctx.deps.onBackup?.(r);
  return `${r.path} (${formatBytes(r.bytes)}; clusterID ${r.clusterId}; ${r.containers.length} container${r.containers.length === 1 ? '' : 's'})`;
}
