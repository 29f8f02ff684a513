/** `write-file`: one rendered file, atomically; a file that is not scmctl's is kept beside it first. */
import type { Task } from '../../plan/plan-model.js';
import type { TaskContext } from '../task-context.js';

export async function runWriteFile(t: Extract<Task, { kind: 'write-file' }>, ctx: TaskContext): Promise<string | undefined> {
  const h = await ctx.host(t.host);
  const r = await h.writeFileAtomic(t.path, t.content, { mode: t.mode, ...(t.sudo ? { sudo: true } : {}), ...(t.backupSuffix ? { backupSuffix: t.backupSuffix } : {}), ...ctx.sig });
  return r.backupPath ? `previous file kept at ${r.backupPath}` : undefined;
}
