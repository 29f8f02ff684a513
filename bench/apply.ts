/**
 * bench:apply — `scmctl apply` end to end on real sshd hosts (127.0.1.x:22, needs root like the e2e tests),
 * run through the built CLI exactly as an operator would: a fresh apply (runtime install, files, init,
 * bootstrap, start), `plan` on the applied cluster, and a no-op re-apply, on 3 and on 30 hosts (3 SCM hosts,
 * the rest OM/datanode hosts that only get their ozone-site.xml).
 *
 *   npm run bench:apply                          # 3 and 30 hosts, a Raft ring of 3 SCMs
 *   BENCH_APPLY_HOSTS=3 npm run bench:apply      # one size only
 *   BENCH_APPLY_RATIS=0 npm run bench:apply      # one standalone SCM instead of the ring
 *
 * The first `plan` makes the runtime bundle (cold cache); everything after reuses it from the cache, as on an
 * operator machine after its first run. Every SCM started is stopped at the end.
 */
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logDirsUnder, removeTree, scmctl, stopDaemons, writeSshTopology, type Run } from '../test/support/apply-e2e.js';
import { startSshdHosts } from '../test/support/sshd-hosts.js';

const out = (line: string): void => void process.stdout.write(`${line}\n`);
let firstSize = 0;

async function timed(args: string[], env: NodeJS.ProcessEnv, expect: number): Promise<[Run, number]> {
  const t = performance.now();
  const r = await scmctl(args, env, 900_000);
  const ms = performance.now() - t;
  if (r.status !== expect) throw new Error(`scmctl ${args.join(' ')} exited ${r.status}, expected ${expect}:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  return [r, ms];
}

async function benchSize(count: number, ratis: boolean, cacheDir: string): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), `scmctl-bench-apply-${count}-`));
  chmodSync(root, 0o755); // the hosts' login user walks through it
  const t0 = performance.now();
  const hosts = await startSshdHosts({ count, users: true });
  out(`\n${count} sshd hosts started in ${(performance.now() - t0).toFixed(0)} ms (${ratis ? '3 SCMs in a Raft ring' : '1 standalone SCM'}, ${count - (ratis ? 3 : 1)} config-only hosts)`);
  try {
    const env = { SCMCTL_STATE_DIR: join(root, 'state'), SCMCTL_CACHE_DIR: cacheDir };
    const file = writeSshTopology(hosts, { name: `bench-${count}`, root: join(root, 'cluster'), scms: ratis ? 3 : 1, ratis });
    const [, planCold] = await timed(['plan', file], env, 2);
    out(`plan on fresh hosts:         ${(planCold / 1000).toFixed(2)} s${count === firstSize ? ' (cold: includes making the runtime bundle)' : ''}`);
    const [, planFresh] = await timed(['plan', file], env, 2);
    out(`plan on fresh hosts again:   ${(planFresh / 1000).toFixed(2)} s (bundle from the cache)`);
    const [fresh, applyMs] = await timed(['apply', file, '--yes'], env, 0);
    const tasks = /Apply complete: (\d+) tasks/.exec(fresh.stdout)?.[1] ?? '?';
    out(`fresh apply:                 ${(applyMs / 1000).toFixed(2)} s (${tasks} tasks)`);
    const [, planMs] = await timed(['plan', file], env, 0);
    out(`plan on the applied cluster: ${(planMs / 1000).toFixed(2)} s (No changes)`);
    const [noop, noopMs] = await timed(['apply', file, '--yes'], env, 0);
    if (!noop.stdout.includes('No changes.')) throw new Error('the re-apply was not a no-op');
    out(`no-op re-apply:              ${(noopMs / 1000).toFixed(2)} s`);
    const [, statusMs] = await timed(['status', file], env, 0);
    out(`status:                      ${(statusMs / 1000).toFixed(2)} s`);
  } finally {
    await stopDaemons(logDirsUnder(join(root, 'cluster')));
    await hosts.stop();
    removeTree(root);
  }
}

async function main(): Promise<void> {
  const sizes = process.env['BENCH_APPLY_HOSTS'] ? [Number(process.env['BENCH_APPLY_HOSTS'])] : [3, 30];
  const ratis = process.env['BENCH_APPLY_RATIS'] !== '0';
  const cacheDir = mkdtempSync(join(tmpdir(), 'scmctl-bench-apply-cache-'));
  try {
    firstSize = sizes[0]!;
    for (const n of sizes) await benchSize(n, ratis, cacheDir);
  } finally {
    removeTree(cacheDir);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:apply failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
