/**
 * `npm run bench:raft` — the Raft benchmark (not a test; method and results in BENCHMARKS.md, section bench:raft).
 *
 * In one invocation:
 *  1. the machine's fsync rate (4 KiB write + fdatasync, sequential): the physical bound of a durable log;
 *  2. three raft-kv-node processes on 127.0.3.41–43 (real TCP, real LevelDB, KV state machine), loaded with
 *     1, 16 and 64 concurrent proposers writing unique keys to the leader over HTTP: ops/s, p50, p99;
 *     the same group again with mutual TLS on the Raft port (127.0.3.44–46, certificates from the SCM's CA
 *     code, as a secure SCM ring runs): the cost of TLS, measured interleaved with the plain group;
 *  3. leader failover five times: SIGKILL the leader → first write acknowledged by a new leader
 *     (min/median/max), the victim restarted and caught up between rounds;
 *  4. when `etcd` is installed: the same against a three-member etcd on 127.0.3.51–53 with the same
 *     election timeout and heartbeat, through its v3 JSON gateway, and the ours/etcd ratios. Both groups
 *     run side by side and the measurements interleave (ours, etcd, etcd, ours per level; failovers
 *     alternate) so that load from other work on the machine hits both alike.
 *
 *  5. before the levels, each system's first seconds after it started (c=1 from the first write, no warm-up:
 *     "cold", where our processes still run unoptimised JavaScript while V8 compiles the hot path; the load
 *     client has been warmed against an in-process stub server first), then
 *     BENCH_WARMUP_SECONDS of unmeasured load at c=16, so that the levels measure each system in its steady
 *     state. The cold figures are printed and compared on their own.
 *
 * Environment: BENCH_SECONDS (per run, default 5), BENCH_VALUE_BYTES (default 256),
 * BENCH_ELECTION_MS (default 1000), BENCH_HEARTBEAT_MS (default 100), BENCH_WARMUP_SECONDS (default 5),
 * ETCD (path to etcd, default: found on PATH).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { closeSync, fdatasyncSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KvHttpClient } from '../test/support/kv-http-client.js';
import { RaftKvCluster } from '../test/support/raft-kv-cluster.js';
import { generateRsaKeyPair, initPrimordialCa } from '../src/scm/ca/certificate-authority.js';
import { issueForKey, profileFor } from '../src/scm/ca/certificate-profiles.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const VALUE_BYTES = Number(process.env.BENCH_VALUE_BYTES ?? 256);
const ELECTION_MS = Number(process.env.BENCH_ELECTION_MS ?? 1000);
const HEARTBEAT_MS = Number(process.env.BENCH_HEARTBEAT_MS ?? 100);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
const CONCURRENCY = [1, 16, 64];
const FAILOVERS = 5;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const value = 'x'.repeat(VALUE_BYTES);

interface LoadResult {
  readonly concurrency: number;
  readonly ops: number;
  readonly opsPerSec: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function fsyncRate(dir: string, seconds = 2): number {
  const fd = openSync(join(dir, 'fsync.bin'), 'w');
  const buf = Buffer.alloc(4096, 7);
  let n = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    writeSync(fd, buf);
    fdatasyncSync(fd);
    n++;
  }
  closeSync(fd);
  return n / seconds;
}

/**
 * `concurrency` closed-loop writers of unique keys against `base` for `seconds`. A NOT_LEADER answer is
 * followed to the hinted leader (`redirect`), as etcd forwards to its leader internally.
 */
