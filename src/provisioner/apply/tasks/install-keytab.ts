/**
 * `install-keytab`: the host's Kerberos keytab from the operator machine, written atomically with mode
 * 0400 and its owner set before it is renamed into place (umask 077 throughout). The file is read when the
 * task runs and must still be the one planned (sha256); its bytes travel on the command's stdin only —
 * never in argv, the plan, an event or a log.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Task } from '../../plan/plan-model.js';
import { ApplyError } from '../apply-error.js';
import type { TaskContext } from '../task-context.js';

export async function runInstallKeytab(t: Extract<Task, { kind: 'install-keytab' }>, ctx: TaskContext): Promise<string | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(t.source);
  } catch (err) {
    throw new ApplyError('APPLY_KEYTAB_CHANGED', `cannot read the keytab ${t.source}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { host: t.host, hint: 'put the keytab back, or plan again' });
  }
  if (createHash('sha256').update(bytes).digest('hex') !== t.sha256) {
    throw new ApplyError('APPLY_KEYTAB_CHANGED', `the keytab ${t.source} changed since the plan was made`, { host: t.host, hint: 'plan again (scmctl plan), then apply' });
  }
  const h = await ctx.host(t.host);
  await h.writeFileAtomic(t.path, bytes, { mode: 0o400, ...(t.owner ? { owner: t.owner } : {}), ...(t.sudo ? { sudo: true } : {}), ...ctx.sig });
  bytes.fill(0);
  return `${t.path} (0400${t.owner ? `, ${t.owner}` : ''})`;
}
