/**
 * Where scmctl keeps its own files on the operator machine: the state directory (apply journals) and the
 * cache directory (runtime bundles made from this package). Environment first, then XDG, then HOME.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';

type Env = Readonly<Record<string, string | undefined>>;

export function stateDir(env: Env): string {
  return env['SCMCTL_STATE_DIR'] || join(env['XDG_STATE_HOME'] || join(env['HOME'] || '/tmp', '.local', 'state'), 'scmctl');
}

export function cacheDir(env: Env): string {
  return env['SCMCTL_CACHE_DIR'] || join(env['XDG_CACHE_HOME'] || join(env['HOME'] || '/tmp', '.cache'), 'scmctl');
}

/** One journal per cluster: its name plus a hash of its hosts' addresses (two files named alike stay apart). */
export function journalPath(env: Env, cluster: string, addresses: readonly string[]): string {
  const id = createHash('sha256').update([...addresses].sort().join('\n')).digest('hex').slice(0, 8);
  return join(stateDir(env), 'journal', `${cluster.replace(/[^A-Za-z0-9._-]/g, '_')}-${id}.ndjson`);
}
