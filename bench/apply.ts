/**
 * bench:apply — `scmctl apply` end to end on real sshd hosts (127.0.1.x:22, needs root like the e2e tests),
 * run through the built CLI exactly as an operator would: a fresh apply (runtime install, files, init,
 * bootstrap, start), `plan` on the applied cluster, and a no-op re-apply, on 3 and on 30 hosts (3 SCM hosts,
 * the rest OM/datanode hosts that only get their ozone-site.xml).
 *
 *   npm run bench:apply                          # 3 and 30 hosts, a Raft ring of 3 SCMs
 *   BENCH_APPLY_HOSTS=3 npm run bench:apply      # one size only
 *   BENCH_APPLY_RATIS=0 npm run bench:apply      # one standalone SCM instead of the ring
 *   BENCH_APPLY_ROUNDS=5 npm run bench:apply     # interleaved no-op rounds against Ansible (default 3)
 *
 * The peer (when `ansible-playbook` is installed — Debian's ansible-core): Ansible pushing exactly the files
 * `scmctl render` writes to the same hosts (bench/ansible-peer.ts), interleaved with scmctl's no-op re-apply
 * round by round (the order turns), after one warm-up run of each; like for like: scmctl over connections its
 * keeper kept (SCMCTL_SSH_PERSIST=60s) against Ansible over ControlPersist, and both connecting afresh. Medians
 * and their ratios are printed.
 *
 * The first `plan` makes the runtime bundle (cold cache); everything after reuses it from the cache, as on an
 * operator machine after its first run. Every SCM started is stopped at the end.
 */
import { chmodSync, mkdtempSync } from 'node:fs';
import { ansiblePlaybookVersion, prepareAnsible } from './ansible-peer.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logDirsUnder, removeTree, scmctl, stopDaemons, writeSshTopology, type Run } from '../test/support/apply-e2e.js';
import { SUDO_USER, startSshdHosts, type SshdHosts } from '../test/support/sshd-hosts.js';

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
    await versusAnsible(hosts, file, env, root, count);
  } finally {
    await stopDaemons(logDirsUnder(join(root, 'cluster')));
    await hosts.stop();
    removeTree(root);
  }
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** scmctl's no-op re-apply and Ansible pushing the same files, round by round. */
async function versusAnsible(hosts: SshdHosts, file: string, env: NodeJS.ProcessEnv, root: string, count: number): Promise<void> {
  if (!ansiblePlaybookVersion()) {
    out('Ansible: ansible-playbook is not installed (apt-get install ansible-core): no comparison in this run');
    return;
  }
  const renderDir = join(root, 'render');
  await timed(['render', file, '--out', renderDir], env, 0);
  const peer = prepareAnsible({
    dir: join(root, 'ansible'),
    renderDir,
    hosts: hosts.hosts.slice(0, count).map((h, i) => ({ name: `node${i + 1}`, address: h.address })),
    user: SUDO_USER,
    keyPath: hosts.userKeyPath,
    knownHostsPath: hosts.knownHostsPath,
  });
  const warm = await peer.run();
  if (warm.changed !== 0) throw new Error(`Ansible changed ${warm.changed} files that scmctl had pushed: the two do not push the same files`);
  const rounds = Number(process.env['BENCH_APPLY_ROUNDS'] ?? 3);
  // scmctl both ways too: connecting afresh (the default) and over connections its keeper kept from the run
  // before (SCMCTL_SSH_PERSIST, as Ansible's ControlPersist): each is compared with Ansible run the same way
  const keptEnv = { ...env, SCMCTL_SSH_PERSIST: '60s' };
  await timed(['apply', file, '--yes'], keptEnv, 0); // warm-up: starts the keeper, as Ansible's warm-up run
  const ours = { fresh: [] as number[], kept: [] as number[] };
  const theirs = { fresh: [] as number[], kept: [] as number[] };
  const scmctlNoop = async (kept: boolean): Promise<void> => {
    const [r, ms] = await timed(['apply', file, '--yes'], kept ? keptEnv : env, 0);
    if (!r.stdout.includes('No changes.')) throw new Error('after Ansible\'s run the re-apply was not a no-op');
    ours[kept ? 'kept' : 'fresh'].push(ms);
  };
  const ansible = async (fresh: boolean): Promise<void> => {
    const r = await peer.run({ fresh });
    if (r.changed !== 0) throw new Error(`Ansible changed ${r.changed} files on a no-op run`);
    theirs[fresh ? 'fresh' : 'kept'].push(r.ms);
  };
  // each round: scmctl and Ansible, each over kept connections and connecting afresh; the order turns one step
  // every round
  const steps = [() => scmctlNoop(true), () => ansible(false), () => scmctlNoop(false), () => ansible(true)];
  try {
    for (let i = 0; i < rounds; i++) {
      for (let j = 0; j < steps.length; j++) await steps[(i + j) % steps.length]!();
    }
  } finally {
    await scmctl(['connections', '--close'], keptEnv);
  }
  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  const line = (xs: readonly number[]): string => `${s(median(xs))} (${xs.map(s).join(', ')})`;
  out(`no-op, interleaved ×${rounds} (medians):`);
  out(`  kept connections:   scmctl apply ${line(ours.kept)}`);
  out(`                      Ansible ${peer.version}, ControlPersist: ${line(theirs.kept)}: scmctl ${(median(theirs.kept) / median(ours.kept)).toFixed(1)}× faster`);
  out(`  fresh connections:  scmctl apply ${line(ours.fresh)}`);
  out(`                      Ansible ${peer.version}: ${line(theirs.fresh)}: scmctl ${(median(theirs.fresh) / median(ours.fresh)).toFixed(1)}× faster`);
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