async function load(
  client: KvHttpClient,
  base: string,
  concurrency: number,
  seconds: number,
  tag: string,
  latencies: number[] = [],
  redirect: (raftAddress: string) => string | null = () => null,
  warmupMs = 1000,
): Promise<LoadResult> {
  let errors = 0;
  let measuring = false;
  let stop = false;
  let seq = 0;
  const worker = async (w: number): Promise<void> => {
    while (!stop) {
      const key = `${tag}-${w}-${seq++}`;
      const t0 = performance.now();
      const r = await client.put(base, key, value, 5000);
      const dt = performance.now() - t0;
      if (!r.ok && r.leaderRaftAddress) base = redirect(r.leaderRaftAddress) ?? base;
      if (!measuring) continue;
      if (r.ok) latencies.push(dt);
      else errors++;
    }
  };
  const workers = Array.from({ length: concurrency }, (_, w) => worker(w));
  if (warmupMs > 0) await sleep(warmupMs);
  measuring = true;
  const t0 = performance.now();
  await sleep(seconds * 1000);
  measuring = false;
  const elapsed = (performance.now() - t0) / 1000;
  stop = true;
  await Promise.all(workers);
  const sorted = [...latencies].sort((a, b) => a - b);
  return { concurrency, ops: latencies.length, opsPerSec: latencies.length / elapsed, p50: pct(sorted, 50), p99: pct(sorted, 99), errors };
}

/** Writes continuously to `targets()` (rotating on failure) until one write sent after `since` succeeds. */
async function firstAckAfter(client: KvHttpClient, targets: () => string[], since: number, tag: string): Promise<number> {
  let done = 0;
  let seq = 0;
  const probe = async (w: number): Promise<void> => {
    let i = w;
    while (done === 0) {
      const ts = targets();
      const base = ts[i++ % ts.length]!;
      const sent = performance.now();
      const r = await client.put(base, `${tag}-${w}-${seq++}`, value, 300);
      if (r.ok && sent >= since && done === 0) done = performance.now();
      if (!r.ok) await sleep(5);
    }
  };
  await Promise.all([0, 1, 2, 3].map(probe));
  return done - since;
}

function summary(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  return `min ${s[0]!.toFixed(0)} ms, median ${s[Math.floor(s.length / 2)]!.toFixed(0)} ms, max ${s[s.length - 1]!.toFixed(0)} ms`;
}

