/**
 * Helpers for the apply e2e tests and bench:apply: topologies over the real sshd test hosts (login as the
 * harness user `scmctl-e2e`, directories it owns, one tree per host so hosts never collide on the shared
 * filesystem), running the built `bin/scmctl`, and stopping every SCM that apply started (through the pid
 * files under the hosts' log directories) whatever happened.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SUDO_USER, type SshdHosts } from './sshd-hosts.js';

/** The package root, from test/support (vitest) or dist/test/support (benchmarks). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !readFileSync(join(dir, 'package.json'), 'utf8').includes('"name": "scmctl"')) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the scmctl package root');
    dir = up;
  }
  return dir;
}

export const PACKAGE_ROOT = packageRoot();
export const SCMCTL = join(PACKAGE_ROOT, 'bin/scmctl');

export interface SshTopologyOptions {
  readonly name: string;
  /** base directory; host i gets `<root>/<host name>/…` */
  readonly root: string;
  /** the first `scms` sshd hosts carry an SCM each; the others are datanode/om hosts (config only) */
  readonly scms: number;
  /** sshd hosts to use (default all) */
  readonly count?: number;
  readonly ratis?: boolean;
  readonly properties?: Readonly<Record<string, string>>;
  /** per host name: extra lines under that host's `ssh:` (e.g. `identityFile: …`) */
  readonly hostSsh?: Readonly<Record<string, string>>;
  /** replaces the address of a host (unreachable host tests) */
  readonly addresses?: Readonly<Record<string, string>>;
  readonly knownHostsFile?: string;
  readonly knownHosts?: 'strict' | 'accept-new' | 'off';
  readonly become?: { readonly passwordEnv: string };
  readonly user?: string;
  readonly scmStart?: string;
  /** Ozone security (certificates, join tokens, TLS on every port) */
  readonly security?: boolean;
  /** extra lines under `spec:` (each indented by the caller, e.g. a `runtime:` block) */
  readonly extraSpec?: readonly string[];
  /** per node id: its `ports` mapping (e.g. `{ ratis: 9994, grpc: 9995 }`) */
  readonly nodePorts?: Readonly<Record<string, string>>;
}

/** Short Raft timings for tests (docs/ozone-scm-ha.md §10 keys): elections in about a second. */
export const FAST_RAFT: Readonly<Record<string, string>> = {
  'ozone.scm.ha.ratis.leader.election.timeout': '1s',
  'ozone.scm.ha.ratis.request.timeout': '5s',
  'hdds.scmclient.failover.max.retry': '5',
  'hdds.scmclient.failover.retry.interval': '500ms',
  'hdds.heartbeat.interval': '1s',
};

export function hostName(i: number): string {
  return `node${i + 1}`;
}

