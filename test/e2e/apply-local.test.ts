/**
 * `transport: local`, no SSH: the examples applied on this machine with the built scmctl. The standalone
 * example (what the embedded SCM runs without Raft): apply, plan → "No changes", status healthy, then the SCM
 * is stopped. Every SCM apply started is stopped in afterAll through its pid file, even on failure.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterIds, removeTree, SCMCTL, scmctl, stopDaemons } from '../support/apply-e2e.js';
import { ozone, ROOT } from '../support/ozone-process.js';

const data = '/tmp/scmctl-local-ha';
const logs = ['scm1', 'scm2', 'scm3'].map((n) => join(data, n, 'logs'));
const env = { SCMCTL_STATE_DIR: join(tmpdir(), 'scmctl-apply-local-state'), SCMCTL_CACHE_DIR: join(tmpdir(), 'scmctl-apply-e2e-cache') };

/** Runs a shell line (the pty tests need script(1) and a pipe). */
function shell(line: string, extra: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', line], { env: { ...process.env, ...extra }, timeout: 120_000 }, (err, stdout) => {
      resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: String(stdout) });
    });
  });
}

beforeAll(async () => {
  await stopDaemons(logs);
  removeTree(data);
  removeTree(env.SCMCTL_STATE_DIR);
});

afterAll(async () => {
  await stopDaemons(logs);
  removeTree(data);
  removeTree(env.SCMCTL_STATE_DIR);
});