function median(ms: number[]): number {
  const s = [...ms].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function printLoad(name: string, rs: LoadResult[]): void {
  for (const r of rs) {
    console.log(`  ${name} c=${String(r.concurrency).padStart(2)}  ${r.opsPerSec.toFixed(0).padStart(7)} ops/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  (${r.ops} ops, ${r.errors} errors)`);
  }
}

/** A system under test: where the leader is, how to fail it over, how to stop. */
interface System {
  readonly name: string;
  redirect(raftAddress: string): string | null;
  leaderBase(): Promise<string>;
  /** Kills the leader with SIGKILL, measures until a write sent afterwards is acknowledged, then restores the member. */
  failover(round: number): Promise<number>;
  stop(): Promise<void>;
  readonly client: KvHttpClient;
}

// ---------------------------------------------------------------------------------------------- ours

/** SCM-profile certificates (root CA → sub-CA per node) in files, for the TLS group. */
function tlsFiles(dir: string, hosts: readonly string[]): (id: string) => { key: string; cert: string; ca: string } {
  const ca = initPrimordialCa({ metadataDir: join(dir, 'tls-ca'), host: 'bench', clusterId: 'CID-00000000-0000-4000-8000-000000000001', scmUuid: '00000000-0000-4000-8000-000000000002' });
  const files = new Map<string, { key: string; cert: string; ca: string }>();
  hosts.forEach((host, i) => {
    const k = generateRsaKeyPair();
    const cert = issueForKey(ca.sub, k.publicKeyPem, profileFor('scm', host, 'CID-00000000-0000-4000-8000-000000000001', `00000000-0000-4000-8000-00000000001${i}`), String(10 + i), new Date(Date.now() - 60_000));
    const base = join(dir, `tls-n${i + 1}`);
    writeFileSync(`${base}.key`, k.privateKeyPem, { mode: 0o600 });
    writeFileSync(`${base}.crt`, cert + ca.sub.certPem);
    writeFileSync(`${base}.ca`, ca.root.certPem);
    files.set(`n${i + 1}`, { key: `${base}.key`, cert: `${base}.crt`, ca: `${base}.ca` });
  });
  return (id) => files.get(id)!;
}

async function startOurs(dir: string, variant: 'plain' | 'tls' = 'plain'): Promise<System> {
  const hosts = [1, 2, 3].map((i) => `127.0.3.${(variant === 'tls' ? 43 : 40) + i}`);
  const cluster = new RaftKvCluster({
    ...(variant === 'tls' ? { tls: tlsFiles(dir, hosts) } : {}),
    baseDir: join(dir, variant === 'tls' ? 'raft-tls' : 'raft'),
    electionMs: ELECTION_MS,
    heartbeatMs: HEARTBEAT_MS,
    // etcd 3.4 snapshots every 100 000 entries (--snapshot-count); the KV machine's snapshot serialises
    // its whole map, so a lower threshold would measure map encoding, not replication.
    snapshotThreshold: 100_000,
    group: 'raft-bench',
    nodes: hosts.map((host, i) => ({ id: `n${i + 1}`, host, raftPort: 7301, httpPort: 8301 })),
  });
  await cluster.form();
  return {
    name: variant === 'tls' ? 'ours-tls' : 'ours',
    client: cluster.client,
    redirect: (address) => cluster.httpForRaft(address),
    leaderBase: async () => cluster.httpBase(await cluster.leader()),
    async failover(round) {
      const victim = await cluster.leader();
      await cluster.client.put(cluster.httpBase(victim), `pre-${round}`, value, 5000);
      const t0 = performance.now();
      await cluster.kill(victim, 'SIGKILL');
      const alive = cluster.o.nodes.map((n) => n.id).filter((id) => cluster.isRunning(id));
      const took = await firstAckAfter(cluster.client, () => alive.map((id) => cluster.httpBase(id)), t0, `ours-fo${round}`);
      await cluster.start(victim);
      const lst = await cluster.status(await cluster.leader());
      for (;;) {
        const st = await cluster.status(victim);
        if (st && (st.appliedIndex as number) >= (lst!.commitIndex as number)) break;
        await sleep(50);
      }
      return took;
    },
    stop: () => cluster.stopAll(),
  };
}

// ---------------------------------------------------------------------------------------------- etcd

function findEtcd(): string | null {
  const explicit = process.env.ETCD;
  if (explicit) return explicit;
  const r = spawnSync('sh', ['-c', 'command -v etcd'], { encoding: 'utf8' });
  const p = r.stdout.trim();
  return r.status === 0 && p ? p : null;
}

interface EtcdMember {
  readonly name: string;
  readonly host: string;
  child: ChildProcess | null;
}

async function startEtcd(etcd: string, dir: string): Promise<System> {
  const members: EtcdMember[] = [1, 2, 3].map((i) => ({ name: `e${i}`, host: `127.0.3.${50 + i}`, child: null }));
  const initialCluster = members.map((m) => `${m.name}=http://${m.host}:2380`).join(',');
  const client = new KvHttpClient(256);
  const url = (m: EtcdMember): string => `http://${m.host}:2379`;
  const start = (m: EtcdMember): void => {
    m.child = spawn(
      etcd,
      [
        '--name', m.name,
        '--data-dir', join(dir, 'etcd', m.name),
        '--listen-peer-urls', `http://${m.host}:2380`,
        '--initial-advertise-peer-urls', `http://${m.host}:2380`,
        '--listen-client-urls', `http://${m.host}:2379`,
        '--advertise-client-urls', `http://${m.host}:2379`,
        '--initial-cluster', initialCluster,
        '--initial-cluster-state', 'new',
        '--initial-cluster-token', 'scmctl-raft-bench',
        '--heartbeat-interval', String(HEARTBEAT_MS),
        '--election-timeout', String(ELECTION_MS),
        '--log-level', 'error',
      ],
      { stdio: ['ignore', 'ignore', 'ignore'] },
    );
  };
  const kill = async (m: EtcdMember): Promise<void> => {
    const c = m.child;
    if (!c) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
    m.child = null;
  };
  const leader = async (): Promise<EtcdMember> => {
    for (let i = 0; i < 600; i++) {
      for (const m of members.filter((x) => x.child)) {
        try {
          const { status, json } = await client.post(url(m), '/v3/maintenance/status', {}, 1000);
          const header = json.header as { member_id?: string } | undefined;
          if (status === 200 && json.leader && header?.member_id === json.leader) return m;
        } catch {
          // not up yet
        }
      }
      await sleep(50);
    }
    throw new Error('etcd elected no leader');
  };
  for (const m of members) start(m);
  await leader();
  return {
    name: 'etcd',
    client,
    redirect: () => null,
    leaderBase: async () => url(await leader()),
    async failover(round) {
      const victim = await leader();
      await client.put(url(victim), `pre-${round}`, value, 5000);
      const t0 = performance.now();
      await kill(victim);
      const alive = members.filter((m) => m.child);
      const took = await firstAckAfter(client, () => alive.map(url), t0, `etcd-fo${round}`);
      start(victim);
      // The restarted member serves once it has caught up (it forwards writes to the leader).
      for (let i = 0; i < 600; i++) {
        const r = await client.put(url(victim), `rejoin-${round}`, value, 1000);
        if (r.ok) break;
        await sleep(50);
      }
      return took;
    },
    async stop() {
      for (const m of members) await kill(m);
      client.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------- main

function merge(a: LoadResult, b: LoadResult, la: number[], lb: number[]): LoadResult {
  const all = [...la, ...lb].sort((x, y) => x - y);
  const ops = a.ops + b.ops;
  return { concurrency: a.concurrency, ops, opsPerSec: (a.opsPerSec + b.opsPerSec) / 2, p50: pct(all, 50), p99: pct(all, 99), errors: a.errors + b.errors };
}

async function measure(sys: System, c: number, tag: string, warmupMs = 1000): Promise<{ r: LoadResult; lat: number[] }> {
  const lat: number[] = [];
  const r = await load(sys.client, await sys.leaderBase(), c, SECONDS, `${sys.name}-${tag}`, lat, (a) => sys.redirect(a), warmupMs);
  return { r, lat };
}

/**
 * The load client is JavaScript too: before any measured run it puts for 3 s against an in-process HTTP
 * server that answers at once (127.0.3.60), so that no system's first ("cold") run pays for the client's
 * own JIT warm-up.
 */
async function warmClient(): Promise<void> {
  const server = createServer((req, res) => {
    req.resume();
    req.once('end', () => res.end('{"header":{"revision":"1"}}'));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(8399, '127.0.3.60', resolve);
  });
  const client = new KvHttpClient(64);
  try {
    await load(client, 'http://127.0.3.60:8399', 1, 2, 'client-warm', [], () => null, 0);
    await load(client, 'http://127.0.3.60:8399', 16, 1, 'client-warm', [], () => null, 0);
  } finally {
    client.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/**
 * Each system's first seconds under load (c=1 from its first write, measured: "cold"), then
 * WARMUP_SECONDS of unmeasured load at c=16, in turn. A JIT-compiled server (ours) runs its hot path
 * unoptimised until V8 has compiled it; the levels afterwards measure every system in its steady state.
 */
async function coldThenWarm(systems: System[]): Promise<LoadResult[]> {
  const cold: LoadResult[] = [];
  for (const sys of systems) {
    cold.push((await measure(sys, 1, 'cold', 0)).r);
    if (WARMUP_SECONDS > 0) await load(sys.client, await sys.leaderBase(), 16, WARMUP_SECONDS, `${sys.name}-warm`, [], (a) => sys.redirect(a), 0);
  }
  return cold;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-raft-'));
  const systems: System[] = [];
  try {
    console.log(`# bench:raft  node ${process.version}, ${SECONDS} s per run, ${VALUE_BYTES}-byte values, election ${ELECTION_MS} ms, heartbeat ${HEARTBEAT_MS} ms`);
    console.log(`load average before: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
    const fsync = fsyncRate(dir);
    console.log(`fsync rate (4 KiB write + fdatasync, sequential): ${fsync.toFixed(0)} /s`);
    const ours = await startOurs(dir);
    systems.push(ours);
    console.log('ours: 3 raft-kv-node processes, 127.0.3.41-43, durable LevelDB log, KV state machine');
    const oursTls = await startOurs(dir, 'tls');
    systems.push(oursTls);
    console.log('ours-tls: the same on 127.0.3.44-46 with mutual TLS on the Raft port (runs interleaved ours/ours-tls/ours-tls/ours per level)');
    const etcdPath = findEtcd();
    let etcd: System | null = null;
    if (etcdPath) {
      etcd = await startEtcd(etcdPath, dir);
      systems.push(etcd);
      const version = spawnSync(etcdPath, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]!.trim();
      console.log(`etcd: 3 members, 127.0.3.51-53, ${etcdPath} (${version}); runs interleaved ours/etcd/etcd/ours per level`);
    } else {
      console.log('etcd: not installed (install Debian etcd-server or set ETCD=/path/to/etcd for the comparison)');
    }
    await warmClient();
    const cold = await coldThenWarm(systems);
    console.log(`first ${SECONDS} s after start, c=1 (cold; then ${WARMUP_SECONDS} s of unmeasured load at c=16 each):`);
    for (let i = 0; i < systems.length; i++) printLoad(`${systems[i]!.name} cold`, [cold[i]!]);
    const oursLoad: LoadResult[] = [];
    const tlsLoad: LoadResult[] = [];
    const etcdLoad: LoadResult[] = [];
    for (const c of CONCURRENCY) {
      const o1 = await measure(ours, c, `c${c}a`);
      const t1 = await measure(oursTls, c, `c${c}a`);
      const e1 = etcd ? await measure(etcd, c, `c${c}a`) : null;
      const e2 = etcd ? await measure(etcd, c, `c${c}b`) : null;
      const t2 = await measure(oursTls, c, `c${c}b`);
      const o2 = await measure(ours, c, `c${c}b`);
      oursLoad.push(merge(o1.r, o2.r, o1.lat, o2.lat));
      tlsLoad.push(merge(t1.r, t2.r, t1.lat, t2.lat));
      if (e1 && e2) etcdLoad.push(merge(e1.r, e2.r, e1.lat, e2.lat));
    }
    printLoad('ours', oursLoad);
    printLoad('ours-tls', tlsLoad);
    if (etcd) printLoad('etcd', etcdLoad);
    console.log('cost of TLS (ours-tls / ours):');
    for (let i = 0; i < CONCURRENCY.length; i++) {
      const o = oursLoad[i]!;
      const t = tlsLoad[i]!;
      console.log(`  c=${String(o.concurrency).padStart(2)}  throughput ${(t.opsPerSec / o.opsPerSec).toFixed(2)}  p50 ${(t.p50 / o.p50).toFixed(2)}  p99 ${(t.p99 / o.p99).toFixed(2)}`);
    }
    const oursFo: number[] = [];
    const etcdFo: number[] = [];
    for (let round = 1; round <= FAILOVERS; round++) {
      const o = await ours.failover(round);
      oursFo.push(o);
      let line = `  failover ${round}: ours ${o.toFixed(0)} ms`;
      if (etcd) {
        const e = await etcd.failover(round);
        etcdFo.push(e);
        line += `, etcd ${e.toFixed(0)} ms`;
      }
      console.log(line);
      await sleep(500);
    }
    console.log(`  ours failover: ${summary(oursFo)}`);
    if (!etcd) return;
    console.log(`  etcd failover: ${summary(etcdFo)}`);
    console.log('ratios (ours / etcd):');
    for (let i = 0; i < CONCURRENCY.length; i++) {
      const o = oursLoad[i]!;
      const t = etcdLoad[i]!;
      console.log(`  c=${String(o.concurrency).padStart(2)}  throughput ${(o.opsPerSec / t.opsPerSec).toFixed(2)}  p50 ${(o.p50 / t.p50).toFixed(2)}  p99 ${(o.p99 / t.p99).toFixed(2)}`);
    }
    console.log(`  failover median ${(median(oursFo) / median(etcdFo)).toFixed(2)} (lower is faster)`);
    const oc = cold[0]!;
    const ec = cold[systems.indexOf(etcd)]!;
    console.log(`  cold c= 1  throughput ${(oc.opsPerSec / ec.opsPerSec).toFixed(2)}  p50 ${(oc.p50 / ec.p50).toFixed(2)}  p99 ${(oc.p99 / ec.p99).toFixed(2)}  (first ${SECONDS} s after start)`);
    console.log(`load average after: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  } finally {
    for (const sys of systems.reverse()) await sys.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
