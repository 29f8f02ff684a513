/**
 * sudo over SSH as a non-root user whose sudo needs a password (and the local transport run as that user):
 * commands and files as root, the password fed on stdin and never visible in any process's argv or
 * environment, and SUDO_FAILED naming the host for a wrong password or a user without sudo rights.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { accessSync, chmodSync, constants, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostError } from '../../src/provisioner/hosts/host-error.js';
import type { RemoteHost } from '../../src/provisioner/hosts/remote-host.js';
import { sh } from '../../src/provisioner/hosts/shell-quote.js';
import { connectSsh } from '../../src/provisioner/hosts/ssh-host.js';
import type { SshHostOptions } from '../../src/provisioner/hosts/ssh-options.js';
import { allProcessText, waitNoProcess } from '../support/proc-scan.js';
import { startSshdHosts, type SshdHosts } from '../support/sshd-hosts.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
let hosts: SshdHosts;
let rootOnly: string;

beforeAll(async () => {
  hosts = await startSshdHosts({ count: 1, users: true });
  rootOnly = mkdtempSync(join(tmpdir(), 'scmctl-root-only-'));
  chmodSync(rootOnly, 0o700);
});

afterAll(async () => {
  await hosts?.stop();
  if (rootOnly) rmSync(rootOnly, { recursive: true, force: true });
});

const ENV = 'SCMCTL_E2E_SUDO_PW';
function asUser(user: string, password: string): SshHostOptions {
  return hosts.sshOptions(0, { user, secrets: { env: { [ENV]: password } }, sudo: { passwordEnv: ENV } });
}

async function withHost<T>(opts: SshHostOptions, fn: (h: RemoteHost) => Promise<T>): Promise<T> {
  const h = await connectSsh(opts);
  try {
    return await fn(h);
  } finally {
    await h.close();
  }
}

describe('sudo over SSH', () => {
  it('runs commands and writes files as root, the caller stdin intact after the password line', async () => {
    const u = hosts.users!;
    await withHost(asUser(u.sudoUser, u.sudoPassword), async (h) => {
      expect((await h.exec(sh`id -un`)).stdout).toBe(`${u.sudoUser}\n`);
      expect((await h.exec(sh`id -u`, { sudo: true })).stdout).toBe('0\n');
      expect((await h.exec(sh`cat`, { sudo: true, stdin: 'line1\nline2' })).stdout).toBe('line1\nline2');
      const f = join(rootOnly, 'site.xml');
      await h.writeFileAtomic(f, '<configuration/>\n', { mode: 0o640, sudo: true, owner: `${u.sudoUser}:${u.sudoUser}` });
      expect(await h.stat(f, { sudo: true })).toMatchObject({ exists: true, owner: u.sudoUser, mode: 0o640 });
      expect((await h.readFile(f, { sudo: true }))!.toString()).toBe('<configuration/>\n');
      // without sudo the login user cannot even look into the directory
      await expect(h.readFile(f)).rejects.toMatchObject({ code: 'HOST_READ_FAILED' });
      const data = randomBytes(2 * 1024 * 1024);
      const src = join(hosts.dir, 'payload.bin');
      execFileSync('sh', ['-c', `cat > ${src}`], { input: data });
      await h.upload(src, join(rootOnly, 'payload.bin'), { mode: 0o600, sudo: true });
      expect(createHash('sha256').update(readFileSync(join(rootOnly, 'payload.bin'))).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    });
  });

  it('keeps every exit status when many fast commands share the connection (login shell dash)', async () => {
    const u = hosts.users!;
    await withHost(asUser(u.sudoUser, u.sudoPassword), async (h) => {
      const runs = await Promise.all(Array.from({ length: 96 }, (_, i) => h.exec(sh`exit ${i % 7}`, { sudo: i % 3 === 0 })));
      expect(runs.map((r) => r.exitCode)).toEqual(Array.from({ length: 96 }, (_, i) => i % 7));
    });
  });

  it('never shows the password in any process argv or environment', async () => {
    const u = hosts.users!;
    const marker = `scmctl-ps-probe-${randomBytes(4).toString('hex')}`;
    await withHost(asUser(u.sudoUser, u.sudoPassword), async (h) => {
      const stdin = new PassThrough();
      const running = h.exec(sh`cat >/dev/null; echo ${marker}`, { sudo: true, stdin });
      let seen = '';
      for (let i = 0; i < 1000 && !seen.includes(marker); i++) {
        seen = allProcessText();
        if (!seen.includes(marker)) await new Promise((r) => setTimeout(r, 10));
      }
      expect(seen).toContain(marker); // the root command is running right now, waiting on stdin
      expect(seen).not.toContain(u.sudoPassword);
      const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
      expect(ps).toContain(marker);
      expect(ps).not.toContain(u.sudoPassword);
      stdin.end('data for the command');
      expect((await running).stdout).toBe(`${marker}\n`);
    });
  });

  it('fails with SUDO_FAILED naming the host for a wrong password, and runs nothing', async () => {
    const u = hosts.users!;
    const flag = join(hosts.dir, 'must-not-exist');
    await withHost(asUser(u.sudoUser, 'wrong-password-123'), async (h) => {
      const e = await h.exec(sh`touch ${flag}`, { sudo: true }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(HostError);
      expect(e).toMatchObject({ code: 'SUDO_FAILED', host: 'host1' });
      expect((e as HostError).message).not.toContain('wrong-password-123');
      // non-sudo commands still work on the same connection
      expect((await h.exec(sh`echo fine`)).stdout).toBe('fine\n');
    });
    expect(existsSync(flag)).toBe(false);
  });

  it('kills a root command past its timeout, leaving no process behind', async () => {
    const u = hosts.users!;
    await withHost(asUser(u.sudoUser, u.sudoPassword), async (h) => {
      await expect(h.exec(sh`sleep 3002; echo never`, { sudo: true, timeoutMs: 300 })).rejects.toMatchObject({ code: 'HOST_COMMAND_TIMEOUT' });
      expect((await h.exec(sh`id -u`, { sudo: true })).stdout).toBe('0\n');
    });
    expect(await waitNoProcess('sleep 3002')).toBe(true);
  });

  it('fails with SUDO_FAILED for a user sudo does not allow', async () => {
    const u = hosts.users!;
    await withHost(asUser(u.noSudoUser, u.noSudoPassword), async (h) => {
      await expect(h.exec(sh`id -u`, { sudo: true })).rejects.toMatchObject({ code: 'SUDO_FAILED', host: 'host1' });
    });
  });
});

describe('local transport as a non-root user', () => {
  /** The compiled probe, from a copy readable by the user when the checkout is not (e.g. under /root). */
  function probeScript(): string {
    const built = join(root, 'dist/test/support/local-sudo-probe.js');
    const readable = spawnSync('runuser', ['-u', hosts.users!.sudoUser, '--', 'test', '-r', built]).status === 0;
    if (readable) return built;
    const copy = mkdtempSync(join(tmpdir(), 'scmctl-probe-'));
    chmodSync(copy, 0o755);
    for (const p of ['dist', 'node_modules', 'package.json']) cpSync(join(root, p), join(copy, p), { recursive: true });
    return join(copy, 'dist/test/support/local-sudo-probe.js');
  }

  it('uses sudo with the password on stdin and keeps the secret variable out of its children', () => {
    const u = hosts.users!;
    accessSync(join(root, 'dist/test/support/local-sudo-probe.js'), constants.R_OK);
    const script = probeScript();
    const run = (pw: string, target: string): Record<string, unknown> => {
      const r = spawnSync('runuser', ['-u', u.sudoUser, '--', process.execPath, script, target], {
        encoding: 'utf8',
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', [ENV]: pw },
        cwd: '/',
      });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout.trim()) as Record<string, unknown>;
    };
    const dir = join(rootOnly, 'local');
    mkdirSync(dir, { mode: 0o700 });
    expect(run(u.sudoPassword, join(dir, 'f'))).toEqual({ user: u.sudoUser, rootUid: '0', owner: 'root', childEnvHasSecret: false });
    expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('written by root\n');
    expect(run('wrong', join(dir, 'g'))).toEqual({ error: 'SUDO_FAILED' });
  });
});
