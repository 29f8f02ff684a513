/**
 * `transport: local`, no SSH: the examples applied on this machine with the built scmctl. The standalone
 * example (what the embedded SCM runs without Raft): apply, plan → "No changes", status healthy, then the SCM
 * is stopped. Every SCM apply started is stopped in afterAll through its pid file, even on failure.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterIds, removeTree, scmctl, stopDaemons } from '../support/apply-e2e.js';
import { ROOT } from '../support/ozone-process.js';

const data = '/tmp/scmctl-local-ha';
const logs = ['scm1', 'scm2', 'scm3'].map((n) => join(data, n, 'logs'));
const env = { SCMCTL_STATE_DIR: join(tmpdir(), 'scmctl-apply-local-state'), SCMCTL_CACHE_DIR: join(tmpdir(), 'scmctl-apply-e2e-cache') };

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
  it('examples/standalone.yaml: apply, then "No changes", status healthy', async () => {
    const file = join(ROOT, 'examples/standalone.yaml');
    const r = await scmctl(['apply', file, '--yes'], env);
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
    await stopDaemons(logs);
    const down = await scmctl(['status', file], env);
    expect(down.status).toBe(1);
    expect(down.stdout).toContain('scm1: not running');
  });
});
