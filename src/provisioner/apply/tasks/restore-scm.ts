/**
 * `restore-scm`: the backup archive uploaded to the node's db directory, its sha256 checked there, unpacked
 * next to it, `scm.db` moved into place (anything already there is moved aside, not deleted) and VERSION
 * written last — same clusterID, a new scmUuid, without scmHA/primaryScmNodeId/scmCertSerialId — so the
 * SCM's first start turns the restored data into a one-node ring that the others then join. Idempotent: a
 * node whose VERSION already holds the backup's clusterID is done; another clusterID is refused.
 */
import { randomUUID } from 'node:crypto';
import { posix } from 'node:path';
import { sh } from '../../hosts/shell-quote.js';
import type { Task } from '../../plan/plan-model.js';
import { ApplyError } from '../apply-error.js';
import { compactUtc } from '../scm-backup.js';
import { DAEMON_STATUS } from '../scm-commands.js';
import { tail } from '../scm-ops.js';
import type { TaskContext } from '../task-context.js';

const DROPPED = /^(scmHA|primaryScmNodeId|scmCertSerialId)=/;

/** The backed-up VERSION for a new SCM of the same cluster. */
export function restoredVersion(text: string, clusterId: string, scmUuid: string): string {
  const lines = text.split('\n').filter((l) => !DROPPED.test(l));
  const cid = lines.find((l) => l.startsWith('clusterID='));
  if (cid !== `clusterID=${clusterId}`) throw new ApplyError('APPLY_RESTORE_FAILED', `the backup's VERSION says ${cid ?? 'no clusterID'}, its manifest ${clusterId}`, { hint: 'the backup is inconsistent: use another one' });
  const out = lines.map((l) => (l.startsWith('scmUuid=') ? `scmUuid=${scmUuid}` : l));
  return `${out.join('\n').replace(/\n*$/, '')}\n`;
}

export async function runRestoreScm(t: Extract<Task, { kind: 'restore-scm' }>, ctx: TaskContext, progress: (m: string) => void): Promise<string> {
  const n = ctx.node(t.node);
  const o = await ctx.ops(n.key);
  const v = await o.version(ctx.sig);
  if (v?.clusterId === t.clusterId) return `${n.key} already holds ${t.clusterId}`;
  if (v) throw new ApplyError('APPLY_RESTORE_FAILED', `${n.key} is initialised for ${v.clusterId}; refusing to restore ${t.clusterId} over it`, { host: n.host, hint: 'restore onto hosts without SCM data' });
  if ((await o.ozone(DAEMON_STATUS, { ...ctx.sig, timeoutMs: ctx.plan.timeouts.commandMs })).exitCode === 0) {
    throw new ApplyError('APPLY_RESTORE_FAILED', `${n.key} is running; refusing to restore under a running SCM`, { host: n.host, hint: 'stop it first' });
  }
  const h = await ctx.host(n.host);
  const sudo = t.sudo ? { sudo: true } : {};
  const staging = posix.join(n.dbDir, 'scmctl-restore');
  const tarball = `${staging}.tar.gz`;
  const run = async (script: ReturnType<typeof sh>, what: string): Promise<string> => {
    const r = await h.exec(script, { ...sudo, ...ctx.sig, timeoutMs: 3_600_000 });
    if (r.exitCode !== 0) throw new ApplyError('APPLY_RESTORE_FAILED', `${what} failed: ${tail(r, 3)}`, { host: n.host, hint: `check free space and permissions in ${n.dbDir}` });
    return r.stdout;
  };
  await run(sh`umask 077 && mkdir -p -- ${n.dbDir} && rm -rf -- ${staging} ${tarball}`, 'preparing the db directory');
  progress(`uploading ${posix.basename(t.archive)}`);
  await h.upload(t.archive, tarball, { mode: 0o600, ...sudo, ...ctx.sig });
  const sum = await run(sh`sha256sum -- ${tarball}`, 'sha256sum');
  if (!sum.startsWith(t.sha256)) throw new ApplyError('APPLY_RESTORE_FAILED', `the archive arrived damaged on ${n.host} (sha256 ${sum.slice(0, 64)}, expected ${t.sha256})`, { host: n.host, hint: 'run the restore again' });
  progress('unpacking scm.db');
  const aside = `${posix.join(n.dbDir, 'scm.db')}.restore-aside-${compactUtc(ctx.clock.wallTime())}`;
  await run(
    sh`set -e; umask 077; mkdir -p -- ${staging}; tar -C ${staging} -xzf ${tarball}; test -d ${posix.join(staging, 'scm.db')}; test -f ${posix.join(staging, 'VERSION')}; if [ -e ${posix.join(n.dbDir, 'scm.db')} ]; then mv -- ${posix.join(n.dbDir, 'scm.db')} ${aside}; fi; mv -- ${posix.join(staging, 'scm.db')} ${posix.join(n.dbDir, 'scm.db')}; mkdir -p -- ${posix.join(n.dbDir, 'scm', 'current')}`,
    'unpacking the backup',
  );
  const backed = await h.readFile(posix.join(staging, 'VERSION'), { ...sudo, ...ctx.sig });
  if (!backed) throw new ApplyError('APPLY_RESTORE_FAILED', 'the backup holds no VERSION', { host: n.host });
  const scmUuid = randomUUID();
  await h.writeFileAtomic(posix.join(n.dbDir, 'scm', 'current', 'VERSION'), restoredVersion(backed.toString('utf8'), t.clusterId, scmUuid), { mode: 0o600, ...sudo, ...ctx.sig });
  await run(sh`rm -rf -- ${staging} ${tarball}`, 'removing the unpacked copy');
  return `scm.db of ${t.clusterId} in place; new scmUuid ${scmUuid}`;
}
