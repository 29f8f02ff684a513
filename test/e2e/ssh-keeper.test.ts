/**
 * SSH connections kept between runs (SCMCTL_SSH_PERSIST) over real sshd hosts (127.0.1.1–2): the built scmctl
 * starts its keeper, a second run reuses the same connections and sees the same hosts (identical plan), a whole
 * apply with sudo (password on stdin) and the bundle upload goes through it, the
 * keeper's socket and directory are private and it holds no secret (argv, environment), a keeper killed with
 * SIGKILL leaves a stale socket that the next run replaces, `scmctl connections --close` ends it, and a bad
 * SCMCTL_SSH_PERSIST is a coded error.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { logDirsUnder, scmctl, stopDaemons, writeSshTopology } from '../support/apply-e2e.js';
import type { SshdHosts } from '../support/sshd-hosts.js';
import { sshdSuite } from '../support/sshd-suite.js';

let hosts: SshdHosts;
let env: NodeJS.ProcessEnv;
const root = sshdSuite(
  'scmctl-e2e-keeper',
  (h, e) => {
    hosts = h;
    env = e;
  },
  2,
);

interface Listed {
  readonly socket: string;
  readonly connections: ReadonlyArray<{ host: string; target: string; openedAt: string; clients: number }>;
}

const SECRET = 'not-for-the-keeper-0x5eed';

/** The keeper process serving `socket` (its title, which ps shows, names it), or null. */
function keeperPid(socket: string): number | null {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmdline = readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0+$/, '');
      if (cmdline === `scmctl-ssh-keeper ${socket}`) return Number(d);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

async function listed(e: NodeJS.ProcessEnv): Promise<Listed> {
  const r = await scmctl(['connections', '-o', 'json'], e);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Listed;
}

