/**
 * `scmctl plan` (and `status`) only read: the plan command's own code path (readAndPlan: connect, facts,
 * reading changed files, planning) runs against strict fake hosts whose command policy is the read-only
 * allowlist and whose filesystem refuses writes and uploads. Any other command, or any write, fails.
 * The hosts are set up in several states by really applying to the simulated cluster first.
 */
import { describe, expect, it } from 'vitest';
import { changeCount } from '../../../src/provisioner/plan/plan-model.js';
import { clusterStatus } from '../../../src/provisioner/plan/cluster-status.js';
import { readAndPlan } from '../../../src/provisioner/commands/plan.js';
import { FakeHostViolation } from '../../support/fake-host.js';
import { readOnlyPolicy } from '../../support/read-only-commands.js';
import { SimCluster } from '../../support/sim-scm-cluster.js';
import { threeNodeText, topologyOf } from '../plan/cluster-fixture.js';
import { applyOn, BUNDLE_INFO, sessionOf } from '../apply/sim-loop.js';
import { fakeContext } from './fake-context.js';

const t3 = topologyOf(threeNodeText({ extraHosts: '    - { name: dn1, address: 10.0.0.9, roles: [datanode], directories: { config: /srv/dn1/conf } }\n' }));
const changed = topologyOf(
  threeNodeText({ extraHosts: '    - { name: dn1, address: 10.0.0.9, roles: [datanode], directories: { config: /srv/dn1/conf } }\n', properties: { 'ozone.scm.container.size': '1GB' } }),
);

async function readOnlyPlan(sim: SimCluster, topology = t3): Promise<{ changes: number; strict: SimCluster }> {
  const strict = sim.readOnlyCopy(readOnlyPolicy);
  const r = await readAndPlan(topology, fakeContext(), {}, { connect: strict.connect as never, bundle: BUNDLE_INFO });
  for (const h of strict.hosts.values()) {
    h.assertNoViolations();
    expect(h.calls.filter((c) => c.kind === 'writeFileAtomic' || c.kind === 'upload')).toEqual([]);
    expect(h.execs.length).toBeGreaterThan(5);
  }
  expect(Object.values(r.facts.hosts).every((o) => o.ok)).toBe(true);
  return { changes: changeCount(r.plan), strict };
}

describe('plan runs only read-only commands', () => {
  it('on fresh hosts', async () => {
    expect((await readOnlyPlan(new SimCluster(t3))).changes).toBeGreaterThan(10);
  });

  it('on an applied cluster (roles asked from running SCMs), with no changes', async () => {
    const sim = new SimCluster(t3);
    expect((await applyOn(sim, t3)).outcome.ok).toBe(true);
    const { changes, strict } = await readOnlyPlan(sim);
    expect(changes).toBe(0);
    expect(strict.host('scm1').execs.some((e) => e.command.includes('admin scm roles --json'))).toBe(true);
  });

  it('with changed and hand-edited files (their current text is read for the diff)', async () => {
    const sim = new SimCluster(t3);
    await applyOn(sim, t3);
    const site = sim.host('scm2').files.get('/srv/scm2/conf/ozone-site.xml')!;
    if (site.type === 'file') site.content = Buffer.from(site.content.toString('utf8').replace('</configuration>', '<!-- edited -->\n</configuration>'));
    const { changes, strict } = await readOnlyPlan(sim, changed);
    expect(changes).toBeGreaterThan(3);
    expect(strict.host('scm2').calls.some((c) => c.kind === 'readFile' && c.path === '/srv/scm2/conf/ozone-site.xml')).toBe(true);
  });

  it('status reads the same way', async () => {
    const sim = new SimCluster(t3);
    await applyOn(sim, t3);
    const strict = sim.readOnlyCopy(readOnlyPolicy);
    const session = sessionOf(strict, t3);
    const st = clusterStatus(t3, session.rendered, await session.gather());
    for (const h of strict.hosts.values()) h.assertNoViolations();
    expect(st).toMatchObject({ healthy: true, drift: false });
    expect(st.nodes.map((n) => n.role)).toEqual(['LEADER', 'FOLLOWER', 'FOLLOWER']);
  });

  it('the policy is live: apply on the same strict hosts is refused at its first write or command', async () => {
    const strict = new SimCluster(t3).readOnlyCopy(readOnlyPolicy);
    const { outcome } = await applyOn(strict, t3);
    expect(outcome.ok).toBe(false);
    expect(outcome.failures[0]!.error).toBeInstanceOf(FakeHostViolation);
  });
});
