/**
 * The cluster lock: one lock file per host (`<host config>/.scmctl-apply.lock`, plan.hosts[].lockPath) holding
 * `{id, owner, hostname, pid, startedAt, cluster}` as JSON. Created atomically: the content is written to a
 * temp file which is then hard-linked to the lock path (`ln` fails if it exists), so a lock is either absent
 * or complete. An apply takes the lock on every host of the topology before changing anything; if any host
 * is held by someone else it gives back what it took and fails with APPLY_LOCKED naming the holder's id.
 * Two applies racing can both fail; they can never both hold the cluster.
 *
 * Resuming: an apply of the same operator machine whose process is gone (SIGKILL, power loss) left its lock;
 * the next apply that resumes its journal takes the lock over when the id matches (`takeOverId`).
 * `scmctl unlock LOCK_ID FILE` removes a lock by id, never one with another id.
 */
import { randomBytes } from 'node:crypto';
import type { RemoteHost } from '../hosts/remote-host.js';
import { sh } from '../hosts/shell-quote.js';
import { ApplyError } from './apply-error.js';
import { tail } from './scm-ops.js';

export interface LockInfo {
  readonly id: string;
  /** user@machine of the operator */
  readonly owner: string;
  readonly hostname: string;
  readonly pid: number;
  readonly startedAt: string;
  readonly cluster: string;
}

export interface LockTarget {
  readonly name: string;
  readonly lockPath: string;
  readonly sudo: boolean;
}

export interface LockHosts {
  get(name: string, ctx?: { signal?: AbortSignal }): Promise<RemoteHost>;
}

export function newLockId(): string {
  return randomBytes(6).toString('hex');
}

export function parseLock(text: string): LockInfo | null {
  try {
    const o = JSON.parse(text) as Partial<LockInfo>;
    return typeof o.id === 'string' ? ({ owner: '?', hostname: '?', pid: 0, startedAt: '?', cluster: '?', ...o } as LockInfo) : null;
  } catch {
    return null;
  }
}

function describeLock(l: LockInfo | null, raw: string): string {
  return l ? `lock ${l.id} held by ${l.owner} (pid ${l.pid}, since ${l.startedAt})` : `an unreadable lock (${raw.trim().slice(0, 80)})`;
}

type Taken = { readonly taken: true } | { readonly taken: false; readonly holder: LockInfo | null; readonly raw: string };

async function tryLock(h: RemoteHost, t: LockTarget, info: LockInfo, takeOverId: string | undefined, signal?: AbortSignal): Promise<Taken> {
  const opts = { ...(t.sudo ? { sudo: true } : {}), ...(signal ? { signal } : {}) };
  const dir = t.lockPath.slice(0, t.lockPath.lastIndexOf('/')) || '/';
  const tmp = `${t.lockPath}.${randomBytes(4).toString('hex')}.tmp`;
  const body = `${JSON.stringify(info)}\n`;
  const r = await h.exec(
    sh`set -e
umask 022
mkdir -p -- ${dir}
cat > ${tmp}
if ln -- ${tmp} ${t.lockPath} 2>/dev/null; then rm -f -- ${tmp}; echo acquired; exit 0; fi
rm -f -- ${tmp}
cat -- ${t.lockPath}
exit 3`,
    { ...opts, stdin: body },
  );
  if (r.exitCode === 0) return { taken: true };
  if (r.exitCode !== 3) throw new ApplyError('APPLY_STATE_FAILED', `cannot create the apply lock ${t.lockPath}: ${tail(r, 3)}`, { host: t.name });
  const holder = parseLock(r.stdout);
  if (holder && takeOverId !== undefined && holder.id === takeOverId) {
    await h.writeFileAtomic(t.lockPath, body, { mode: 0o644, ...opts });
    return { taken: true };
  }
  return { taken: false, holder, raw: r.stdout };
}

export async function readLock(h: RemoteHost, t: LockTarget, signal?: AbortSignal): Promise<{ info: LockInfo | null; raw: string } | null> {
  const raw = await h.readFile(t.lockPath, { ...(t.sudo ? { sudo: true } : {}), ...(signal ? { signal } : {}) });
  if (raw === null) return null;
  return { info: parseLock(raw.toString('utf8')), raw: raw.toString('utf8') };
}

/** Removes the lock on one host if (and only if) it carries `id`. Returns whether it removed it. */
export async function removeLock(h: RemoteHost, t: LockTarget, id: string, signal?: AbortSignal): Promise<boolean> {
  const cur = await readLock(h, t, signal);
  if (!cur || cur.info?.id !== id) return false;
  const r = await h.exec(sh`rm -f -- ${t.lockPath}`, { ...(t.sudo ? { sudo: true } : {}), ...(signal ? { signal } : {}) });
  if (r.exitCode !== 0) throw new ApplyError('APPLY_STATE_FAILED', `cannot remove ${t.lockPath}: ${tail(r, 2)}`, { host: t.name });
  return true;
}

/**
 * Takes the lock on every target (in parallel). On any refusal or error, releases the locks it took and
 * throws (APPLY_LOCKED names the first holder; other errors pass through).
 */
export async function acquireClusterLock(
  hosts: LockHosts,
  targets: readonly LockTarget[],
  info: LockInfo,
  options: { takeOverId?: string; signal?: AbortSignal } = {},
): Promise<void> {
  const results = await Promise.allSettled(
    targets.map(async (t) => ({ t, r: await tryLock(await hosts.get(t.name, options.signal ? { signal: options.signal } : {}), t, info, options.takeOverId, options.signal) })),
  );
  const taken = results.flatMap((x) => (x.status === 'fulfilled' && x.value.r.taken ? [x.value.t] : []));
  const refused = results.flatMap((x) => (x.status === 'fulfilled' && !x.value.r.taken ? [x.value] : []));
  const failed = results.flatMap((x) => (x.status === 'rejected' ? [x.reason as unknown] : []));
  if (refused.length === 0 && failed.length === 0) return;
  await releaseClusterLock(hosts, taken, info.id).catch(() => undefined);
  if (refused.length > 0) {
    const first = refused[0]!;
    const r = first.r as Extract<Taken, { taken: false }>;
    const id = r.holder?.id ?? 'UNKNOWN';
    throw new ApplyError('APPLY_LOCKED', `another apply holds the cluster: ${describeLock(r.holder, r.raw)}${refused.length > 1 ? ` (and ${refused.length - 1} more host${refused.length > 2 ? 's' : ''})` : ''}`, {
      host: first.t.name,
      hint: `wait for it to finish; if that apply is gone for good, run \`scmctl unlock ${id} FILE\``,
    });
  }
  throw failed[0];
}

/** Removes our lock (by id) from every target; hosts whose lock carries another id are left alone. */
export async function releaseClusterLock(hosts: LockHosts, targets: readonly LockTarget[], id: string, signal?: AbortSignal): Promise<string[]> {
  const removed = await Promise.all(
    targets.map(async (t) => ((await removeLock(await hosts.get(t.name, signal ? { signal } : {}), t, id, signal)) ? t.name : null)),
  );
  return removed.filter((x): x is string => x !== null);
}
