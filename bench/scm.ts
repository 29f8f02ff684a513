/**
 * `npm run bench:scm`: block-allocation throughput of the embedded SCM, measured the way an operator
 * would — real `bin/ozone` processes on loopback (127.0.5.1, Ozone default ports): one standalone SCM
 * (ozone.scm.ratis.enable=false, every replicated change fsync'd, group-committed), three simulated
 * datanodes, and `ozone freon randomkeys --json` at several thread counts (one process per run).
 * Prints a table and writes bench/results/scm-<date>.json. Not a test: numbers depend on the machine.
 * Three-node quorum throughput and failover time come with the Raft integration.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const OZONE = join(root, 'bin/ozone');
const HOST = '127.0.5.1';
const KEYS = Number(process.env.SCM_BENCH_KEYS ?? 10_000);
const THREADS = (process.env.SCM_BENCH_THREADS ?? '1,8,32').split(',').map(Number);

function site(meta: string): string {
  const props: Record<string, string> = {
    'ozone.scm.service.ids': 'bench',
    'ozone.scm.nodes.bench': 'scm1',
    'ozone.scm.address.bench.scm1': HOST,
    'ozone.scm.ratis.enable': 'false',
    'ozone.metadata.dirs': meta,
    'hdds.heartbeat.interval': '1s',
    'ozone.scm.client.bind.host': HOST,
    'ozone.scm.block.client.bind.host': HOST,
    'ozone.scm.datanode.bind.host': HOST,
    'ozone.scm.security.service.bind.host': HOST,
    'ozone.scm.http-address': `${HOST}:9876`,
  };
  return `<?xml version="1.0"?>\n<configuration>\n${Object.entries(props).map(([k, v]) => `  <property><name>${k}</name><value>${v}</value></property>`).join('\n')}\n</configuration>\n`;
}

function waitFor(child: ChildProcess, re: RegExp, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`timeout waiting for ${re}: ${out}`)), timeoutMs);
    const on = (d: Buffer): void => {
      out += d.toString();
      if (re.test(out)) {
        clearTimeout(timer);
        resolvePromise();
      }
    };
    child.stdout?.on('data', on);
    child.stderr?.on('data', on);
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

interface FreonJson {
  status: string;
  keysAllocated: number;
  elapsedMs: number;
  keysPerSecond: number;
  containers: number;
  latencyMs: { p50: number; p99: number; max: number };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'scm-bench-'));
  const conf = join(dir, 'conf');
  mkdirSync(conf);
  writeFileSync(join(conf, 'ozone-site.xml'), site(join(dir, 'meta')));
  const env = { ...process.env, OZONE_CONF_DIR: conf };
  const children: ChildProcess[] = [];
  const results: Array<{ threads: number } & FreonJson> = [];
  try {
    const init = spawnSync(OZONE, ['scm', '--init'], { env, encoding: 'utf8' });
    if (init.status !== 0) throw new Error(init.stderr);
    const scm = spawn(OZONE, ['scm'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(scm);
    await waitFor(scm, /SCM started/);
    const dn = spawn(OZONE, ['datanode', '--count', '3', '--prefix', 'bench'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(dn);
    await waitFor(dn, /Started 3 simulated datanodes/);
    // warm-up: creates and opens the pipeline and the first containers
    spawnSync(OZONE, ['freon', 'rk', '--num-of-volumes=1', '--num-of-buckets=1', '--num-of-keys=200', '--key-size=524288', '--num-of-threads=4', '--json'], { env, encoding: 'utf8' });
    for (const t of THREADS) {
      const r = spawnSync(OZONE, ['freon', 'randomkeys', '--numOfVolumes=1', '--numOfBuckets=1', `--numOfKeys=${KEYS}`, '--keySize=524288', '--replicationType=RATIS', `--numOfThreads=${t}`, '--factor=THREE', '--bufferSize=1048576', '--json'], { env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`freon failed: ${r.stdout}${r.stderr}`);
      const j = JSON.parse(r.stdout) as FreonJson;
      results.push({ threads: t, ...j });
    }
  } finally {
    for (const c of children.reverse()) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    for (const c of children) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`scm standalone block allocation: ${KEYS} keys of 512 KiB per run, 3 simulated datanodes, ${cpus().length} x ${cpu}, node ${process.version}`);
  console.log('threads | keys/s   | p50 ms | p99 ms | max ms | containers');
  for (const r of results) {
    console.log(`${String(r.threads).padStart(7)} | ${String(r.keysPerSecond).padStart(8)} | ${String(r.latencyMs.p50).padStart(6)} | ${String(r.latencyMs.p99).padStart(6)} | ${String(r.latencyMs.max).padStart(6)} | ${r.containers}`);
  }
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  const file = join(root, 'bench/results', `scm-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.json`);
  writeFileSync(file, JSON.stringify({ keys: KEYS, cpu, cores: cpus().length, node: process.version, results }, null, 2));
  console.log(`results: ${file}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
