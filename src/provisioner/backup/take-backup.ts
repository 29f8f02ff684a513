/**
 * Takes a consistent copy of one running SCM's scm.db on its host and brings it here, without stopping it:
 * `ozone debug ldb … checkpoint` (the running SCM streams a consistent checkpoint of its database), its
 * VERSION beside it, the containers and term#index read from the copy, `tar czf` on the host, the archive
 * read back and its sha256 compared. The host's work directory (under the SCM's snapshot directory) is
 * scmctl's own temporary copy and is removed afterwards; the SCM's own directories are only read.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { Clock } from '../../common/clock.js';
import { containerScanArgs, parseContainerScan } from '../apply/container-scan.js';
import { compactUtc } from '../apply/scm-backup.js';
import { tail, type ScmOps } from '../apply/scm-ops.js';
import type { ExecResult } from '../hosts/remote-host.js';
import { sh } from '../hosts/shell-quote.js';
import { BackupError } from './backup-manifest.js';

export interface TakenBackup {
  readonly archive: Buffer;
  readonly sha256: string;
  readonly clusterId: string;
  readonly scmUuid: string | null;
  readonly raft: { readonly term: number; readonly index: number };
  readonly containerIds: readonly string[];
  readonly at: Date;
}

/** Largest archive brought back in memory (a checkpoint of 100,000 containers is a few MiB). */
const MAX_ARCHIVE_BYTES = 1024 * 1024 * 1024;

export async function takeBackup(ops: ScmOps, workParent: string, clock: Clock, o: { signal?: AbortSignal; timeoutMs: number; progress?: (m: string) => void }): Promise<TakenBackup> {
  const sig = o.signal ? { signal: o.signal } : {};
  const sudo = ops.node.sudo ? { sudo: true } : {};
  const fail = (what: string, r: ExecResult): never => {
    throw new BackupError('BACKUP_FAILED', `${what} on ${ops.node.host} failed (exit ${r.exitCode}): ${tail(r, 3)}`, { hint: `check free space in ${workParent} and that ${ops.node.key} runs` });
  };
  const version = await ops.version(sig);
  if (!version?.clusterId) throw new BackupError('BACKUP_NO_SOURCE', `${ops.node.key} has no VERSION: it holds no cluster to back up`);
  const at = clock.wallTime();
  const work = posix.join(workParent, `scmctl-backup-${compactUtc(at)}`);
  const archivePath = `${work}.tar.gz`;
  const mk = await ops.host.exec(sh`umask 077 && mkdir -p -- ${work}`, { ...sudo, ...sig });
  if (mk.exitCode !== 0) fail(`mkdir ${work}`, mk);
  try {
    o.progress?.(`ozone debug ldb checkpoint from ${ops.node.key}`);
    const cp = await ops.ozone(['debug', 'ldb', `--db=${posix.join(ops.node.dbDir, 'scm.db')}`, 'checkpoint', `--output=${posix.join(work, 'scm.db')}`], { ...sig, timeoutMs: o.timeoutMs });
    if (cp.exitCode !== 0) fail('ozone debug ldb checkpoint', cp);
    const v = await ops.host.exec(sh`cp -- ${posix.join(ops.node.dbDir, 'scm', 'current', 'VERSION')} ${posix.join(work, 'VERSION')}`, { ...sudo, ...sig });
    if (v.exitCode !== 0) fail('copying VERSION', v);
    const scan = await ops.ozone(containerScanArgs(work), { ...sig, timeoutMs: o.timeoutMs });
    const containers = scan.exitCode === 0 ? parseContainerScan(scan.stdout) : null;
    if (!containers) fail('reading the containers of the copy', scan);
    const tx = await ops.ozone(['debug', 'ldb', `--db=${posix.join(work, 'scm.db')}`, 'scan', '--column-family=scmTransactionInfos', '--compact'], { ...sig, timeoutMs: o.timeoutMs });
    const m = /"(\d+)#(\d+)"/.exec(tx.stdout);
    if (tx.exitCode !== 0 || !m) fail('reading the term#index of the copy', tx);
    o.progress?.('packing the copy');
    const tar = await ops.host.exec(sh`tar -C ${work} -czf ${archivePath} scm.db VERSION`, { ...sudo, ...sig, timeoutMs: o.timeoutMs });
    if (tar.exitCode !== 0) fail('tar', tar);
    o.progress?.('bringing the archive here');
    const archive = await ops.host.readFile(archivePath, { ...sudo, ...sig, maxBytes: MAX_ARCHIVE_BYTES });
    if (!archive) throw new BackupError('BACKUP_FAILED', `${archivePath} vanished on ${ops.node.host}`);
    const sum = await ops.host.exec(sh`sha256sum -- ${archivePath}`, { ...sudo, ...sig });
    const local = createHash('sha256').update(archive).digest('hex');
    if (sum.exitCode !== 0 || !sum.stdout.startsWith(local)) throw new BackupError('BACKUP_FAILED', `the archive read from ${ops.node.host} does not match its sha256 there`, { hint: 'run the backup again' });
    return { archive, sha256: local, clusterId: version.clusterId, scmUuid: version.scmUuid, raft: { term: Number(m![1]), index: Number(m![2]) }, containerIds: containers!.ids, at };
  } finally {
    await ops.host.exec(sh`rm -rf -- ${work} ${archivePath}`, { ...sudo }).catch(() => undefined);
  }
}