/** Creates the per-host directories (owned by the harness user) and writes the topology file. */
export function writeSshTopology(hosts: SshdHosts, o: SshTopologyOptions): string {
  const count = o.count ?? hosts.hosts.length;
  mkdirSync(o.root, { recursive: true, mode: 0o755 });
  chmodSync(o.root, 0o755);
  const lines: string[] = [
    'apiVersion: scmctl.io/v1alpha1',
    'kind: ScmCluster',
    'metadata:',
    `  name: ${o.name}`,
    'spec:',
    '  listen: address',
    `  ratis: { enabled: ${o.ratis !== false} }`,
    ...(o.security ? ['  security: { enabled: true, tls: true }'] : []),
    ...(o.extraSpec ?? []),
    '  ssh:',
    `    user: ${o.user ?? SUDO_USER}`,
    `    identityFile: ${hosts.userKeyPath}`,
    `    knownHosts: ${o.knownHosts ?? 'strict'}`,
    `    knownHostsFile: ${o.knownHostsFile ?? hosts.knownHostsPath}`,
    '    agent: false',
    ...(o.become ? ['    become:', '      enabled: true', `      passwordEnv: ${o.become.passwordEnv}`] : []),
    '  services:',
    '    - serviceId: scmservice',
    '      primordial: scm1',
    '      nodes:',
    ...Array.from({ length: o.scms }, (_, i) => `        - { nodeId: scm${i + 1}, host: ${hostName(i)}${o.nodePorts?.[`scm${i + 1}`] ? `, ports: ${o.nodePorts[`scm${i + 1}`]}` : ''} }`),
    '  hosts:',
  ];
  for (let i = 0; i < count; i++) {
    const name = hostName(i);
    const base = join(o.root, name);
    mkdirSync(base, { recursive: true, mode: 0o755 });
    lines.push(
      `    - name: ${name}`,
      `      address: ${o.addresses?.[name] ?? hosts.hosts[i]!.address}`,
      ...(i >= o.scms ? [`      roles: [${i % 2 === 0 ? 'om' : 'datanode'}]`] : []),
      ...(o.hostSsh?.[name] ? ['      ssh:', ...o.hostSsh[name].split('\n').map((l) => `        ${l}`)] : []),
      '      directories:',
      `        install: ${base}/install`,
      `        config: ${base}/conf`,
      `        metadata: ${base}/meta`,
      `        logs: ${base}/logs`,
    );
  }
  // with become the tree stays root's: apply must write it through sudo
  if (!o.become) execFileSync('chown', ['-R', `${o.user ?? SUDO_USER}:`, o.root]);
  const props = { ...(o.ratis !== false ? FAST_RAFT : {}), ...o.properties };
  if (Object.keys(props).length > 0) {
    lines.push('  properties:', ...Object.entries(props).map(([k, v]) => `    ${k}: "${v}"`));
  }
  lines.push('  timeouts:', '    connect: 10s', `    scmStart: ${o.scmStart ?? '90s'}`, '    scmInfoWait: 60s');
  const file = join(o.root, `${o.name}.yaml`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built scmctl to completion (stdin is not a terminal). */
export function scmctl(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 300_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(SCMCTL, [...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(t);
      resolve({ status, stdout, stderr });
    });
  });
}

/** Starts scmctl in the background (for SIGKILL tests); output accumulates on the returned object. */
export function spawnScmctl(args: readonly string[], env: NodeJS.ProcessEnv): { child: ChildProcess; out: () => string; exited: Promise<number | null> } {
  const child = spawn(SCMCTL, [...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return { child, out: () => out, exited };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids of SCMs (and other daemons) apply started under these log directories. */
export function daemonPids(logDirs: readonly string[]): number[] {
  const pids: number[] = [];
  for (const d of logDirs) {
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d).filter((x) => /^ozone-.*\.pid$/.test(x))) {
      const pid = Number.parseInt(readFileSync(join(d, f), 'utf8').trim(), 10);
      if (Number.isInteger(pid) && pid > 1 && alive(pid)) pids.push(pid);
    }
  }
  return pids;
}

/** Stops every daemon found through pid files: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopDaemons(logDirs: readonly string[], graceMs = 5_000): Promise<void> {
  const pids = daemonPids(logDirs);
  for (const p of pids) {
    try {
      process.kill(p, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
  const until = Date.now() + graceMs;
  while (pids.some(alive) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  for (const p of pids.filter(alive)) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** The log directories of a tree made by writeSshTopology. */
export function logDirsUnder(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root).map((h) => join(root, h, 'logs'));
}

/** clusterID of each VERSION file under the tree (host → id, null when missing). */
export function clusterIds(root: string, names: readonly string[], metadataDir = 'meta'): (string | null)[] {
  return names.map((n) => {
    const f = join(root, n, metadataDir, 'scm', 'current', 'VERSION');
    if (!existsSync(f)) return null;
    return /^clusterID=(.*)$/m.exec(readFileSync(f, 'utf8'))?.[1] ?? null;
  });
}

/** Every path under a tree with its type, size and mtime: to show a run changed nothing there. */
export function treeSnapshot(dir: string): string {
  if (!existsSync(dir)) return '';
  return execFileSync('find', [dir, '-printf', '%p %y %s %T@\\n'], { encoding: 'utf8' }).split('\n').sort().join('\n');
}

export function removeTree(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
