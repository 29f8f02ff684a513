/**
 * `npm run bench:day2`: Day-2 operations timed the way an operator runs them, on this machine's loopback.
 *
 *  1. failover by fault kind: 3 SCMs (127.0.9.11–13, election timeout 1 s, real `bin/ozone` processes,
 *     three simulated datanodes), 4 allocation workers using the SCM client's failover (NotLeader hints and
 *     the leader probe), then the leader is (a) killed with SIGKILL, (b) cut off from the other SCMs by
 *     iptables (clients still reach it), (c) frozen with SIGSTOP; the figure is the time from the fault to
 *     the first allocation acknowledged by another SCM. The fault is undone and the ring settles between
 *     rounds. Peer: none in the same run for (b) and (c) — `bench:raft` compares kill -9 with etcd.
 *  2. `scmctl repair` and replacement with 100,000 containers: a local-transport ring (127.0.9.21–24, Ozone's
 *     default 5 s election timeout), the
 *     containers made with `ozone admin container create --count`, then scm2's Raft directory deleted
 *     while it is down and `scmctl repair` timed; then scm3's host "lost" (SIGKILL, never back), the
 *     topology moved to a new host and `scmctl apply` timed.
 *
 * Knobs: BENCH_DAY2_ROUNDS (3), BENCH_DAY2_CONTAINERS (100000). Needs root and iptables. Writes
 * bench/results/day2-<date>.json. Not a test: the numbers depend on the machine.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClientProtocol } from '../src/scm/protocols/client-protocol.js';
import type { RpcClient } from '../src/scm/transport/rpc-client.js';
import { allocationLoad } from './allocation-load.js';
import { daemonPids, removeTree, scmctl, stopDaemons } from '../test/support/apply-e2e.js';
import { writeLocalTopology } from '../test/support/local-topology.js';
import { killAll, ozone, spawnOzone } from '../test/support/ozone-process.js';
import { Partitions } from '../test/support/partition.js';
import { ScmCluster } from '../test/support/scm-cluster.js';
import { waitUntil } from '../test/support/wait.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ROUNDS = Number(process.env.BENCH_DAY2_ROUNDS ?? 3);
const CONTAINERS = Number(process.env.BENCH_DAY2_CONTAINERS ?? 100_000);
const out = (line: string): void => void process.stdout.write(`${line}\n`);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

type Fault = 'kill -9' | 'partition' | 'SIGSTOP';

async function failoverRound(cluster: ScmCluster, fault: Fault, partitions: Partitions): Promise<number> {
  const leader = await cluster.leader();
  const hosts = cluster.ids.map((id) => cluster.host(id));
  const load = allocationLoad(cluster.ids.map((id) => ({ nodeId: id, host: cluster.host(id), port: 9863 })), leader, {
    retryIntervalMs: 100,
    maxFailovers: 100_000,
    callTimeoutMs: 900_000,
    leaderProbe: { afterMs: 100, call: (c, signal) => (c as unknown as RpcClient<ClientProtocol>).call('getScmInfo', {}, { signal, timeoutMs: 200 }) },
  });
  await new Promise((r) => setTimeout(r, 1000));
  load.fault();
  if (fault === 'kill -9') await cluster.kill(leader, 'SIGKILL');
  else if (fault === 'SIGSTOP') cluster.proc(leader)!.signal('SIGSTOP');
  else partitions.isolate(cluster.host(leader), hosts.filter((h) => h !== cluster.host(leader)));
  const ms = await load.firstAck(fault);
  if (fault === 'SIGSTOP') cluster.proc(leader)!.signal('SIGCONT');
  if (fault === 'partition') partitions.heal();
  await load.stop();
  if (fault === 'kill -9') await cluster.start(leader);
  await cluster.quiescent(cluster.ids, 500);
  return ms;
}

async function failovers(): Promise<Record<Fault, number[]>> {
  const dir = mkdtempSync(join(tmpdir(), 'scm-bench-day2-'));
  const cluster = new ScmCluster(
    { root: dir, hosts: ['127.0.9.11', '127.0.9.12', '127.0.9.13'], ratis: true, extra: { 'ozone.scm.ha.ratis.leader.election.timeout': '1s', 'hdds.heartbeat.interval': '1s', 'ozone.scm.info.wait.duration': '120s' } },
    3,
  );
  const partitions = new Partitions();
  try {
    cluster.writeConfs(3);
    await cluster.run('scm1', ['scm', '--init']);
    await cluster.start('scm1');
    for (const id of ['scm2', 'scm3']) await cluster.bootstrap(id);
    await Promise.all(['scm2', 'scm3'].map((id) => cluster.start(id)));
    const dn = spawnOzone(['datanode', '--count', '3'], cluster.clientEnv());
    await dn.waitFor(/Started 3 simulated datanodes/);
    await waitUntil(async () => (await Promise.all(cluster.ids.map((id) => cluster.status(id)))).every((s) => s.datanodes.HEALTHY === 3), 'healthy datanodes');
    const results: Record<Fault, number[]> = { 'kill -9': [], partition: [], SIGSTOP: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const fault of ['kill -9', 'partition', 'SIGSTOP'] as const) results[fault].push(await failoverRound(cluster, fault, partitions));
    }
    return results;
  } finally {
    partitions.heal();
    for (const id of cluster.running()) cluster.proc(id)?.signal('SIGCONT');
    await killAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

function topology(dir: string, nodes: Record<string, string>, addresses: Record<string, string>): string {
  return writeLocalTopology({ name: 'bench-day2', root: dir, nodes, addresses, properties: { 'hdds.scmclient.failover.max.retry': '300', 'hdds.heartbeat.interval': '1s' }, scmStart: '600s' });
}

async function repairAndReplace(): Promise<{ repairMs: number; replaceMs: number; containers: number }> {
  const dir = '/tmp/scmctl-bench-day2';
  const env = { SCMCTL_STATE_DIR: join(dir, 'state'), SCMCTL_CACHE_DIR: '/tmp/scmctl-apply-e2e-cache' };
  const addresses = { scm1: '127.0.9.21', scm2: '127.0.9.22', scm3: '127.0.9.23', scm3b: '127.0.9.24' };
  const logs = (): string[] => Object.keys(addresses).map((h) => join(dir, h, 'logs'));
  await stopDaemons(logs());
  removeTree(dir);
  mkdirSync(dir, { recursive: true });
  try {
    let file = topology(dir, { scm1: 'scm1', scm2: 'scm2', scm3: 'scm3' }, addresses);
    const applied = await scmctl(['apply', file, '--yes'], env, 900_000);
    if (applied.status !== 0) throw new Error(`apply failed:\n${applied.stdout}\n${applied.stderr}`);
    const dn = spawnOzone(['--conf', join(dir, 'scm1', 'conf'), 'datanode', '--count', '3', '--prefix', 'bench-day2']);
    await dn.waitFor(/Started 3 simulated datanodes/);
    await new Promise((r) => setTimeout(r, 3000)); // a heartbeat or two: the datanodes are healthy, a pipeline opens
    const made = ozone(['--conf', join(dir, 'scm1', 'conf'), 'admin', 'container', 'create', `--count=${CONTAINERS}`], {}, 900_000);
    if (made.status !== 0) throw new Error(`container create failed: ${made.stderr}`);
    out(`  ${CONTAINERS} containers created`);
    await new Promise((r) => setTimeout(r, 3000));
    for (const p of daemonPids([join(dir, 'scm2', 'logs')])) process.kill(p, 'SIGKILL');
    rmSync(join(dir, 'scm2', 'metadata', 'scm.ratis'), { recursive: true, force: true });
    let t = performance.now();
    const repaired = await scmctl(['repair', file, 'scm2', '--yes'], env, 900_000);
    const repairMs = performance.now() - t;
    if (repaired.status !== 0) throw new Error(`repair failed:\n${repaired.stdout}\n${repaired.stderr}`);
    out(`  scmctl repair scm2: ${(repairMs / 1000).toFixed(2)} s`);
    for (const p of daemonPids([join(dir, 'scm3', 'logs')])) process.kill(p, 'SIGKILL');
    file = topology(dir, { scm1: 'scm1', scm2: 'scm2', scm3: 'scm3b' }, addresses);
    t = performance.now();
    const replaced = await scmctl(['apply', file, '--yes'], env, 900_000);
    const replaceMs = performance.now() - t;
    if (replaced.status !== 0) throw new Error(`replace failed:\n${replaced.stdout}\n${replaced.stderr}`);
    out(`  replace scm3 on a new host (scmctl apply): ${(replaceMs / 1000).toFixed(2)} s`);
    return { repairMs: Math.round(repairMs), replaceMs: Math.round(replaceMs), containers: CONTAINERS };
  } finally {
    await killAll();
    await stopDaemons(logs());
    removeTree(dir);
  }
}

async function main(): Promise<void> {
  execFileSync('iptables', ['-w', '-L', 'INPUT', '-n'], { stdio: 'pipe' }); // fails loudly without root/iptables
  out(`bench:day2 — ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, load ${loadavg().map((x) => x.toFixed(2)).join(' ')}, Node ${process.version}`);
  out('\n1. failover by fault kind (election timeout 1 s): fault → first allocation acknowledged by another SCM');
  const f = await failovers();
  for (const [fault, xs] of Object.entries(f)) out(`  ${fault.padEnd(10)} median ${median(xs)} ms  (runs: ${xs.join(', ')} ms)`);
  out(`\n2. repair and replace with ${CONTAINERS} containers (local transport, 3 SCMs)`);
  const r = await repairAndReplace();
  out(`\nload after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  const file = join(root, 'bench/results', `day2-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.json`);
  writeFileSync(file, `${JSON.stringify({ rounds: ROUNDS, failover: f, ...r, cores: cpus().length, node: process.version }, null, 2)}\n`);
  out(`results: ${file}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
