/**
 * Access failures over real SSH, on a three-SCM topology over 127.0.1.1–3: an unknown host key (strict), a
 * changed host key (strict, accept-new and off), a wrong key, an unreachable host and a failing sudo each
 * make `scmctl apply --yes` fail with a coded error naming the host, and leave every host as it was
 * (apply reads all hosts before it changes any; the trees are compared before and after).
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTree, scmctl, treeSnapshot, writeSshTopology, type SshTopologyOptions } from '../support/apply-e2e.js';
import { startSshdHosts, type SshdHosts } from '../support/sshd-hosts.js';

let hosts: SshdHosts;
const root = join(tmpdir(), 'scmctl-apply-e2e-errors');
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  removeTree(root);
  mkdirSync(root, { recursive: true });
  hosts = await startSshdHosts({ count: 3, users: true });
  env = { SCMCTL_STATE_DIR: join(root, 'state'), SCMCTL_CACHE_DIR: join(tmpdir(), 'scmctl-apply-e2e-cache') };
});

afterAll(async () => {
  await hosts?.stop();
  removeTree(root);
});

async function refused(name: string, options: Partial<SshTopologyOptions>, extraEnv: NodeJS.ProcessEnv = {}): Promise<{ stderr: string; stdout: string }> {
  const base = join(root, name);
  const file = writeSshTopology(hosts, { name, root: base, scms: 3, ...options });
  const before = treeSnapshot(base);
  const r = await scmctl(['apply', file, '--yes'], { ...env, ...extraEnv }, 120_000);
  expect(r.status, r.stdout + r.stderr).toBe(1);
  expect(r.stderr).toContain('error[PLAN_HOSTS_UNREACHABLE]');
  expect(r.stderr).toContain('nothing was changed on any host');
  // no host got anything: not the failing one, not the others (the topology file itself is the only file)
  expect(treeSnapshot(base)).toBe(before);
  return r;
}

describe('apply refuses hosts it cannot trust or reach, naming them, changing nothing', () => {
  it('unknown host key in strict mode: SSH_HOST_KEY_UNKNOWN', async () => {
    const kh = join(root, 'known_hosts_without_node3');
    writeFileSync(kh, readFileSync(hosts.knownHostsPath, 'utf8').split('\n').filter((l) => !l.startsWith('127.0.1.3 ')).join('\n'));
    const r = await refused('unknown-key', { knownHostsFile: kh });
    expect(r.stderr).toMatch(/error\[SSH_HOST_KEY_UNKNOWN\]: host node3: /);
    expect(r.stderr).not.toMatch(/host node[12]: /);
    expect(r.stdout).toContain('✗ [ssh] node3: error[SSH_HOST_KEY_UNKNOWN]');
  });

  it('wrong key: SSH_AUTH_FAILED', async () => {
    const r = await refused('wrong-key', { hostSsh: { node2: `identityFile: ${hosts.wrongKeyPath}` } });
    expect(r.stderr).toMatch(/error\[SSH_AUTH_FAILED\]: host node2: /);
  });

  it('unreachable host: SSH_UNREACHABLE after the retries', async () => {
    const r = await refused('unreachable', { addresses: { node3: '127.0.1.9' } });
    expect(r.stderr).toMatch(/error\[SSH_UNREACHABLE\]: host node3: .*attempt 3 of 3/);
  });

  it('failing sudo: SUDO_FAILED', async () => {
    const r = await refused('bad-sudo', { hostSsh: { node2: 'become:\n  enabled: true\n  passwordEnv: E2E_WRONG_SUDO_PASSWORD' } }, { E2E_WRONG_SUDO_PASSWORD: 'not-the-password' });
    expect(r.stderr).toMatch(/error\[SUDO_FAILED\]: host node2: /);
    expect(r.stderr + r.stdout).not.toContain('not-the-password');
  });

  it('changed host key: SSH_HOST_KEY_CHANGED in strict, accept-new and off', async () => {
    const old = join(root, 'known_hosts_old');
    copyFileSync(hosts.knownHostsPath, old);
    await hosts.changeHostKey(2);
    for (const mode of ['strict', 'accept-new', 'off'] as const) {
      const kh = join(root, `known_hosts_${mode}`);
      copyFileSync(old, kh);
      const r = await refused(`changed-key-${mode}`, { knownHostsFile: kh, knownHosts: mode });
      expect(r.stderr).toMatch(/error\[SSH_HOST_KEY_CHANGED\]: host node3: REMOTE HOST IDENTIFICATION HAS CHANGED/);
      expect(readFileSync(kh, 'utf8')).toBe(readFileSync(old, 'utf8')); // nothing recorded, even by accept-new
    }
  });
});
