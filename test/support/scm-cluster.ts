/**
 * A loopback SCM cluster of real `bin/ozone` processes for e2e tests and `bench:scm`: one conf dir and one
 * metadata dir per node (`ozone.scm.node.id` + `ozone.metadata.dirs` per node, every listener bound to
 * the node's own host, Ozone's default ports), commands run asynchronously (never blocking the event
 * loop that drains the background processes' output), SCM processes started/killed by node id, and
 * /status read over HTTP. Every process goes through ozone-process.ts, so `killAll` covers them.
 * Secure clusters (`ozone.security.enabled`): /status is read over HTTPS with a node's admin identity,
 * client commands authenticate with scm1's admin identity (OZONE_CLIENT_IDENTITY_DIR), and join tokens are
 * minted with `ozone admin scm token create --json` and handed to `--bootstrap` in a 0600 file.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { adminIdentityDir } from '../../src/scm/ca/scm-certificates.js';
import { loadIdentity } from '../../src/scm/ca/identity-store.js';
import { OZONE, spawnOzone, type OzoneProcess, type Run } from './ozone-process.js';
import { siteProperties, siteXml } from './scm-site.js';
import { waitUntil } from './wait.js';

export interface ScmClusterOptions {
  readonly root: string;
  readonly hosts: readonly string[];
  readonly ratis?: boolean;
  readonly primordial?: string;
  readonly extra?: Readonly<Record<string, string>>;
}

export interface ScmStatusJson {
  readonly scmUuid: string;
  readonly clusterId: string;
  readonly nodeId: string;
  readonly mode: string;
  readonly role: string;
  readonly leaderReady: boolean;
  readonly term: number;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly containers: Record<string, number>;
  readonly datanodes: Record<string, number>;
  readonly sequenceIds: Record<string, number>;
  readonly ring: ReadonlyArray<{ nodeId: string | null; scmUuid: string; address: string; role: string }>;
  readonly raft?: { snapshotIndex: number; snapshotsInstalled: number; checkpointsInstalled: number; lastCheckpoint: { from: string; index: number } | null; membership: string };
}

/** Runs `bin/ozone` without blocking the event loop; resolves with its exit status and output. */
export function ozoneAsync(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 300_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(OZONE, [...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

export class ScmCluster {
  readonly ids: string[];
  private readonly procs = new Map<string, OzoneProcess>();
  private count: number;

  constructor(readonly o: ScmClusterOptions, count = o.hosts.length) {
    this.ids = o.hosts.map((_, i) => `scm${i + 1}`);
    this.count = count;
  }

  host(id: string): string {
    return this.o.hosts[this.ids.indexOf(id)]!;
  }
  meta(id: string): string {
    return join(this.o.root, id, 'meta');
  }
  confDir(id: string): string {
    return join(this.o.root, id, 'conf');
  }
  env(id: string): NodeJS.ProcessEnv {
    return { OZONE_CONF_DIR: this.confDir(id), OZONE_LOG_LEVEL: 'info' };
  }
  get secure(): boolean {
    return this.o.extra?.['ozone.security.enabled'] === 'true';
  }
  adminDir(id = 'scm1'): string {
    return adminIdentityDir(this.meta(id));
  }
  /** conf dir for clients (no node id): freon, datanodes, admin; secure: scm1's admin identity */
  clientEnv(): NodeJS.ProcessEnv {
    return { OZONE_CONF_DIR: join(this.o.root, 'client'), ...(this.secure ? { OZONE_CLIENT_IDENTITY_DIR: this.adminDir() } : {}) };
  }

  /** Mints a join token on the running cluster (scm1's admin identity); the token goes into a 0600 file. */
  async token(args: readonly string[]): Promise<{ file: string; caCertHash: string; id: string }> {
    const r = await this.run('client', ['admin', 'scm', 'token', 'create', ...args, '--json']);
    if (r.status !== 0) throw new Error(`token create failed (${r.status}): ${r.stderr}`);
    const j = JSON.parse(r.stdout) as { token: string; caCertHash: string; id: string };
    const file = join(this.o.root, `token-${j.id}`);
    writeFileSync(file, `${j.token}\n`, { mode: 0o600 });
    return { file, caCertHash: j.caCertHash, id: j.id };
  }

  /** `ozone scm --bootstrap` on a node; on a secure cluster with a fresh SCM token. */
  async bootstrap(id: string): Promise<Run> {
    if (!this.secure || existsSync(join(this.meta(id), 'scm', 'current', 'VERSION'))) return this.run(id, ['scm', '--bootstrap']);
    const t = await this.token(['--type', 'scm', '--node-id', id, '--host', this.host(id)]);
    return this.run(id, ['scm', '--bootstrap', '--token-file', t.file, '--ca-cert-hash', t.caCertHash]);
  }

  /** Writes every node's ozone-site.xml (and the client's) listing the first `count` nodes. */
  writeConfs(count = this.count, extra: Readonly<Record<string, string>> = {}): void {
    this.count = count;
    const hosts = this.o.hosts.slice(0, count);
    const base = { hosts, metadataDir: (id: string) => this.meta(id), ratis: this.o.ratis ?? true, ...(this.o.primordial ? { primordial: this.o.primordial } : {}) };
    for (const id of this.ids.slice(0, count)) {
      mkdirSync(this.confDir(id), { recursive: true });
      writeFileSync(join(this.confDir(id), 'ozone-site.xml'), siteXml(siteProperties({ ...base, nodeId: id, extra: { ...this.o.extra, ...extra } })));
    }
    const client = join(this.o.root, 'client');
    mkdirSync(client, { recursive: true });
    writeFileSync(join(client, 'ozone-site.xml'), siteXml(siteProperties({ ...base, extra: { ...this.o.extra, ...extra } })));
  }

  run(id: string | 'client', args: readonly string[], timeoutMs?: number): Promise<Run> {
    return ozoneAsync(args, id === 'client' ? this.clientEnv() : this.env(id), timeoutMs);
  }

  async start(id: string): Promise<OzoneProcess> {
    const p = spawnOzone(['scm'], this.env(id));
    this.procs.set(id, p);
    await p.waitFor(/SCM started/, 120_000);
    return p;
  }

  proc(id: string): OzoneProcess | undefined {
    return this.procs.get(id);
  }

  async kill(id: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    const p = this.procs.get(id);
    if (!p) return null;
    p.signal(signal);
    const code = await p.exited;
    this.procs.delete(id);
    return code;
  }

  running(): string[] {
    return [...this.procs.keys()];
  }

  private async get(id: string, path: string): Promise<string> {
    if (!this.secure) return (await fetch(`http://${this.host(id)}:9876${path}`, { signal: AbortSignal.timeout(5000) })).text();
    const a = loadIdentity(existsSync(this.adminDir(id)) ? this.adminDir(id) : this.adminDir(), 'admin identity');
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        { host: this.host(id), port: 9877, path, key: a.privateKeyPem, cert: [a.certPem, ...a.chainPem].join(''), ca: a.rootPem, checkServerIdentity: () => undefined, timeout: 5000 },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${path}: HTTP ${res.statusCode}`))));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end();
    });
  }

  async status(id: string): Promise<ScmStatusJson> {
    return JSON.parse(await this.get(id, '/status')) as ScmStatusJson;
  }

  async prom(id: string): Promise<string> {
    return this.get(id, '/prom');
  }

  /** The running node that is leader-ready (waits for one). */
  async leader(options: { not?: string; timeoutMs?: number } = {}): Promise<string> {
    let found: string | undefined;
    await waitUntil(async () => {
      for (const id of this.running()) {
        if (id === options.not) continue;
        const s = await this.status(id).catch(() => undefined);
        if (s?.leaderReady) {
          found = id;
          return true;
        }
      }
      return false;
    }, 'a leader-ready SCM', options.timeoutMs ?? 60_000);
    return found!;
  }

  /** Waits until every running node applied the same index and it stayed put for a while (no more changes). */
  async quiescent(ids = this.running(), stableMs = 1500): Promise<number> {
    let last = '';
    let since = Date.now();
    let index = 0;
    await waitUntil(async () => {
      const s = await Promise.all(ids.map((id) => this.status(id)));
      const key = s.map((x) => `${x.appliedIndex}/${x.commitIndex}`).join(',');
      const same = s.every((x) => x.appliedIndex === s[0]!.appliedIndex);
      if (key !== last || !same) {
        last = key;
        since = Date.now();
        return false;
      }
      index = s[0]!.appliedIndex;
      return Date.now() - since >= stableMs;
    }, `nodes ${ids.join(',')} quiescent`, 120_000);
    return index;
  }

  version(id: string): Record<string, string> {
    const text = readFileSync(join(this.meta(id), 'scm/current/VERSION'), 'latin1');
    return Object.fromEntries(text.split('\n').filter((l) => l.includes('=') && !l.startsWith('#')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  }

  /** `ozone debug ldb --db=<meta>/scm.db scan --column-family=containers --compact` on a node (live: via its checkpoint). */
  async scanContainers(id: string): Promise<{ text: string; sha256: string }> {
    const r = await this.run(id, ['debug', 'ldb', `--db=${join(this.meta(id), 'scm.db')}`, 'scan', '--column-family=containers', '--compact'], 600_000);
    if (r.status !== 0) throw new Error(`ldb scan on ${id} failed (${r.status}): ${r.stderr}`);
    return { text: r.stdout, sha256: createHash('sha256').update(r.stdout).digest('hex') };
  }
}