describe('apply on this machine (transport: local)', () => {
  it('examples/standalone.yaml with an air-gapped bundle: bundle create + verify, apply --bundle, then "No changes", status healthy', async () => {
    const file = join(ROOT, 'examples/standalone.yaml');
    const out = join(tmpdir(), 'scmctl-apply-local-bundle');
    removeTree(out);
    const made = await scmctl(['bundle', 'create', '--out', out], env);
    expect(made.status, made.stderr).toBe(0);
    const tarball = made.stdout.split('\n')[0]!;
    expect(tarball).toMatch(/scmctl-0\.1\.0-linux-x64\.tar\.gz$/);
    const release = /release (\S+),/.exec(made.stdout)![1]!;
    const verified = await scmctl(['bundle', 'verify', tarball], env);
    expect(verified.status, verified.stderr).toBe(0);
    expect(verified.stdout).toContain(`${tarball}: OK`);
    const r = await scmctl(['apply', file, '--yes', '--bundle', tarball], env);
    removeTree(out);
    expect(r.stdout).toContain(`install release ${release} on scm1`);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('Apply complete');
    const [cid] = clusterIds(data, ['scm1'], 'metadata');
    expect(cid).toMatch(/^CID-/);
    const p = await scmctl(['plan', file], env);
    expect(p.status).toBe(0);
    expect(p.stdout).toContain('No changes. The cluster matches the topology.');
    const s = await scmctl(['status', file], env);
    expect(s.status, s.stdout).toBe(0);
    expect(s.stdout).toMatch(/scmservice\/scm1\s+scm1\s+LEADER\s+yes\s+CID-/);

    // on a real terminal (a pty from script(1)) apply asks, and only "yes" goes ahead
    const changed = join(tmpdir(), 'scmctl-apply-local-changed.yaml');
    writeFileSync(changed, `${readFileSync(file, 'utf8')}  properties:\n    ozone.scm.container.size: 1GB\n`);
    const asked = (answer: string) => shell(`printf '${answer}\\n' | script -qec ${JSON.stringify(`${SCMCTL} apply ${changed}`)} /dev/null`, env);
    const no = await asked('no');
    expect(no.stdout).toContain('Apply these 3 changes to cluster local-standalone? Only "yes" is accepted:');
    expect(no.stdout).toContain('error[APPLY_DECLINED]');
    expect(no.status).toBe(1);
    expect((await scmctl(['plan', changed], env)).status).toBe(2);
    const yes = await asked('yes');
    expect(yes.stdout).toContain('Apply complete');
    expect(yes.status).toBe(0);
    expect((await scmctl(['plan', changed], env)).status).toBe(0);
    removeTree(changed);

    await stopDaemons(logs);
    const down = await scmctl(['status', file], env);
    expect(down.status).toBe(1);
    expect(down.stdout).toContain('scm1: not running');
  });

  it('examples/local-ha.yaml on the standalone SCM\'s data: the documented migration, same clusterID, 1 LEADER + 2 FOLLOWER', async () => {
    const [cid] = clusterIds(data, ['scm1'], 'metadata'); // left (stopped) by the test above
    expect(cid).toMatch(/^CID-/);
    const file = join(ROOT, 'examples/local-ha.yaml');
    const p = await scmctl(['plan', file], env);
    expect(p.status).toBe(2);
    expect(p.stdout).not.toContain('ozone scm --init');
    expect(p.stdout).toContain('bootstrap scmservice/scm2 on scm2');
    const r = await scmctl(['apply', file, '--yes'], env);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(clusterIds(data, ['scm1', 'scm2', 'scm3'], 'metadata')).toEqual([cid, cid, cid]);
    const s = await scmctl(['status', file, '--output', 'json'], env);
    expect(s.status, s.stdout).toBe(0);
    const st = JSON.parse(s.stdout) as { healthy: boolean; nodes: { role: string }[] };
    expect(st.healthy).toBe(true);
    expect(st.nodes.map((n) => n.role).sort()).toEqual(['FOLLOWER', 'FOLLOWER', 'LEADER']);
    expect((await scmctl(['plan', file], env)).status).toBe(0);
  });

  it('the README\'s main command on a fresh machine: scmctl apply examples/local-ha.yaml, then status shows three healthy SCMs', async () => {
    await stopDaemons(logs);
    removeTree(data);
    const file = join(ROOT, 'examples/local-ha.yaml');
    const r = await scmctl(['apply', file, '--yes'], env);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const ids = clusterIds(data, ['scm1', 'scm2', 'scm3'], 'metadata');
    expect(ids[0]).toMatch(/^CID-/);
    expect(new Set(ids).size).toBe(1);
    const s = await scmctl(['status', file], env);
    expect(s.status, s.stdout).toBe(0);
    expect(s.stdout).toMatch(/^cluster local-ha: healthy\nservice scmservice: healthy, leader scm\d\n/);
    expect(s.stdout.match(/ LEADER /g)).toHaveLength(1);
    expect(s.stdout.match(/ FOLLOWER /g)).toHaveLength(2);
  });

  it('examples/local-secure-ha.yaml: a secure ring on this machine; operator commands use the admin identity', async () => {
    await stopDaemons(logs);
    const secureData = '/tmp/scmctl-local-secure';
    const secureLogs = ['scm1', 'scm2', 'scm3'].map((n) => join(secureData, n, 'logs'));
    removeTree(secureData);
    try {
      const file = join(ROOT, 'examples/local-secure-ha.yaml');
      const r = await scmctl(['apply', file, '--yes'], env);
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain('bootstrap scmservice/scm3 on scm3 (ozone scm --bootstrap with a join token)');
      const ids = clusterIds(secureData, ['scm1', 'scm2', 'scm3'], 'metadata');
      expect(new Set(ids).size).toBe(1);
      const s = await scmctl(['status', file], env);
      expect(s.status, s.stdout).toBe(0);
      expect(s.stdout).toMatch(/^cluster local-secure: healthy\n/);
      const roles = ozone(['--conf', join(secureData, 'scm2', 'conf'), 'admin', 'scm', 'roles']);
      expect(roles.status, roles.stderr).toBe(0);
      expect(roles.stdout.trim().split('\n')).toHaveLength(3);
      expect((await scmctl(['plan', file], env)).status).toBe(0);
    } finally {
      await stopDaemons(secureLogs);
      removeTree(secureData);
    }
  });
});
