/**
 * gatherClusterFacts on simulated SCM hosts: each service's ring is read through one running SCM (the first in
 * the topology's order that answers), not on every SCM host; when that one is stopped, fails or cannot be
 * reached, the next one is asked, so the plan sees the same ring as when every SCM was asked.
 */
import { describe, expect, it } from 'vitest';
import { serviceRing } from '../../../src/provisioner/plan/dangerous-states.js';
import { SimCluster } from '../../support/sim-scm-cluster.js';
import { applyOn, sessionOf } from '../apply/sim-loop.js';
import { threeNodeText, topologyOf } from './cluster-fixture.js';

const t3 = topologyOf(threeNodeText());

function rolesAsked(sim: SimCluster): string[] {
  return [...sim.hosts.entries()].flatMap(([name, h]) => h.execs.filter((c) => c.command.includes('admin scm roles')).map(() => name));
}

async function appliedCluster(options: ConstructorParameters<typeof SimCluster>[1] = {}): Promise<SimCluster> {
  const sim = new SimCluster(t3, options);
  const { outcome } = await applyOn(sim, t3);
  expect(outcome.ok).toBe(true);
  for (const h of sim.hosts.values()) h.calls.length = 0;
  return sim;
}

function rolesOf(facts: Awaited<ReturnType<ReturnType<typeof sessionOf>['gather']>>, host: string, key: string): unknown {
  const o = facts.hosts[host];
  return o && o.ok ? o.nodes[key]?.scm.roles : 'unreadable';
}

describe('gatherClusterFacts: the ring of a service', () => {
  it('is read once, through the first running SCM, beside its first reads; the other SCMs are not asked', async () => {
    const sim = await appliedCluster();
    const facts = await sessionOf(sim, t3).gather();
    expect(rolesAsked(sim)).toEqual(['scm1']);
    // asked before the SCM's status: no round trip waits for the status first
    const scm1 = sim.host('scm1').execs.map((c) => c.command);
    expect(scm1.findIndex((c) => c.includes('admin scm roles'))).toBeLessThan(scm1.findIndex((c) => c.includes('--daemon status')));
    expect(rolesOf(facts, 'scm1', 'svc/scm1')).toMatchObject({ ok: true });
    expect(rolesOf(facts, 'scm2', 'svc/scm2')).toBeNull();
    expect(rolesOf(facts, 'scm3', 'svc/scm3')).toBeNull();
    expect(serviceRing(t3.services[0]!, facts)?.map((p) => p.role).sort()).toEqual(['FOLLOWER', 'FOLLOWER', 'LEADER']);
  });

  it('with the first SCM stopped, through the next one (the first one\'s early answer is dropped)', async () => {
    const sim = await appliedCluster();
    sim.nodes.get('svc/scm1')!.running = false;
    const facts = await sessionOf(sim, t3).gather();
    // the embedded runtime's first node asks at once, before its status is known
    expect(rolesAsked(sim)).toEqual(['scm1', 'scm2']);
    expect(rolesOf(facts, 'scm1', 'svc/scm1')).toBeNull();
    expect(rolesOf(facts, 'scm2', 'svc/scm2')).toMatchObject({ ok: true });
    expect(serviceRing(t3.services[0]!, facts)).not.toBeNull();
  });

  it('when the first SCM\'s roles fail, the next ones are asked in order until one answers', async () => {
    let failing = new Set<string>();
    const sim = await appliedCluster({ fail: (op, key) => (op === 'roles' && failing.has(key) ? { exitCode: 1, stderr: 'timed out\n' } : null) });
    failing = new Set(['svc/scm1', 'svc/scm2']);
    const facts = await sessionOf(sim, t3).gather();
    expect(rolesAsked(sim)).toEqual(['scm1', 'scm2', 'scm3']);
    expect(rolesOf(facts, 'scm1', 'svc/scm1')).toMatchObject({ ok: false, message: 'timed out' });
    expect(rolesOf(facts, 'scm2', 'svc/scm2')).toMatchObject({ ok: false });
    expect(rolesOf(facts, 'scm3', 'svc/scm3')).toMatchObject({ ok: true });
    expect(serviceRing(t3.services[0]!, facts)).not.toBeNull();
  });

  it('with the first SCM\'s host unreachable, through the next one', async () => {
    const sim = await appliedCluster();
    const connect = sim.connect;
    sim.connect = async (spec) => {
      if (spec.name === 'scm1') throw Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:22'), { code: 'SSH_CONNECT_FAILED' });
      return connect(spec);
    };
    const facts = await sessionOf(sim, t3).gather();
    expect(facts.hosts['scm1']!.ok).toBe(false);
    expect(rolesAsked(sim)).toEqual(['scm2']);
    expect(serviceRing(t3.services[0]!, facts)).not.toBeNull();
  });
});
