/** Fingerprints ignore volatile readings and change with anything the plan depends on. */
import { describe, expect, it } from 'vitest';
import { changedHosts, factsFingerprint } from '../../../src/provisioner/plan/fingerprint.js';
import { parseSavedPlan } from '../../../src/provisioner/plan/saved-plan.js';
import { appliedState, buildFacts, CID, threeNodeText, topologyOf } from './cluster-fixture.js';
import type { ClusterFacts, HostObservation } from '../../../src/provisioner/plan/cluster-facts.js';

const t3 = topologyOf(threeNodeText());

function mutate(f: ClusterFacts, host: string, fn: (o: Extract<HostObservation, { ok: true }>) => Extract<HostObservation, { ok: true }>): ClusterFacts {
  return { hosts: { ...f.hosts, [host]: fn(f.hosts[host] as Extract<HostObservation, { ok: true }>) } };
}

describe('facts fingerprint', () => {
  const base = buildFacts(t3, appliedState(t3)).facts;
  const fp = factsFingerprint(base);

  it('ignores the time, clock skew, free disk and roles', () => {
    const noisy = mutate(base, 'scm1', (o) => ({
      ...o,
      facts: { ...o.facts, gatheredAt: '2030-01-01T00:00:00Z', clock: { skewMs: 900, uncertaintyMs: 4 }, disk: o.facts.disk.map((d) => ({ ...d, availableBytes: 1 })) },
      nodes: Object.fromEntries(Object.entries(o.nodes).map(([k, n]) => [k, { ...n, scm: { ...n.scm, roles: null, pid: 77 } }])),
    }));
    expect(changedHosts(fp, factsFingerprint(noisy))).toEqual([]);
  });

  it('changes with a file hash, a VERSION, a running state, the host key', () => {
    const file = mutate(base, 'scm2', (o) => ({ ...o, facts: { ...o.facts, files: { ...o.facts.files, '/srv/scm2/conf/scm.env': 'd'.repeat(64) } } }));
    expect(changedHosts(fp, factsFingerprint(file))).toEqual(['scm2']);
    const stopped = buildFacts(t3, appliedState(t3, { nodes: { 'svc/scm3': { clusterId: CID, running: false } } })).facts;
    expect(changedHosts(fp, factsFingerprint(stopped))).toEqual(['scm3']);
    const key = buildFacts(t3, appliedState(t3, { hosts: { scm1: { hostKey: 'SHA256:other' } } })).facts;
    expect(changedHosts(fp, factsFingerprint(key))).toEqual(['scm1']);
  });
});

describe('saved plan files', () => {
  it('refuses what is not a saved plan', () => {
    expect(() => parseSavedPlan('not json', 'p.json')).toThrow(expect.objectContaining({ code: 'PLAN_FILE_INVALID' }));
    expect(() => parseSavedPlan('{"format":"scmctl-saved-plan/v1"}', 'p.json')).toThrow(expect.objectContaining({ code: 'PLAN_FILE_INVALID' }));
  });
});
