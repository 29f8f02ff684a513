/** planRepair: which nodes need a repair, what it does, and what it refuses. */
import { describe, expect, it } from 'vitest';
import { allTasks, changeCount, isRunnable } from '../../../src/provisioner/plan/plan-model.js';
import { summaryLine } from '../../../src/provisioner/plan/plan-text.js';
import { planRepair, repairView } from '../../../src/provisioner/repair/repair-planner.js';
import { appliedState, buildFacts, CID, threeNodeText, topologyOf, type ClusterState } from '../plan/cluster-fixture.js';

const t3 = topologyOf(threeNodeText());
const members = ['svc/scm1', 'svc/scm2', 'svc/scm3'];
const repair = (state: ClusterState, node = 'scm2', force = false) => {
  const { facts, rendered } = buildFacts(t3, state);
  const input = { topology: t3, rendered, facts, bundle: null, node, force };
  return { plan: planRepair(input), view: repairView(input) };
};

describe('planRepair', () => {
  it('leaves a healthy node alone (re-running a finished repair changes nothing) unless forced', () => {
    const { plan, view } = repair(appliedState(t3));
    expect(isRunnable(plan)).toBe(true);
    expect(changeCount(plan)).toBe(0);
    expect(view).toMatchObject({ node: 'svc/scm2', healthy: true });
    expect(changeCount(repair(appliedState(t3), 'scm2', true).plan)).toBeGreaterThan(0);
  });

  it('a node that stopped (refused to start) while the ring lists it UNREACHABLE: decommission through the leader, stop, set aside, bootstrap, start, verify', () => {
    const state = appliedState(t3, { nodes: { 'svc/scm2': { clusterId: CID, running: false } }, ring: { leader: 'svc/scm1', members, health: { 'svc/scm2': { role: 'UNREACHABLE', lastContactMs: 9000 } } } });
    const { plan, view } = repair(state);
    expect(view).toMatchObject({ healthy: false, reason: 'it is not running' });
    expect(isRunnable(plan)).toBe(true);
    expect(plan.phases.map((p) => p.id)).toEqual(['preflight', 'eject', 'join', 'verify']);
    expect(allTasks(plan).map((t) => `${t.kind}@${t.host}`)).toEqual([
      'decommission-scm@scm1',
      'stop-scm@scm2',
      'set-aside-scm-data@scm2',
      'bootstrap-scm@scm2',
      'start-scm@scm2',
      'verify-service@scm1',
      'verify-containers@scm2',
    ]);
    expect(summaryLine(plan)).toBe("Plan: 5 changes (1 node's data set aside, 1 stop, 1 bootstrap, 1 removal from the ring, 1 start).");
    const aside = allTasks(plan).find((t) => t.kind === 'set-aside-scm-data');
    expect(aside).toMatchObject({ suffix: 'repair', paths: ['/srv/scm2/meta', '/srv/scm2/meta/scm.ratis', '/srv/scm2/meta/scm.ratis.snapshot'] });
  });

  it('a node that lost its VERSION while the ring still lists it: apply refuses (identity changed), repair takes it', () => {
    const state = appliedState(t3, { nodes: { 'svc/scm2': { running: false } }, ring: { leader: 'svc/scm1', members, ids: { 'svc/scm2': '00000000-0000-4000-8000-000000000002' } } });
    const { plan } = repair(state);
    expect(plan.problems).toEqual([]);
    expect(allTasks(plan).map((t) => t.kind)).toContain('decommission-scm');
  });

  it('the primordial node lost its VERSION: apply sees a second cluster, repair bootstraps it into the ring again', () => {
    const state = appliedState(t3, { nodes: { 'svc/scm1': { running: false } }, ring: { leader: 'svc/scm2', members, ids: { 'svc/scm1': '00000000-0000-4000-8000-000000000001' }, health: { 'svc/scm1': { role: 'UNREACHABLE' } } } });
    const { plan } = repair(state, 'scm1');
    expect(plan.problems).toEqual([]);
    expect(isRunnable(plan)).toBe(true);
    expect(allTasks(plan).map((t) => `${t.kind}@${t.host}`)).toContain('bootstrap-scm@scm1');
    expect(allTasks(plan).find((t) => t.kind === 'decommission-scm')).toMatchObject({ via: 'svc/scm2', scmUuid: '00000000-0000-4000-8000-000000000001' });
  });

  it('a lagging but running member is no damage (it may be catching up); --force still repairs it', () => {
    const state = appliedState(t3, { ring: { leader: 'svc/scm1', members, health: { 'svc/scm2': { lagging: true, lastContactMs: 20 } } } });
    expect(changeCount(repair(state).plan)).toBe(0);
    expect(changeCount(repair(state, 'scm2', true).plan)).toBeGreaterThan(0);
  });

  it('refuses what would leave the ring without a live majority, an unknown node, and a one-node service', () => {
    const twoDown = appliedState(t3, {
      nodes: { 'svc/scm2': { clusterId: CID, running: false }, 'svc/scm3': { clusterId: CID, running: false } },
      ring: { leader: 'svc/scm1', members, health: { 'svc/scm2': { role: 'UNREACHABLE' }, 'svc/scm3': { role: 'UNREACHABLE' } } },
    });
    const lost = repair(twoDown).plan;
    expect(isRunnable(lost)).toBe(false);
    expect(lost.problems.map((p) => p.code)).toEqual(['REPAIR_WOULD_LOSE_QUORUM']);
    expect(lost.problems[0]!.message).toBe('service svc: without scm2 the ring has 1 live member of 2 (2 needed)');
    expect(allTasks(lost)).toEqual([]);
    expect(repair(appliedState(t3), 'scm9').plan.problems.map((p) => p.code)).toEqual(['REPAIR_UNKNOWN_NODE']);
  });
});
