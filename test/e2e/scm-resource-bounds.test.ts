/**
 * Resource bounds of a real SCM process under a connection flood (127.0.0.1 SCM, attackers from
 * 127.0.6.1–8): hundreds of connections each holding most of a maximum-size frame on the client and block
 * ports, and a thousand silent connections. The bound: partial frames may hold at most
 * `ozone.scm.rpc.max.buffered.size` per port (16 MiB by default: 32 MiB for the two ports attacked here),
 * so the process grows by that plus per-connection overhead — the test allows 80 MiB of RSS growth (the
 * seed grew by 271 MiB on six half frames). Every idle or stuck connection is closed after
 * `ozone.scm.rpc.idle.timeout` (2 s here); roles and freon keep working throughout.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAll, spawnOzone } from '../support/ozone-process.js';
import { ScmCluster } from '../support/scm-cluster.js';
import { waitUntil } from '../support/wait.js';

const MiB = 1024 * 1024;
const root = mkdtempSync(join(tmpdir(), 'scm-bounds-e2e-'));
const cluster = new ScmCluster({
  root,
  hosts: ['127.0.0.1'],
  ratis: true,
  primordial: 'scm1',
  extra: { 'ozone.scm.rpc.idle.timeout': '2s', 'ozone.scm.pipeline.owner.container.count': '1' },
});

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) / 1024;
}

function open(port: number, localAddress: string): Promise<Socket & { gone: Promise<void> }> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port, localAddress }) as Socket & { gone: Promise<void> };
    s.gone = new Promise((r) => s.once('close', () => r()));
    s.on('error', () => {});
    s.once('connect', () => resolve(s));
  });
}

/** the first `bytes` of a request frame announcing `total` bytes */
function halfFrame(total: number, bytes: number): Buffer {
  const b = Buffer.alloc(bytes, 0x7b);
  b.writeUInt32BE(total - 4, 0);
  b.writeUInt8(1, 4);
  b.writeUInt8(1, 5);
  return b;
}

describe('SCM resource bounds under a connection flood (real process on 127.0.0.1)', () => {
  let pid = 0;
  beforeAll(async () => {
    cluster.writeConfs();
    expect((await cluster.run('scm1', ['scm', '--init'])).status).toBe(0);
    pid = (await cluster.start('scm1')).child.pid!;
  });
  afterAll(async () => {
    await killAll();
    rmSync(root, { recursive: true, force: true });
  });

  it('half-sent frames and silent connections leave memory bounded and are closed after the idle timeout', async () => {
    const dn = spawnOzone(['datanode', '--count', '3'], cluster.clientEnv());
    await dn.waitFor(/Started 3 simulated datanodes/);
    const warm = await cluster.run('client', ['freon', 'rk', '--num-of-volumes=1', '--num-of-buckets=1', '--num-of-keys=500', '--key-size=1KB', '--num-of-threads=4']);
    expect(warm.status, warm.stderr).toBe(0);
    const before = rssMiB(pid);

    const sockets: Array<Socket & { gone: Promise<void> }> = [];
    // 2 ports × 8 addresses × 20 connections, each sending 900 KiB of a 1 MiB frame: 288 MiB attempted
    for (const port of [9860, 9863]) {
      for (let a = 1; a <= 8; a++) {
        for (let i = 0; i < 20; i++) {
          const s = await open(port, `127.0.6.${a}`);
          s.write(halfFrame(MiB, 900 * 1024));
          sockets.push(s);
        }
      }
    }
    // and 1000 silent connections
    for (let i = 0; i < 1000; i++) sockets.push(await open([9860, 9861, 9863, 9961][i % 4]!, `127.0.6.${(i % 8) + 1}`));
    await new Promise((r) => setTimeout(r, 500));
    const peak = rssMiB(pid);

    // the SCM keeps serving while under attack
    const roles = await cluster.run('client', ['admin', 'scm', 'roles']);
    expect(roles.status, roles.stderr).toBe(0);
    const freon = await cluster.run('client', ['freon', 'rk', '--num-of-volumes=1', '--num-of-buckets=1', '--num-of-keys=500', '--key-size=1KB', '--num-of-threads=4']);
    expect(freon.status, freon.stderr).toBe(0);

    const prom = await cluster.prom('scm1');
    const buffered = [...prom.matchAll(/^scm_rpc_buffered_bytes\{port="(client|block)"\} (\d+)/gm)].map((m) => Number(m[2]));
    for (const b of buffered) expect(b).toBeLessThanOrEqual(16 * MiB);
    expect(Number(/^scm_rpc_closed_connections\{port="client",reason="buffer"\} (\d+)/m.exec(prom)?.[1])).toBeGreaterThan(100);
    // every attacking connection is closed by the server within the idle timeout (+ a sweep)
    const started = Date.now();
    await Promise.all(sockets.map((s) => s.gone));
    const closedAfter = Date.now() - started;
    const after = rssMiB(pid);
    console.log(`RSS before ${before.toFixed(0)} MiB, under attack ${peak.toFixed(0)} MiB, after ${after.toFixed(0)} MiB; all ${sockets.length} attacking connections closed ${closedAfter} ms after the flood`);
    expect(peak - before).toBeLessThan(80);
    expect(closedAfter).toBeLessThan(10_000);
    await waitUntil(async () => /^scm_rpc_open_connections\{port="client"\} [0-2]$/m.test(await cluster.prom('scm1')), 'client port connections closed');
    dn.signal('SIGTERM');
    expect(await dn.exited).toBe(0);
  });
});
