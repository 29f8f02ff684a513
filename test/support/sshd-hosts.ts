/**
 * Real OpenSSH test hosts for e2e tests and benchmarks: N `sshd -D` daemons on 127.0.1.1 … 127.0.1.N port 22
 * (docs/design.md §3), each with a generated ed25519 host key, plus a known_hosts file (plain and hashed by
 * `ssh-keygen -H`), an authorized user key, an encrypted user key and an unauthorized key.
 *
 * Needs root (port 22, users, sudoers) and /usr/sbin/sshd; .ci/run installs openssh-server and sudo.
 * Knobs: password and keyboard-interactive authentication per host, a non-root user whose sudo needs a
 * password (created idempotently, password renewed per run), a non-root user without sudo rights, and
 * `changeHostKey(i)` to give a host a new identity.
 *
 * Cleanup: `stop()` (call it in afterAll) terminates the daemons and removes the directory. Daemons left by
 * a crashed run are found through pid files in /tmp/scmctl-e2e-sshd/ and killed before starting again;
 * a process 'exit' hook kills any still running if stop() was never reached.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { SshHostOptions } from '../../src/provisioner/hosts/ssh-options.js';

export const SSHD_BIN = existsSync('/usr/sbin/sshd') ? '/usr/sbin/sshd' : 'sshd';
/** A non-root user whose sudo asks for a password. */
export const SUDO_USER = 'scmctl-e2e';
/** A non-root user with no sudo rights. */
export const NOSUDO_USER = 'scmctl-e2e-nosudo';
const REGISTRY = '/tmp/scmctl-e2e-sshd';
const DIR_PREFIX = 'scmctl-sshd-';

export interface SshdHostKnobs {
  /** PasswordAuthentication (default false) */
  readonly passwordAuth?: boolean;
  /** KbdInteractiveAuthentication through PAM (default false) */
  readonly keyboardInteractive?: boolean;
}

export interface SshdHostsOptions extends SshdHostKnobs {
  readonly count: number;
  /** host i listens on 127.0.1.(firstIndex + i); default 1 */
  readonly firstIndex?: number;
  /** per-host overrides of the knobs, by position */
  readonly perHost?: readonly (SshdHostKnobs | undefined)[];
  /** create SUDO_USER and NOSUDO_USER with fresh passwords */
  readonly users?: boolean;
  /** sshd LogLevel; DEBUG1 logs direct-tcpip targets (bastion tests); default INFO */
  readonly logLevel?: 'INFO' | 'VERBOSE' | 'DEBUG1';
  /** passphrase of the encrypted user key; default a random one */
  readonly keyPassphrase?: string;
}

export interface SshdHost {
  readonly index: number;
  readonly name: string;
  readonly address: string;
  readonly port: 22;
  /** `SHA256:…` of the current host key */
  readonly fingerprint: string;
  /** `address keytype base64` */
  readonly knownHostsLine: string;
  /** the daemon's stderr so far (bounded) */
  log(): string;
  /** pid of the listening daemon (per-connection sshd processes are its descendants) */
  pid(): number | undefined;
}

export interface SshdHosts {
  readonly hosts: readonly SshdHost[];
  readonly dir: string;
  /** plain entries for every host */
  readonly knownHostsPath: string;
  /** the same entries, hashed by `ssh-keygen -H` */
  readonly hashedKnownHostsPath: string;
  /** authorized for every user, unencrypted */
  readonly userKeyPath: string;
  /** authorized for every user, encrypted with keyPassphrase */
  readonly encryptedKeyPath: string;
  readonly keyPassphrase: string;
  /** a valid key that no host authorizes */
  readonly wrongKeyPath: string;
  /** present when options.users */
  readonly users?: { readonly sudoUser: string; readonly sudoPassword: string; readonly noSudoUser: string; readonly noSudoPassword: string };
  /** SshHostOptions for host i as root with the user key and the plain known_hosts (secrets from `env`) */
  sshOptions(i: number, overrides?: Partial<SshHostOptions>): SshHostOptions;
  /** gives host i a new host key, restarts its daemon and updates both known_hosts files (copy them first to
   *  keep the old view); returns the new fingerprint */
  changeHostKey(i: number): Promise<string>;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of live) {
      try {
        c.kill('SIGKILL');
      } catch {
        // gone
      }
    }
  });
}

function run(cmd: string, args: readonly string[], input?: string): string {
  return execFileSync(cmd, [...args], { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}

function keygen(path: string, passphrase = '', comment = 'scmctl-e2e'): void {
  rmSync(path, { force: true });
  rmSync(`${path}.pub`, { force: true });
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', comment, '-f', path]);
}

function fingerprintOf(pubPath: string): string {
  // "256 SHA256:xxxx comment (ED25519)"
  return run('ssh-keygen', ['-l', '-E', 'sha256', '-f', pubPath]).split(' ')[1]!;
}

function isOurSshd(pid: number): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmd.some((a) => a.endsWith('sshd')) && cmd.some((a) => a.includes(`/${DIR_PREFIX}`));
  } catch {
    return false;
  }
}

