/**
 * Host layer figures on real sshd hosts (127.0.1.x:22, needs root like the e2e tests):
 * connect latency, exec latency (as root, whose ~/.bashrc the login shell reads, and as a user whose login
 * shell is dash), channel throughput on one connection, pool connect + facts across N hosts, and the
 * release bundle (create, size, fresh install and no-op re-install over SSH).
 *
 *   npm run bench:ssh                       # 3 hosts
 *   BENCH_SSH_HOSTS=30 npm run bench:ssh    # 30 hosts (127.0.1.1–30)
 *   BENCH_SSH_BUNDLE_NODE=1 npm run bench:ssh   # bundle with the Node runtime inside
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBundle } from '../src/provisioner/bundle/create-bundle.js';
import { installBundle } from '../src/provisioner/bundle/install-bundle.js';
import { gatherFacts } from '../src/provisioner/facts/gather-facts.js';
import { HostPool } from '../src/provisioner/hosts/host-pool.js';
import { sh } from '../src/provisioner/hosts/shell-quote.js';
import { connectSsh } from '../src/provisioner/hosts/ssh-host.js';
import type { SshHostOptions } from '../src/provisioner/hosts/ssh-options.js';
import { startSshdHosts } from '../test/support/sshd-hosts.js';

const here = dirname(fileURLToPath(import.meta.url));
/** run compiled: dist/bench/ssh-hosts.js → the package root is two levels up */
const root = resolve(here, '../..');

function stats(samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return `median ${q(0.5).toFixed(1)} ms, p95 ${q(0.95).toFixed(1)} ms (n=${s.length})`;
}

async function time<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await fn();
  return [r, performance.now() - t];
}

async function main(): Promise<void> {
  const count = Number(process.env['BENCH_SSH_HOSTS'] ?? 3);
  const withNode = process.env['BENCH_SSH_BUNDLE_NODE'] === '1';
  const [hosts, startMs] = await time(() => startSshdHosts({ count, users: true }));
  const work = mkdtempSync(join(tmpdir(), 'scmctl-bench-ssh-'));
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  try {
    out(`sshd hosts: ${count} started in ${startMs.toFixed(0)} ms`);
    const u = hosts.users!;
    const asUser: Partial<SshHostOptions> = { user: u.sudoUser };

    const connects: number[] = [];
    for (let i = 0; i < 20; i++) {
      const [h, ms] = await time(() => connectSsh(hosts.sshOptions(0, asUser)));
      connects.push(ms);
      await h.close();
    }
    out(`connect (TCP + handshake + publickey auth): ${stats(connects)}`);

    for (const [label, opts] of [
      ['exec `true` as dash user', asUser],
      ['exec `true` as root (reads ~/.bashrc)', {}],
    ] as const) {
      const h = await connectSsh(hosts.sshOptions(0, opts));
      const lat: number[] = [];
      for (let i = 0; i < 50; i++) lat.push((await time(() => h.exec(sh`true`)))[1]);
      out(`${label}: ${stats(lat)}`);
      await h.close();
    }

    {
      const h = await connectSsh(hosts.sshOptions(0, asUser));
      const [, ms] = await time(() => Promise.all(Array.from({ length: 200 }, () => h.exec(sh`true`))));
      out(`200 execs over one connection (8 channels): ${ms.toFixed(0)} ms, ${((200 / ms) * 1000).toFixed(0)} exec/s`);
      await h.close();
    }

    {
      const pool = new HostPool(
        hosts.hosts.map((h, i) => ({ transport: 'ssh' as const, ...hosts.sshOptions(i, asUser) })),
        { concurrency: 10 },
      );
      const [, connectMs] = await time(() => pool.forEach(async () => undefined));
      const [facts, factsMs] = await time(() =>
        pool.forEach((h) =>
          gatherFacts(h, {
            installDir: '/opt/scmctl',
            managedFiles: ['/etc/hostname', '/etc/hosts'],
            ports: { address: h.info.address, ports: [9860, 9861, 9863, 9876, 9894, 9895, 9961] },
            directories: ['/var/lib/ozone/metadata', '/var/log/ozone'],
            diskPaths: ['/var/lib/ozone/metadata'],
          }),
        ),
      );
      await pool.close();
      out(`pool: connect ${count} hosts ${connectMs.toFixed(0)} ms; facts on all ${factsMs.toFixed(0)} ms (${facts.filter((f) => f.ok).length}/${count} ok)`);
    }

    {
      const [bundle, createMs] = await time(() =>
        createBundle({ packageRoot: root, outDir: join(work, 'bundle'), ...(withNode ? { nodeBinary: process.execPath, nodeVersion: process.version } : {}) }),
      );
      out(
        `bundle${withNode ? ' (with node)' : ''}: ${(bundle.bytes / 1024 / 1024).toFixed(1)} MiB, ${bundle.manifest.files.length} files, created in ${createMs.toFixed(0)} ms`,
      );
      const h = await connectSsh(hosts.sshOptions(0));
      const install = join(work, 'opt-scmctl');
      const [, freshMs] = await time(() => installBundle(h, bundle, install));
      const [again, noopMs] = await time(() => installBundle(h, bundle, install));
      out(`bundle install over SSH: fresh ${freshMs.toFixed(0)} ms; re-run ${noopMs.toFixed(0)} ms (changed: ${again.changed})`);
      await h.close();
    }
  } finally {
    await hosts.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
