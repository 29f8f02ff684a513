import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../../src/common/clock.js';
import type { ApplyEvent } from '../../../../src/provisioner/apply/apply-events.js';
import { executePlan } from '../../../../src/provisioner/apply/executor.js';
import { connectLocal } from '../../../../src/provisioner/hosts/local-host.js';
import type { Task } from '../../../../src/provisioner/plan/plan-model.js';
import { keytabTask } from '../../../../src/provisioner/plan/planner.js';
import { withAbsoluteReleasePaths } from '../../../../src/provisioner/topology/release-files.js';
import { threeNodes, valid } from '../../topology/helpers.js';
import { onePhasePlan } from '../sim-loop.js';

const SECRET = 'kerberos-key-material-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'scmctl-keytab-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Kerberos keytabs (security.kerberos.keytabs)', () => {
  const source = join(dir, 'scm1.keytab');
  writeFileSync(source, SECRET, { mode: 0o600 });
  const sha = createHash('sha256').update(SECRET).digest('hex');
  const topology = withAbsoluteReleasePaths(
    valid(threeNodes('  runtime: { user: ozone, group: hadoop }\n  security:\n    enabled: true\n    tls: true\n    kerberos:\n      principal: scm/_HOST@EXAMPLE.COM\n      keytab: /etc/security/keytabs/scm.keytab\n      keytabs: [{ host: scm1, file: scm1.keytab }]\n')),
    dir,
  );

  it('are planned by hash only: to a host whose copy differs, owned by the service user; never their content', () => {
    const host = topology.hosts.find((h) => h.name === 'scm1')!;
    const task = keytabTask(topology, host, { '/etc/security/keytabs/scm.keytab': null })!;
    expect(task).toMatchObject({ kind: 'install-keytab', path: '/etc/security/keytabs/scm.keytab', source, sha256: sha, owner: 'ozone:hadoop' });
    expect(JSON.stringify(task)).not.toContain(SECRET);
    expect(keytabTask(topology, host, { '/etc/security/keytabs/scm.keytab': sha })).toBeNull();
    expect(keytabTask(topology, topology.hosts.find((h) => h.name === 'scm2')!, {})).toBeNull();
  });

  it('are written 0400 through stdin, and refused when the file changed after the plan', async () => {
    const host = await connectLocal({ name: 'local1', secrets: { env: {} } });
    const target = join(dir, 'etc/scm.keytab');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'etc'));
    const events: ApplyEvent[] = [];
    try {
      const task: Task = { kind: 'install-keytab', id: 'keytab:local1', title: 'install the keytab', host: 'local1', path: target, source, sha256: sha, sudo: false };
      const ok = await executePlan(onePhasePlan([task]), { hosts: { get: async () => host }, bundle: null, clock: systemClock, onEvent: (e) => events.push(e) });
      expect(ok.ok).toBe(true);
      expect(readFileSync(target, 'utf8')).toBe(SECRET);
      expect((statSync(target).mode & 0o777).toString(8)).toBe('400');
      expect(JSON.stringify(events)).not.toContain(SECRET);
      writeFileSync(source, `${SECRET}-rotated`);
      const stale = await executePlan(onePhasePlan([task]), { hosts: { get: async () => host }, bundle: null, clock: systemClock });
      expect(stale.ok).toBe(false);
      expect(stale.failures[0]?.error).toMatchObject({ code: 'APPLY_KEYTAB_CHANGED' });
    } finally {
      await host.close();
    }
  });
});
