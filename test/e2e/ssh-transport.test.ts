/**
 * The SSH transport against real OpenSSH daemons on 127.0.1.1–3:22 (test/support/sshd-hosts.ts):
 * commands, files, host key policy in every mode, every authentication method, and the coded errors.
 * host1 allows passwords, host2 keyboard-interactive (PAM), host3 keys only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostError } from '../../src/provisioner/hosts/host-error.js';
import type { RemoteHost } from '../../src/provisioner/hosts/remote-host.js';
import { sh } from '../../src/provisioner/hosts/shell-quote.js';
import { connectSsh } from '../../src/provisioner/hosts/ssh-host.js';
import type { SshHostOptions } from '../../src/provisioner/hosts/ssh-options.js';
import { waitNoProcess } from '../support/proc-scan.js';
import { startSshdHosts, type SshdHosts } from '../support/sshd-hosts.js';

let hosts: SshdHosts;
let work: string;

beforeAll(async () => {
  hosts = await startSshdHosts({ count: 3, users: true, perHost: [{ passwordAuth: true }, { keyboardInteractive: true }, {}] });
  work = mkdtempSync(join(tmpdir(), 'scmctl-ssh-e2e-'));
});

afterAll(async () => {
  await hosts?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function withHost<T>(opts: SshHostOptions, fn: (h: RemoteHost) => Promise<T>): Promise<T> {
  const h = await connectSsh(opts);
  try {
    return await fn(h);
  } finally {
    await h.close();
  }
}

async function codeOf(p: Promise<unknown>): Promise<{ code: string; host: string; message: string }> {
  const e = await p.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(HostError);
  const he = e as HostError;
  return { code: he.code, host: he.host, message: he.message };
}

const accepted = (i: number): number => (hosts.hosts[i]!.log().match(/Accepted (publickey|password|keyboard-interactive)/g) ?? []).length;

describe('commands and files over one connection', () => {
  it('runs commands with stdin, stdout, stderr and exit codes, many channels on one connection', async () => {
    const before = accepted(2);
    await withHost(hosts.sshOptions(2), async (h) => {
      expect(h.info).toMatchObject({ name: 'host3', transport: 'ssh', address: '127.0.1.3', user: 'root', hostKeyFingerprint: hosts.hosts[2]!.fingerprint });
      expect(await h.exec(sh`read x; echo "got $x"; echo e >&2; exit 5`, { stdin: 'in put\n' })).toEqual({ stdout: 'got in put\n', stderr: 'e\n', exitCode: 5 });
      expect((await h.exec(sh`printf %s ${"it's $HOME `x`"}`)).stdout).toBe("it's $HOME `x`");
      const many = await Promise.all(Array.from({ length: 20 }, (_, i) => h.exec(sh`echo ${i}`)));
      expect(many.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
    });
    expect(accepted(2) - before).toBe(1);
  });

  it('kills a command past its timeout, leaves no process behind, keeps the connection usable', async () => {
    await withHost(hosts.sshOptions(2), async (h) => {
      expect((await codeOf(h.exec(sh`sleep 3001; echo never`, { timeoutMs: 300 }))).code).toBe('HOST_COMMAND_TIMEOUT');
      expect((await h.exec(sh`echo still here`)).stdout).toBe('still here\n');
    });
    // root logins cannot be signalled over SSH: the host-side `timeout` wrapper kills the group ~1 s later
    expect(await waitNoProcess('sleep 3001')).toBe(true);
  });

  it('writes files atomically, keeps a backup on request, reads and stats them', async () => {
    const f = join(work, 'ozone-site.xml');
    await withHost(hosts.sshOptions(2), async (h) => {
      expect(await h.writeFileAtomic(f, 'one\n', { mode: 0o600 })).toEqual({ backupPath: null });
      expect(await h.writeFileAtomic(f, 'two\n', { mode: 0o640, backupSuffix: '.orig' })).toEqual({ backupPath: `${f}.orig` });
      expect((await h.readFile(f))!.toString()).toBe('two\n');
      expect((await h.readFile(`${f}.orig`))!.toString()).toBe('one\n');
      expect(await h.readFile(join(work, 'absent'))).toBeNull();
      expect(await h.stat(f)).toMatchObject({ exists: true, type: 'file', mode: 0o640, size: 4, owner: 'root' });
      const ls = await h.exec(sh`ls -A ${work}`);
      expect(ls.stdout.split('\n').filter((n) => n.includes('.tmp'))).toEqual([]);
    });
  });

  it('uploads a large file intact', async () => {
    const src = join(work, 'big.bin');
    const data = Buffer.alloc(16 * 1024 * 1024);
    for (let i = 0; i < data.length; i += 4096) data.writeUInt32BE(i, i);
    writeFileSync(src, data);
    await withHost(hosts.sshOptions(2), async (h) => {
      const r = await h.upload(src, join(work, 'big.copy'), { mode: 0o644 });
      expect(r.bytes).toBe(data.length);
      const remote = await h.exec(sh`sha256sum ${join(work, 'big.copy')}`);
      expect(remote.stdout.split(' ')[0]).toBe(createHash('sha256').update(data).digest('hex'));
    });
  });
});

describe('host keys', () => {
  it('refuses an unknown host in strict mode before authenticating', async () => {
    const empty = join(work, 'kh-empty');
    writeFileSync(empty, '');
    const before = accepted(2);
    const e = await codeOf(connectSsh(hosts.sshOptions(2, { hostKey: { knownHostsFiles: [empty] } })));
    expect(e).toMatchObject({ code: 'SSH_HOST_KEY_UNKNOWN', host: 'host3' });
    expect(e.message).toContain(hosts.hosts[2]!.fingerprint);
    expect(accepted(2)).toBe(before);
  });

  it('accepts hashed known_hosts entries written by ssh-keygen -H', async () => {
    await withHost(hosts.sshOptions(2, { hostKey: { mode: 'strict', knownHostsFiles: [hosts.hashedKnownHostsPath] } }), async (h) => {
      expect((await h.exec(sh`echo ok`)).stdout).toBe('ok\n');
    });
  });

  it('accept-new records the key, which strict mode then accepts', async () => {
    const kh = join(work, 'kh-new');
    await withHost(hosts.sshOptions(2, { hostKey: { mode: 'accept-new', knownHostsFiles: [kh] } }), async () => undefined);
    expect(readFileSync(kh, 'utf8')).toBe(`${hosts.hosts[2]!.knownHostsLine}\n`);
    await withHost(hosts.sshOptions(2, { hostKey: { mode: 'strict', knownHostsFiles: [kh] } }), async () => undefined);
    await withHost(hosts.sshOptions(2, { hostKey: { mode: 'accept-new', knownHostsFiles: [kh] } }), async () => undefined);
    expect(readFileSync(kh, 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('connects to a pinned fingerprint without any known_hosts entry, refuses another', async () => {
    const empty = join(work, 'kh-empty2');
    writeFileSync(empty, '');
    await withHost(hosts.sshOptions(2, { hostKey: { fingerprint: hosts.hosts[2]!.fingerprint, knownHostsFiles: [empty] } }), async () => undefined);
    const e = await codeOf(connectSsh(hosts.sshOptions(2, { hostKey: { fingerprint: hosts.hosts[1]!.fingerprint, knownHostsFiles: [empty] } })));
    expect(e.code).toBe('SSH_HOST_KEY_CHANGED');
  });

  it('refuses a changed host key in every mode and leaves known_hosts alone', async () => {
    const kh = join(work, 'kh-changed');
    writeFileSync(kh, readFileSync(hosts.knownHostsPath));
    const oldFp = hosts.hosts[2]!.fingerprint;
    const newFp = await hosts.changeHostKey(2);
    expect(newFp).not.toBe(oldFp);
    const before = readFileSync(kh, 'utf8');
    for (const hostKey of [
      { knownHostsFiles: [kh] },
      { mode: 'strict' as const, knownHostsFiles: [kh] },
      { mode: 'accept-new' as const, knownHostsFiles: [kh] },
      { mode: 'off' as const, knownHostsFiles: [kh] },
      { fingerprint: oldFp, knownHostsFiles: [kh] },
      { fingerprint: newFp, knownHostsFiles: [kh] },
    ]) {
      const e = await codeOf(connectSsh(hosts.sshOptions(2, { hostKey })));
      expect(e, JSON.stringify(hostKey)).toMatchObject({ code: 'SSH_HOST_KEY_CHANGED', host: 'host3' });
    }
    expect(readFileSync(kh, 'utf8')).toBe(before);
    // with the up-to-date file it connects again
    writeFileSync(kh, `${hosts.hosts[2]!.knownHostsLine}\n`);
    await withHost(hosts.sshOptions(2, { hostKey: { knownHostsFiles: [kh] } }), async () => undefined);
  });
});

describe('authentication', () => {
  it('fails with SSH_AUTH_FAILED naming the host for a key the host does not know', async () => {
    const e = await codeOf(connectSsh(hosts.sshOptions(2, { auth: { privateKeyPaths: [hosts.wrongKeyPath] } })));
    expect(e).toMatchObject({ code: 'SSH_AUTH_FAILED', host: 'host3' });
    expect(e.message).toContain('127.0.1.3');
  });

  it('decrypts an encrypted key with the passphrase from the environment or the prompt', async () => {
    const auth = { privateKeyPaths: [hosts.encryptedKeyPath], passphraseEnv: 'SCMCTL_E2E_PASSPHRASE' };
    await withHost(hosts.sshOptions(2, { auth, secrets: { env: { SCMCTL_E2E_PASSPHRASE: hosts.keyPassphrase } } }), async (h) => {
      expect((await h.exec(sh`id -un`)).stdout).toBe('root\n');
    });
    const asked: string[] = [];
    const prompt = async (p: { kind: string }): Promise<string> => {
      asked.push(p.kind);
      return hosts.keyPassphrase;
    };
    await withHost(hosts.sshOptions(2, { auth, secrets: { env: {}, prompt } }), async () => undefined);
    expect(asked).toEqual(['key-passphrase']);
    expect((await codeOf(connectSsh(hosts.sshOptions(2, { auth, secrets: { env: {} } })))).code).toBe('SSH_SECRET_MISSING');
    const wrong = await codeOf(connectSsh(hosts.sshOptions(2, { auth, secrets: { env: { SCMCTL_E2E_PASSPHRASE: 'nope' } } })));
    expect(wrong.code).toBe('SSH_KEY_UNREADABLE');
    expect(wrong.message).not.toContain('nope');
  });

  it('authenticates with a password from an environment variable (host1)', async () => {
    const u = hosts.users!;
    const opts = (pw: string): SshHostOptions =>
      hosts.sshOptions(0, { user: u.sudoUser, auth: { passwordEnv: 'SCMCTL_E2E_SSH_PW' }, secrets: { env: { SCMCTL_E2E_SSH_PW: pw } } });
    await withHost(opts(u.sudoPassword), async (h) => {
      expect((await h.exec(sh`id -un`)).stdout).toBe(`${u.sudoUser}\n`);
    });
    const e = await codeOf(connectSsh(opts('not-the-password')));
    expect(e).toMatchObject({ code: 'SSH_AUTH_FAILED', host: 'host1' });
    expect(e.message).not.toContain('not-the-password');
  });

  it('answers keyboard-interactive password prompts (host2, PAM)', async () => {
    const u = hosts.users!;
    await withHost(
      hosts.sshOptions(1, { user: u.sudoUser, auth: { passwordEnv: 'PW' }, secrets: { env: { PW: u.sudoPassword } } }),
      async (h) => expect((await h.exec(sh`id -un`)).stdout).toBe(`${u.sudoUser}\n`),
    );
    expect(hosts.hosts[1]!.log()).toMatch(/Accepted keyboard-interactive\/pam for scmctl-e2e/);
  });

  it('uses ssh-agent', async () => {
    const sock = join(work, 'agent.sock');
    const agent: ChildProcess = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 500; i++) {
        try {
          readFileSync(sock);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') break;
          await new Promise((r) => setTimeout(r, 10));
        }
      }
      const add = spawn('ssh-add', [hosts.userKeyPath], { env: { SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
      expect(await new Promise((r) => add.once('exit', r))).toBe(0);
      await withHost(hosts.sshOptions(2, { auth: { agent: true }, secrets: { env: { SSH_AUTH_SOCK: sock } } }), async (h) => {
        expect((await h.exec(sh`echo via-agent`)).stdout).toBe('via-agent\n');
      });
    } finally {
      agent.kill('SIGTERM');
    }
  });
});

describe('network failures', () => {
  it('reports an unreachable host as SSH_UNREACHABLE naming it', async () => {
    const e = await codeOf(connectSsh({ ...hosts.sshOptions(2), name: 'scm9', address: '127.0.1.9' }));
    expect(e).toMatchObject({ code: 'SSH_UNREACHABLE', host: 'scm9' });
    expect(e.message).toContain('127.0.1.9');
  });

  it('reports a host that never completes the handshake as SSH_TIMEOUT', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => silent.listen(22, '127.0.1.8', r));
    try {
      const e = await codeOf(connectSsh({ ...hosts.sshOptions(2), name: 'scm8', address: '127.0.1.8', connectTimeoutMs: 500 }));
      expect(e).toMatchObject({ code: 'SSH_TIMEOUT', host: 'scm8' });
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});

describe('keepalive', () => {
  /** Descendants of `pid` (the per-connection sshd processes of a listening daemon). */
  function descendants(pid: number): number[] {
    const children = new Map<number, number[]>();
    for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
      } catch {
        // gone
      }
    }
    const out: number[] = [];
    const walk = (p: number): void => {
      for (const c of children.get(p) ?? []) {
        out.push(c);
        walk(c);
      }
    };
    walk(pid);
    return out;
  }

  it('declares a connection whose server stopped answering lost (SSH_TIMEOUT)', async () => {
    const daemon = hosts.hosts[2]!.pid()!;
    const existing = new Set(descendants(daemon));
    const h = await connectSsh(hosts.sshOptions(2, { keepaliveIntervalMs: 200, keepaliveCountMax: 2 }));
    // this connection's sshd processes ("sshd: root [priv]"; plus "user@notty" for non-root logins)
    const cmdline = (p: number): string => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8');
      } catch {
        return '';
      }
    };
    const mine = descendants(daemon).filter((p) => !existing.has(p) && cmdline(p).startsWith('sshd:'));
    expect(mine.length).toBeGreaterThan(0);
    const signal = (p: number, sig: NodeJS.Signals): void => {
      try {
        process.kill(p, sig);
      } catch {
        // already gone
      }
    };
    for (const p of mine) signal(p, 'SIGSTOP');
    try {
      let err: unknown;
      for (let i = 0; i < 200 && err === undefined; i++) {
        await new Promise((r) => setTimeout(r, 50));
        err = await h.exec(sh`true`, { timeoutMs: 60_000 }).then(
          () => undefined,
          (e: unknown) => e,
        );
      }
      expect(err).toBeInstanceOf(HostError);
      expect((err as HostError).code).toBe('SSH_TIMEOUT');
    } finally {
      for (const p of mine) signal(p, 'SIGKILL');
      await h.close();
    }
  });
});