async function waitGone(pid: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!existsSync(`/proc/${pid}`)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Kills a daemon left on `address` by an earlier run of this harness (never anything else). */
async function reapLeftover(address: string): Promise<void> {
  const file = join(REGISTRY, `${address}.pid`);
  if (!existsSync(file)) return;
  const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
  if (Number.isInteger(pid) && isOurSshd(pid)) {
    process.kill(pid, 'SIGKILL');
    await waitGone(pid, 5_000);
  }
  rmSync(file, { force: true });
}

function ensureUser(name: string, password: string, sudoers: string | null): void {
  try {
    run('id', ['-u', name]);
  } catch {
    run('useradd', ['--create-home', '--shell', '/bin/sh', name]);
  }
  run('chpasswd', [], `${name}:${password}\n`);
  const file = `/etc/sudoers.d/${name}`;
  if (sudoers === null) {
    rmSync(file, { force: true });
    return;
  }
  if (!existsSync(file) || readFileSync(file, 'utf8') !== sudoers) {
    writeFileSync(`${file}.tmp`, sudoers, { mode: 0o440 });
    run('visudo', ['-c', '-q', '-f', `${file}.tmp`]);
    run('mv', ['-f', `${file}.tmp`, file]);
  }
}

/** Resolves once the daemon answers with an SSH banner; rejects if it exits first. */
function waitReady(child: ChildProcess, address: string, log: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = false;
    const deadline = Date.now() + 20_000;
    const onExit = (code: number | null): void => {
      if (done) return;
      done = true;
      reject(new Error(`sshd on ${address}:22 exited (${code}) before it was ready:\n${log()}`));
    };
    child.once('exit', onExit);
    const attempt = (): void => {
      if (done) return;
      const s = connect({ host: address, port: 22 });
      let buf = '';
      s.setEncoding('utf8');
      s.on('data', (d: string) => {
        buf += d;
        if (buf.startsWith('SSH-2.0-')) {
          s.destroy();
          if (!done) {
            done = true;
            child.off('exit', onExit);
            resolve();
          }
        }
      });
      s.on('error', () => {
        s.destroy();
        if (Date.now() > deadline) {
          if (!done) {
            done = true;
            reject(new Error(`sshd on ${address}:22 did not accept connections:\n${log()}`));
          }
          return;
        }
        setTimeout(attempt, 25);
      });
    };
    attempt();
  });
}

interface Daemon {
  child: ChildProcess;
  lines: string[];
}

