/**
 * Real raft-kv-node processes on loopback (127.0.3.x, docs/design.md §3) for the real-process test and
 * the benchmark: start, form a group (first node --init, the others added through the leader), find the
 * leader, SIGKILL and restart members, read each replica's keys. Needs `npm run build` first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KvHttpClient } from './kv-http-client.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Locates dist/test/support/raft-kv-node.js from the source tree or from dist/test/support. */
export function raftKvNodeEntry(): string {
  // From dist/test/support (benchmarks) it is beside this file; from test/support (vitest) the build is ../../dist.
  for (const candidate of [resolve(here, 'raft-kv-node.js'), resolve(here, '../../dist/test/support/raft-kv-node.js')]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('dist/test/support/raft-kv-node.js is missing: run `npm run build` first');
}

export interface KvNodeSpec {
  readonly id: string;
  readonly host: string;
  readonly raftPort: number;
  readonly httpPort: number;
}

export interface ClusterOptions {
  readonly baseDir: string;
  readonly nodes: readonly KvNodeSpec[];
  readonly group?: string;
  readonly electionMs?: number;
  readonly heartbeatMs?: number;
  readonly snapshotThreshold?: number;
  readonly maxInflight?: number;
  readonly tickMs?: number;
  /** mutual TLS on the Raft port: PEM file paths per node */
  readonly tls?: (id: string) => { key: string; cert: string; ca: string };
}

interface Running {
  child: ChildProcess;
  exited: Promise<number | null>;
  stderr: string[];
}

export class RaftKvCluster {
  readonly client = new KvHttpClient(256);
  private readonly running = new Map<string, Running>();

  constructor(readonly o: ClusterOptions) {}

  spec(id: string): KvNodeSpec {
    const s = this.o.nodes.find((n) => n.id === id);
    if (!s) throw new Error(`unknown node ${id}`);
    return s;
  }

  raftAddress(id: string): string {
    const s = this.spec(id);
    return `${s.host}:${s.raftPort}`;
  }

  httpBase(id: string): string {
    const s = this.spec(id);
    return `http://${s.host}:${s.httpPort}`;
  }

  /** The HTTP base of the node whose Raft address is given (to follow NOT_LEADER hints). */
  httpForRaft(address: string): string | null {
    const n = this.o.nodes.find((x) => `${x.host}:${x.raftPort}` === address);
    return n ? this.httpBase(n.id) : null;
  }

  isRunning(id: string): boolean {
    return this.running.has(id);
  }

  async start(id: string, options: { init?: boolean } = {}): Promise<void> {
    const s = this.spec(id);
    const data = join(this.o.baseDir, id);
    mkdirSync(data, { recursive: true });
    const args = [
      raftKvNodeEntry(),
      '--id', id,
      '--group', this.o.group ?? 'raft-kv-e2e',
      '--raft', `${s.host}:${s.raftPort}`,
      '--http', `${s.host}:${s.httpPort}`,
      '--data', data,
      '--election-ms', String(this.o.electionMs ?? 1000),
      '--heartbeat-ms', String(this.o.heartbeatMs ?? 100),
      '--snapshot-threshold', String(this.o.snapshotThreshold ?? 1000),
      ...(this.o.maxInflight !== undefined ? ['--max-inflight', String(this.o.maxInflight)] : []),
      ...(this.o.tickMs !== undefined ? ['--tick-ms', String(this.o.tickMs)] : []),
      ...(this.o.tls ? ['--tls-key', this.o.tls(id).key, '--tls-cert', this.o.tls(id).cert, '--tls-ca', this.o.tls(id).ca] : []),
      ...(options.init ? ['--init'] : []),
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const stderr: string[] = [];
    child.stderr!.on('data', (c: Buffer) => {
      stderr.push(c.toString('utf8'));
      if (stderr.length > 400) stderr.splice(0, 200);
    });
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    this.running.set(id, { child, exited, stderr });
    await new Promise<void>((res, rej) => {
      let out = '';
      const onData = (c: Buffer): void => {
        out += c.toString('utf8');
        if (out.includes('READY ')) {
          child.stdout!.off('data', onData);
          res();
        }
      };
      child.stdout!.on('data', onData);
      void exited.then((code) => rej(new Error(`${id} exited with ${code} before READY: ${stderr.join('').slice(-2000)}`)));
    });
  }

  /** Sends a signal and waits for the process to exit. */
  async kill(id: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const r = this.running.get(id);
    if (!r) return;
    r.child.kill(signal);
    await r.exited;
    this.running.delete(id);
  }

  logs(id: string): string {
    return this.running.get(id)?.stderr.join('') ?? '';
  }

  async status(id: string): Promise<Record<string, unknown> | null> {
    if (!this.running.has(id)) return null;
    try {
      return await this.client.get(this.httpBase(id), '/status', 2000);
    } catch {
      return null;
    }
  }

  /** The id of the node that reports itself LEADER (polling), among running nodes. */
  async leader(timeoutMs = 30_000): Promise<string> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      for (const id of this.running.keys()) {
        const st = await this.status(id);
        if (st?.role === 'LEADER') return id;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no leader within ${timeoutMs} ms`);
  }

  /** Starts every node and forms one group: the first node bootstraps it, the others are added. */
  async form(): Promise<void> {
    const [first, ...rest] = this.o.nodes;
    await this.start(first!.id, { init: true });
    for (const n of rest) await this.start(n.id);
    const leader = await this.leader();
    for (const n of rest) {
      const { status, json } = await this.client.post(this.httpBase(leader), '/members/add', { id: n.id, address: this.raftAddress(n.id) }, 60_000);
      if (status !== 200) throw new Error(`adding ${n.id} failed: ${JSON.stringify(json)}`);
    }
  }

  async keys(id: string): Promise<{ applied: number; kvs: Record<string, string> }> {
    return (await this.client.get(this.httpBase(id), '/local/keys', 10_000)) as { applied: number; kvs: Record<string, string> };
  }

  async stopAll(): Promise<void> {
    for (const id of [...this.running.keys()]) await this.kill(id, 'SIGKILL');
    this.client.close();
  }
}
