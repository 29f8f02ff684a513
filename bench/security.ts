/**
 * `npm run bench:security` — what secure mode costs, measured in one run (not a test; results in
 * BENCHMARKS.md, section bench:security). Two three-SCM Raft quorums of real `bin/ozone` processes side by
 * side, one plain (127.0.9.1–3) and one secure (127.0.10.1–3: certificates, TLS on every port, operator
 * commands with the admin identity, datanodes with their own certificates), each with three simulated
 * datanodes:
 *  1. freon randomkeys (SEC_BENCH_KEYS keys of 512 KiB, 8 and 32 threads), interleaved plain, secure,
 *     secure, plain per round so that other load on the machine hits both alike: keys/s and p99;
 *  2. joining a fourth SCM (127.0.9.4 / 127.0.10.4): plain `--bootstrap` + start until it is a voter, vs
 *     secure `admin scm token create` + `--bootstrap --token-file … --ca-cert-hash …` + start; the member
 *     is decommissioned and its directories removed between rounds.
 * Knobs: SEC_BENCH_KEYS (10000), SEC_BENCH_ROUNDS (3), SEC_BENCH_JOINS (3).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killAll, spawnOzone, type OzoneProcess } from '../test/support/ozone-process.js';
import { ScmCluster } from '../test/support/scm-cluster.js';
import { waitUntil } from '../test/support/wait.js';

const KEYS = Number(process.env.SEC_BENCH_KEYS ?? 10_000);
const ROUNDS = Number(process.env.SEC_BENCH_ROUNDS ?? 3);
const JOINS = Number(process.env.SEC_BENCH_JOINS ?? 3);
const THREADS = [8, 32];
const COMMON = {
  'hdds.heartbeat.interval': '1s',
  'hdds.scmclient.failover.retry.interval': '100ms',
  'hdds.scmclient.failover.max.retry': '1000',
  'ozone.scm.info.wait.duration': '120s',
  'ozone.scm.ha.ratis.leader.election.timeout': '1s',
};
const SECURE = { 'ozone.security.enabled': 'true', 'hdds.grpc.tls.enabled': 'true' };

interface FreonJson {
  keysPerSecond: number;
  latencyMs: { p99: number };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function startCluster(dir: string, base: string, secure: boolean): Promise<{ cluster: ScmCluster; dn: OzoneProcess }> {
  const cluster = new ScmCluster({ root: dir, hosts: [1, 2, 3, 4].map((i) => `${base}.${i}`), ratis: true, primordial: 'scm1', extra: { ...COMMON, ...(secure ? SECURE : {}) } }, 3);
  cluster.writeConfs(3);
  const init = await cluster.run('scm1', ['scm', '--init']);
  if (init.status !== 0) throw new Error(`init failed: ${init.stderr}`);
  await cluster.start('scm1');
  for (const id of ['scm2', 'scm3']) {
    const b = await cluster.bootstrap(id);
    if (b.status !== 0) throw new Error(`bootstrap ${id} failed: ${b.stderr}`);
    await cluster.start(id);
  }
  let dnArgs = ['datanode', '--count', '3', '--prefix', 'bench'];
  if (secure) {
    const t = await cluster.token(['--type', 'datanode', '--host', 'bench']);
    dnArgs = [...dnArgs, '--identity-dir', join(dir, 'dn-identity'), '--token-file', t.file, '--ca-cert-hash', t.caCertHash];
  }
  const dn = spawnOzone(dnArgs, cluster.clientEnv());
  await dn.waitFor(/Started 3 simulated datanodes/);
  await waitUntil(async () => (await Promise.all(['scm1', 'scm2', 'scm3'].map((id) => cluster.status(id)))).every((s) => s.datanodes.HEALTHY === 3), 'healthy datanodes', 120_000);
  const warm = await cluster.run('client', ['freon', 'rk', '--num-of-volumes=1', '--num-of-buckets=1', '--num-of-keys=200', '--key-size=524288', '--num-of-threads=4', '--json']);
  if (warm.status !== 0) throw new Error(`warm-up failed: ${warm.stdout}${warm.stderr}`);
  return { cluster, dn };
}

async function freon(cluster: ScmCluster, threads: number): Promise<FreonJson> {
  const r = await cluster.run('client', ['freon', 'rk', '--num-of-volumes=1', '--num-of-buckets=1', `--num-of-keys=${KEYS}`, '--key-size=524288', `--num-of-threads=${threads}`, '--json']);
  if (r.status !== 0) throw new Error(`freon failed: ${r.stdout}${r.stderr}`);
  return JSON.parse(r.stdout) as FreonJson;
}

/** ms from the start of the join (token minting included) until scm4 is a voter; then it is removed again. */
async function join4(cluster: ScmCluster, dir: string): Promise<number> {
  cluster.writeConfs(4);
  const t0 = performance.now();
  const b = await cluster.bootstrap('scm4');
  if (b.status !== 0) throw new Error(`bootstrap scm4 failed: ${b.stderr}`);
  await cluster.start('scm4');
  await waitUntil(async () => (await cluster.status('scm4')).raft?.membership === 'voter', 'scm4 a voter', 120_000);
  const ms = performance.now() - t0;
  const uuid = cluster.version('scm4').scmUuid!;
  const leader = await cluster.leader();
  const d = await cluster.run(leader, ['admin', 'scm', 'decommission', '--nodeid', uuid]);
  if (d.status !== 0) throw new Error(`decommission failed: ${d.stderr}`);
  await cluster.kill('scm4', 'SIGTERM');
  rmSync(join(dir, 'scm4'), { recursive: true, force: true });
  cluster.writeConfs(3);
  return ms;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-security-'));
  try {
    console.log(`# bench:security  node ${process.version}, ${KEYS} keys of 512 KiB per freon run, ${ROUNDS} rounds, ${JOINS} joins`);
    console.log(`load average before: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
    const plain = await startCluster(join(dir, 'plain'), '127.0.9', false);
    const secure = await startCluster(join(dir, 'secure'), '127.0.10', true);
    console.log('plain: 3 SCMs on 127.0.9.1-3; secure: 3 SCMs on 127.0.10.1-3 (TLS on every port); 3 simulated datanodes each');
    for (const t of THREADS) {
      const p: FreonJson[] = [];
      const s: FreonJson[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        p.push(await freon(plain.cluster, t));
        s.push(await freon(secure.cluster, t));
        s.push(await freon(secure.cluster, t));
        p.push(await freon(plain.cluster, t));
      }
      const pk = median(p.map((x) => x.keysPerSecond));
      const sk = median(s.map((x) => x.keysPerSecond));
      const pp = median(p.map((x) => x.latencyMs.p99));
      const sp = median(s.map((x) => x.latencyMs.p99));
      console.log(`freon ${t} threads: plain ${pk.toFixed(0)} keys/s (p99 ${pp.toFixed(2)} ms), secure ${sk.toFixed(0)} keys/s (p99 ${sp.toFixed(2)} ms); secure/plain throughput ${(sk / pk).toFixed(2)}, p99 ${(sp / pp).toFixed(2)}`);
      console.log(`  runs plain ${p.map((x) => x.keysPerSecond.toFixed(0)).join(', ')}; secure ${s.map((x) => x.keysPerSecond.toFixed(0)).join(', ')}`);
    }
    const pj: number[] = [];
    const sj: number[] = [];
    for (let r = 0; r < JOINS; r++) {
      pj.push(await join4(plain.cluster, join(dir, 'plain')));
      sj.push(await join4(secure.cluster, join(dir, 'secure')));
    }
    console.log(`join a 4th SCM (bootstrap + start until voter): plain median ${median(pj).toFixed(0)} ms (${pj.map((x) => x.toFixed(0)).join(', ')}); secure, token minting included, median ${median(sj).toFixed(0)} ms (${sj.map((x) => x.toFixed(0)).join(', ')})`);
    console.log(`load average after: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  } finally {
    await killAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