export async function startSshdHosts(options: SshdHostsOptions): Promise<SshdHosts> {
  if (process.getuid?.() !== 0) throw new Error('startSshdHosts needs root (port 22, users, sudoers); CI runs as root');
  installExitHook();
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  mkdirSync(REGISTRY, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
  chmodSync(dir, 0o755); // sshd reads AuthorizedKeysFile as the (non-root) user
  const first = options.firstIndex ?? 1;
  const keyPassphrase = options.keyPassphrase ?? `pp-${randomBytes(6).toString('hex')}`;

  const userKeyPath = join(dir, 'user_ed25519');
  const encryptedKeyPath = join(dir, 'user_enc_ed25519');
  const wrongKeyPath = join(dir, 'wrong_ed25519');
  keygen(userKeyPath);
  keygen(encryptedKeyPath, keyPassphrase);
  keygen(wrongKeyPath);
  const authorized = join(dir, 'authorized_keys');
  writeFileSync(authorized, readFileSync(`${userKeyPath}.pub`, 'utf8') + readFileSync(`${encryptedKeyPath}.pub`, 'utf8'), { mode: 0o644 });

  let users: SshdHosts['users'];
  if (options.users) {
    const sudoPassword = `s-${randomBytes(9).toString('base64url')}`;
    const noSudoPassword = `n-${randomBytes(9).toString('base64url')}`;
    ensureUser(SUDO_USER, sudoPassword, `${SUDO_USER} ALL=(ALL:ALL) ALL\n`);
    ensureUser(NOSUDO_USER, noSudoPassword, null);
    users = { sudoUser: SUDO_USER, sudoPassword, noSudoUser: NOSUDO_USER, noSudoPassword };
  }

  const daemons = new Map<number, Daemon>();
  const state: { fingerprint: string; line: string }[] = [];

  const hostDir = (i: number): string => join(dir, `h${i + 1}`);
  const addressOf = (i: number): string => `127.0.1.${first + i}`;

  const writeConfig = (i: number): string => {
    const knobs = { ...options, ...(options.perHost?.[i] ?? {}) };
    const hd = hostDir(i);
    const cfg = join(hd, 'sshd_config');
    writeFileSync(
      cfg,
      [
        `ListenAddress ${addressOf(i)}:22`,
        `HostKey ${join(hd, 'ssh_host_ed25519_key')}`,
        `PidFile ${join(hd, 'sshd.pid')}`,
        `AuthorizedKeysFile ${authorized}`,
        'StrictModes no',
        'UsePAM yes',
        'PermitRootLogin prohibit-password',
        'PubkeyAuthentication yes',
        `PasswordAuthentication ${knobs.passwordAuth ? 'yes' : 'no'}`,
        `KbdInteractiveAuthentication ${knobs.keyboardInteractive ? 'yes' : 'no'}`,
        'AllowTcpForwarding yes',
        'MaxStartups 200:30:400',
        'MaxSessions 10',
        'PrintMotd no',
        'UseDNS no',
        `LogLevel ${options.logLevel ?? 'INFO'}`,
        '',
      ].join('\n'),
    );
    return cfg;
  };

  const startDaemon = async (i: number): Promise<void> => {
    const address = addressOf(i);
    await reapLeftover(address);
    const cfg = writeConfig(i);
    const child = spawn(SSHD_BIN, ['-D', '-e', '-f', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
    live.add(child);
    child.once('exit', () => live.delete(child));
    const d: Daemon = { child, lines: [] };
    let partial = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      d.lines.push(...parts.map((l) => l.trimEnd()).filter((l) => l !== ''));
      if (d.lines.length > 5000) d.lines.splice(0, d.lines.length - 5000);
    });
    daemons.set(i, d);
    if (child.pid !== undefined) writeFileSync(join(REGISTRY, `${address}.pid`), String(child.pid));
    await waitReady(child, address, () => d.lines.join('\n'));
  };

  const stopDaemon = async (i: number): Promise<void> => {
    const d = daemons.get(i);
    if (!d) return;
    daemons.delete(i);
    const { child } = d;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(t);
    }
    rmSync(join(REGISTRY, `${addressOf(i)}.pid`), { force: true });
  };

  const makeHostKey = (i: number): void => {
    const hd = hostDir(i);
    mkdirSync(hd, { recursive: true });
    const key = join(hd, 'ssh_host_ed25519_key');
    keygen(key, '', `host${i + 1}`);
    const pub = readFileSync(`${key}.pub`, 'utf8').trim().split(/\s+/);
    state[i] = { fingerprint: fingerprintOf(`${key}.pub`), line: `${addressOf(i)} ${pub[0]} ${pub[1]}` };
  };

  const knownHostsPath = join(dir, 'known_hosts');
  const hashedKnownHostsPath = join(dir, 'known_hosts_hashed');
  const writeKnownHosts = (): void => {
    writeFileSync(knownHostsPath, state.map((s) => s.line).join('\n') + '\n');
    writeFileSync(hashedKnownHostsPath, readFileSync(knownHostsPath));
    run('ssh-keygen', ['-q', '-H', '-f', hashedKnownHostsPath]);
    rmSync(`${hashedKnownHostsPath}.old`, { force: true });
  };

  const hosts: SshdHost[] = [];
  try {
    for (let i = 0; i < options.count; i++) makeHostKey(i);
    writeKnownHosts();
    await Promise.all(Array.from({ length: options.count }, (_, i) => startDaemon(i)));
  } catch (err) {
    await Promise.all([...daemons.keys()].map((i) => stopDaemon(i)));
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  for (let i = 0; i < options.count; i++) {
    hosts.push({
      index: i,
      name: `host${i + 1}`,
      address: addressOf(i),
      port: 22,
      get fingerprint() {
        return state[i]!.fingerprint;
      },
      get knownHostsLine() {
        return state[i]!.line;
      },
      log: () => (daemons.get(i)?.lines ?? []).join('\n'),
      pid: () => daemons.get(i)?.child.pid,
    });
  }

  let stopped = false;
  return {
    hosts,
    dir,
    knownHostsPath,
    hashedKnownHostsPath,
    userKeyPath,
    encryptedKeyPath,
    keyPassphrase,
    wrongKeyPath,
    ...(users ? { users } : {}),
    sshOptions(i, overrides = {}) {
      const h = hosts[i]!;
      return {
        name: h.name,
        address: h.address,
        port: 22,
        user: 'root',
        auth: { privateKeyPaths: [userKeyPath] },
        hostKey: { mode: 'strict', knownHostsFiles: [knownHostsPath] },
        secrets: { env: {} },
        connectTimeoutMs: 20_000,
        ...overrides,
      };
    },
    async changeHostKey(i) {
      await stopDaemon(i);
      makeHostKey(i);
      writeKnownHosts();
      await startDaemon(i);
      return state[i]!.fingerprint;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.all([...daemons.keys()].map((i) => stopDaemon(i)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