describe('scmctl keeps SSH connections between runs (SCMCTL_SSH_PERSIST)', () => {
  const kept = (): NodeJS.ProcessEnv => ({ ...env, SCMCTL_SSH_PERSIST: '60s', SCM_SUDO_PASSWORD: SECRET });
  afterAll(async () => {
    if (env) await scmctl(['connections', '--close'], kept());
  });

  it('a second run reuses the connections and reads the same hosts; the keeper is private and holds no secret', async () => {
    const file = writeSshTopology(hosts, { name: 'keeper', root: join(root, 'cluster'), scms: 1, ratis: false, count: 2 });
    const direct = await scmctl(['plan', file], { ...env, SCMCTL_SSH_PERSIST: '' });
    expect(direct.status, direct.stderr).toBe(2);

    const first = await scmctl(['plan', file], kept());
    expect(first.status, first.stderr).toBe(2);
    const after1 = await listed(kept());
    expect(after1.connections.map((c) => [c.host, c.target, c.clients])).toEqual([
      ['node1', `scmctl-e2e@${hosts.hosts[0]!.address}:22`, 0],
      ['node2', `scmctl-e2e@${hosts.hosts[1]!.address}:22`, 0],
    ]);
    const pid = keeperPid(after1.socket);
    expect(pid).not.toBeNull();

    const second = await scmctl(['plan', file], kept());
    expect(second.status, second.stderr).toBe(2);
    // the same plan as with fresh connections: the kept ones read the same hosts
    expect(second.stdout).toBe(direct.stdout);
    expect(first.stdout).toBe(direct.stdout);
    const after2 = await listed(kept());
    expect(after2.connections.map((c) => c.openedAt)).toEqual(after1.connections.map((c) => c.openedAt));
    expect(keeperPid(after1.socket)).toBe(pid);

    // private: no group or other access to the socket, its directory 0700; no secret in its argv or environment
    expect(statSync(after1.socket).mode & 0o077).toBe(0);
    expect(statSync(join(after1.socket, '..')).mode & 0o777).toBe(0o700);
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    for (const text of [environ, cmdline]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('SCM_SUDO_PASSWORD');
    }
  });

  it('a whole apply over kept connections, sudo asking for a password: bundle upload, root files, SCM start; the re-apply is a no-op', async () => {
    const base = join(root, 'sudo');
    const file = writeSshTopology(hosts, { name: 'keeper-sudo', root: base, scms: 1, ratis: false, count: 2, become: { passwordEnv: 'E2E_SUDO_PASSWORD' } });
    const sudoEnv = { ...kept(), E2E_SUDO_PASSWORD: hosts.users!.sudoPassword };
    try {
      const r = await scmctl(['apply', file, '--yes'], sudoEnv);
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toContain(hosts.users!.sudoPassword);
      expect(statSync(join(base, 'node1/meta/scm/current/VERSION')).uid).toBe(0);
      const again = await scmctl(['apply', file, '--yes'], sudoEnv);
      expect(again.stdout).toContain('No changes. The cluster matches the topology.');
      const { socket, connections } = await listed(sudoEnv);
      expect(connections.length).toBeGreaterThanOrEqual(2);
      const pid = keeperPid(socket)!;
      expect(readFileSync(`/proc/${pid}/environ`, 'utf8')).not.toContain(hosts.users!.sudoPassword);
      const status = await scmctl(['status', file], sudoEnv);
      expect(status.status, status.stdout + status.stderr).toBe(0);
    } finally {
      await stopDaemons(logDirsUnder(base));
    }
  });

  it('an idle kept connection is pinged before reuse: answered, it is reused; its sshd frozen with SIGSTOP, it is replaced', async () => {
    const file = join(root, 'cluster', 'keeper.yaml');
    expect((await scmctl(['plan', file], kept())).status).toBe(2);
    const before = await listed(kept());
    // idle past the check: the ping is answered, the same connections are handed out
    await new Promise((r) => setTimeout(r, 5_500));
    expect((await scmctl(['plan', file], kept())).status).toBe(2);
    expect((await listed(kept())).connections.map((c) => c.openedAt)).toEqual(before.connections.map((c) => c.openedAt));
    // the sshd processes serving the kept sessions (OpenSSH titles them `sshd: USER@notty`)
    const frozen = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((d) => {
        try {
          return readFileSync(`/proc/${d}/cmdline`, 'utf8').startsWith('sshd: scmctl-e2e@notty');
        } catch {
          return false;
        }
      })
      .map(Number);
    expect(frozen.length).toBeGreaterThanOrEqual(2);
    for (const pid of frozen) process.kill(pid, 'SIGSTOP');
    try {
      await new Promise((r) => setTimeout(r, 5_500)); // idle long enough to be checked before reuse
      const r = await scmctl(['plan', file], kept());
      expect(r.status, r.stderr).toBe(2);
      const after = await listed(kept());
      expect(after.connections).toHaveLength(2);
      for (const [i, c] of after.connections.entries()) expect(c.openedAt).not.toBe(before.connections[i]!.openedAt);
    } finally {
      for (const pid of frozen) process.kill(pid, 'SIGCONT');
    }
  });

  it('a keeper killed with SIGKILL: the next run replaces its stale socket and connects again', async () => {
    const before = await listed(kept());
    const pid = keeperPid(before.socket)!;
    process.kill(pid, 'SIGKILL');
    while (keeperPid(before.socket) === pid) await new Promise((r) => setTimeout(r, 20));
    expect(statSync(before.socket).isSocket()).toBe(true); // left behind
    const file = join(root, 'cluster', 'keeper.yaml');
    const r = await scmctl(['plan', file], kept());
    expect(r.status, r.stderr).toBe(2);
    const now = await listed(kept());
    expect(now.connections).toHaveLength(2);
    expect(keeperPid(now.socket)).not.toBe(pid);
  });

  it('`connections --close` closes them all and stops the keeper; a bad SCMCTL_SSH_PERSIST is a coded error', async () => {
    const { socket } = await listed(kept());
    const closed = await scmctl(['connections', '--close'], kept());
    expect(closed.stdout).toBe('closed 2 kept SSH connections; the keeper stopped\n');
    while (keeperPid(socket) !== null) await new Promise((r) => setTimeout(r, 20));
    expect((await listed(kept())).connections).toEqual([]);
    expect(() => statSync(socket)).toThrow();

    const bad = await scmctl(['plan', join(root, 'cluster', 'keeper.yaml')], { ...env, SCMCTL_SSH_PERSIST: 'forever' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('error[PLAN_INVALID_OPTION]: SCMCTL_SSH_PERSIST="forever" is not a duration');
  });
});
