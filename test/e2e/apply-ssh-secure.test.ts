/**
 * Secure clusters provisioned by scmctl on three real sshd hosts (127.0.1.1–3): `apply` brings up a secure
 * three-SCM ring, minting one single-use join token per joining SCM on the primordial and handing it over
 * on stdin (never argv: the process table is watched while apply runs); a fourth SCM that joins by hand
 * (127.0.1.4, with its own token) is a ring member the topology does not declare — `status` names it and
 * exits 1, `plan` plans its removal, `apply` decommissions it (its certificate is revoked); `repair`
 * brings back an SCM whose Raft directory was lost (new join token, old certificates revoked); `migrate`
 * grows a secure one-node ring into three.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAST_RAFT, clusterIds, daemonPids, scmctl, spawnScmctl, stopDaemons, writeSshTopology } from '../support/apply-e2e.js';
import { ozone, spawnOzone } from '../support/ozone-process.js';
import { siteProperties, siteXml } from '../support/scm-site.js';
import type { SshdHosts } from '../support/sshd-hosts.js';
import { clusterLogDirs, sshdSuite } from '../support/sshd-suite.js';

let hosts: SshdHosts;
let env: NodeJS.ProcessEnv;
const root = sshdSuite('scmctl-apply-e2e-secure', (h, e) => {
  hosts = h;
  env = e;
});
const names = ['node1', 'node2', 'node3'];
const conf = (base: string, node: string): string => join(base, node, 'conf');

function roles(base: string): { id: string; role: string; address: string }[] {
  const r = ozone(['--conf', conf(base, 'node1'), 'admin', 'scm', 'roles', '--json']);
  expect(r.status, r.stderr).toBe(0);
  return Object.values(JSON.parse(r.stdout) as Record<string, { ID: string; raftPeerRole: string; address: string }>).map((p) => ({ id: p.ID, role: p.raftPeerRole, address: p.address }));
}

describe('scmctl on a secure cluster over SSH', () => {
  it('apply brings up a secure ring with join tokens that never appear on a command line', async () => {
    const base = join(root, 'secure');
    const file = writeSshTopology(hosts, { name: 'e2e-secure', root: base, scms: 3, security: true });
    const run = spawnScmctl(['apply', file, '--yes'], env);
    // watch every process's argv while apply runs: no token-shaped string may show up
    const seen = new Set<string>();
    const watcher = setInterval(() => {
      const ps = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout;
      for (const m of ps.matchAll(/\b[a-z0-9]{6}\.[a-z0-9]{32}\b/g)) seen.add(m[0]);
      if (/--token-file -/.test(ps)) seen.add('(bootstrap seen)');
    }, 20);
    const code = await run.exited;
    clearInterval(watcher);
    expect(code, run.out()).toBe(0);
    expect(seen.has('(bootstrap seen)')).toBe(true); // the watcher did look while the bootstraps ran
    expect([...seen].filter((s) => s !== '(bootstrap seen)')).toEqual([]);
    expect(run.out()).toMatch(/bootstrap scmservice\/scm2 on node2 \(ozone scm --bootstrap with a join token\)/);
    expect(new Set(clusterIds(base, names)).size).toBe(1);
    expect(roles(base).map((p) => p.role).sort()).toEqual(['FOLLOWER', 'FOLLOWER', 'LEADER']);
    const tokens = ozone(['--conf', conf(base, 'node1'), 'admin', 'scm', 'token', 'list', '--json']);
    expect(tokens.status, tokens.stderr).toBe(0);
    expect((JSON.parse(tokens.stdout) as { state: string; scope: { nodeId: string } }[]).map((t) => [t.scope.nodeId, t.state])).toEqual([
      ['scm2', 'used'],
      ['scm3', 'used'],
    ]);
    const journalDir = join(root, 'state', 'journal');
    const journals = spawnSync('sh', ['-c', `cat ${journalDir}/*`], { encoding: 'utf8' }).stdout;
    expect(journals).not.toMatch(/\b[a-z0-9]{6}\.[a-z0-9]{32}\b/);
    expect((await scmctl(['plan', file], env)).status).toBe(0);
    const st = await scmctl(['status', file], env);
    expect(st.status, st.stdout + st.stderr).toBe(0);
  });

  it('a ring member the topology does not declare: status exits 1 naming it, plan removes it, apply decommissions it', async () => {
    const base = join(root, 'secure');
    const file = join(base, 'e2e-secure.yaml');
    // a fourth SCM joins by hand on 127.0.1.4 with a token of its own
    const strangerDir = join(base, 'stranger');
    mkdirSync(join(strangerDir, 'conf'), { recursive: true });
    const addrs = [...hosts.hosts.map((h) => h.address), '127.0.1.4'];
    writeFileSync(
      join(strangerDir, 'conf', 'ozone-site.xml'),
      siteXml(siteProperties({ hosts: addrs, metadataDir: () => join(strangerDir, 'meta'), nodeId: 'scm4', ratis: true, primordial: 'scm1', extra: { ...FAST_RAFT, 'ozone.security.enabled': 'true', 'hdds.grpc.tls.enabled': 'true' } })),
    );
    const made = ozone(['--conf', conf(base, 'node1'), 'admin', 'scm', 'token', 'create', '--type', 'scm', '--node-id', 'scm4', '--host', '127.0.1.4', '--json']);
    expect(made.status, made.stderr).toBe(0);
    const t = JSON.parse(made.stdout) as { token: string; caCertHash: string };
    const tokenFile = join(strangerDir, 'token');
    writeFileSync(tokenFile, `${t.token}\n`, { mode: 0o600 });
    const boot = ozone(['--conf', join(strangerDir, 'conf'), 'scm', '--bootstrap', '--token-file', tokenFile, '--ca-cert-hash', t.caCertHash]);
    expect(boot.status, boot.stderr).toBe(0);
    const stranger = spawnOzone(['--conf', join(strangerDir, 'conf'), 'scm']);
    try {
      await stranger.waitFor(/SCM started/, 120_000);
      const uuid = /scmUuid=(\S+)/.exec(readFileSync(join(strangerDir, 'meta', 'scm', 'current', 'VERSION'), 'utf8'))![1]!;
      expect(roles(base).map((p) => p.id)).toContain(uuid);

      const st = await scmctl(['status', file], env);
      expect(st.status).toBe(1);
      expect(st.stdout).toContain(`${uuid} at 127.0.1.4:9894 is in the ring (FOLLOWER) but not in the topology`);
      const plan = await scmctl(['plan', file], env);
      expect(plan.status).toBe(2);
      expect(plan.stdout).toMatch(new RegExp(`- remove ${uuid} at 127\\.0\\.1\\.4:9894 from scmservice`));
      const r = await scmctl(['apply', file, '--yes'], env);
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(roles(base).map((p) => p.id)).not.toContain(uuid);
      expect(roles(base)).toHaveLength(3);
      const certs = JSON.parse(ozone(['--conf', conf(base, 'node1'), 'admin', 'cert', 'list', '--role', 'SCM', '--json']).stdout) as { subject: string; revoked: unknown }[];
      expect(certs.find((c) => c.subject.includes(uuid))?.revoked).toBeTruthy();
      expect((await scmctl(['status', file], env)).status).toBe(0);
    } finally {
      stranger.signal('SIGKILL');
      await stranger.exited;
    }
  });

  it('repair over SSH: an SCM whose Raft directory was lost rejoins with a new join token; its old certificates are revoked', async () => {
    const base = join(root, 'secure');
    const file = join(base, 'e2e-secure.yaml');
    const old = /scmUuid=(\S+)/.exec(readFileSync(join(base, 'node2', 'meta', 'scm', 'current', 'VERSION'), 'utf8'))![1]!;
    for (const pid of daemonPids([join(base, 'node2', 'logs')])) process.kill(pid, 'SIGKILL');
    rmSync(join(base, 'node2', 'meta', 'scm.ratis'), { recursive: true, force: true });
    const st = await scmctl(['status', file], env);
    expect(st.status).toBe(1);
    const r = await scmctl(['repair', file, 'scm2', '--yes'], env);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('bootstrap scmservice/scm2 on node2 again (ozone scm --bootstrap with a join token)');
    const now = /scmUuid=(\S+)/.exec(readFileSync(join(base, 'node2', 'meta', 'scm', 'current', 'VERSION'), 'utf8'))![1]!;
    expect(now).not.toBe(old);
    expect(roles(base).map((p) => p.id)).toContain(now);
    expect(roles(base).map((p) => p.id)).not.toContain(old);
    const certs = JSON.parse(ozone(['--conf', conf(base, 'node1'), 'admin', 'cert', 'list', '--role', 'SCM', '--json']).stdout) as { subject: string; revoked: unknown }[];
    expect(certs.find((c) => c.subject.includes(old))?.revoked).toBeTruthy();
    expect(certs.find((c) => c.subject.includes(now))?.revoked).toBeFalsy();
    expect(readdirSync(join(base, 'node2')).some((d) => /^meta\.repair-\d{8}T\d{6}Z$/.test(d))).toBe(true);
    expect((await scmctl(['status', file], env)).status).toBe(0);
  });

  it('migrate grows a secure one-node ring into three SCMs', async () => {
    await stopDaemons(clusterLogDirs(root));
    const base = join(root, 'secure-migrate');
    const file = writeSshTopology(hosts, { name: 'e2e-secure-mig', root: base, scms: 1, security: true });
    const first = await scmctl(['apply', file, '--yes'], env);
    expect(first.status, first.stdout + first.stderr).toBe(0);
    const [cid] = clusterIds(base, ['node1']);
    writeSshTopology(hosts, { name: 'e2e-secure-mig', root: base, scms: 3, security: true });
    const r = await scmctl(['migrate', file, '--yes'], env);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(clusterIds(base, names)).toEqual([cid, cid, cid]);
    expect(roles(base).map((p) => p.role).sort()).toEqual(['FOLLOWER', 'FOLLOWER', 'LEADER']);
    for (const n of names) {
      const l = ozone(['--conf', conf(base, n), 'admin', 'scm', 'roles']);
      expect(l.status, l.stderr).toBe(0);
    }
  });
});
