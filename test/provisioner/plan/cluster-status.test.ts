/** `scmctl status` from facts: healthy, drift, and each unhealthy state named. */
import { describe, expect, it } from 'vitest';
import { clusterStatus, formatStatus } from '../../../src/provisioner/plan/cluster-status.js';
import { appliedState, buildFacts, CID, threeNodeText, topologyOf, type ClusterState } from './cluster-fixture.js';

const t3 = topologyOf(threeNodeText());
const statusOf = (s: ClusterState) => {
  const { facts, rendered } = buildFacts(t3, s);
  return clusterStatus(t3, rendered, facts);
};

describe('cluster status', () => {
  it('healthy: one leader, every node in the ring, one clusterID, in sync', () => {
    const st = statusOf(appliedState(t3));
    expect(st).toMatchObject({ healthy: true, drift: false, services: [{ serviceId: 'svc', healthy: true, leader: 'scm1', problems: [] }] });
    expect(st.nodes.map((n) => [n.nodeId, n.role, n.running, n.clusterId])).toEqual([
      ['scm1', 'LEADER', true, CID],
      ['scm2', 'FOLLOWER', true, CID],
      ['scm3', 'FOLLOWER', true, CID],
    ]);
    expect(formatStatus(st)).toMatch(/^cluster t3: healthy\nservice svc: healthy, leader scm1\n/);
  });

  it('drift and a pending restart are reported but do not make it unhealthy', () => {
    const st = statusOf(appliedState(t3, { hosts: { scm2: { files: { '/srv/scm2/conf/scm.env': 'X=1\n' } } }, nodes: { 'svc/scm3': { clusterId: CID, running: true, marker: true } } }));
    expect(st).toMatchObject({ healthy: true, drift: true });
    expect(st.hosts.find((h) => h.name === 'scm2')!.drift).toEqual(['/srv/scm2/conf/scm.env']);
    expect(formatStatus(st)).toContain('drift (1 file)');
    expect(formatStatus(st)).toContain('restart pending');
  });

  it('unhealthy: a ring member the topology does not declare is named (exit 1), with how to remove it', () => {
    const stranger = { host: '10.0.0.66', address: '10.0.0.66:9894', role: 'FOLLOWER', id: '9c5ebe1d-46de-41f6-9e61-f564b7b1c324', inetAddress: '10.0.0.66' };
    const st = statusOf(appliedState(t3, { strangers: [stranger] }));
    expect(st.healthy).toBe(false);
    expect(st.services[0]!.problems).toEqual(['9c5ebe1d-46de-41f6-9e61-f564b7b1c324 at 10.0.0.66:9894 is in the ring (FOLLOWER) but not in the topology: `scmctl apply` removes it (or add it to the topology)']);
    expect(formatStatus(st)).toContain('service svc: UNHEALTHY');
  });

  it('unhealthy: a stopped node, a node out of the ring, an unreachable host, no leader', () => {
    expect(statusOf(appliedState(t3, { nodes: { 'svc/scm2': { clusterId: CID, running: false } } })).services[0]!.problems).toEqual(['scm2: not running']);
    expect(statusOf(appliedState(t3, { ring: { leader: 'svc/scm1', members: ['svc/scm1', 'svc/scm2'] } })).services[0]!.problems).toEqual(['scm3: not in the ring']);
    const unreachable = statusOf(appliedState(t3, { hosts: { scm3: { unreachable: { code: 'SSH_UNREACHABLE', message: 'host scm3: refused' } } } }));
    expect(unreachable.healthy).toBe(false);
    expect(formatStatus(unreachable)).toContain('host scm3: [SSH_UNREACHABLE] host scm3: refused');
    const all = Object.fromEntries(['svc/scm1', 'svc/scm2', 'svc/scm3'].map((k) => [k, { clusterId: CID, running: false }]));
    expect(statusOf(appliedState(t3, { nodes: all })).services[0]!.problems).toContain('the ring could not be read (no running node answered `ozone admin scm roles`)');
  });

  it('unhealthy: a ring with no leader, or with two, is named; the service has no leader then (exit 1)', () => {
    const members = ['svc/scm1', 'svc/scm2', 'svc/scm3'];
    const none = statusOf(appliedState(t3, { ring: { leader: null, members } }));
    expect(none.healthy).toBe(false);
    expect(none.services[0]).toMatchObject({ healthy: false, leader: null });
    expect(none.services[0]!.problems).toEqual([
      'no leader in the ring: an election is under way, or too few SCMs run to form a majority (the service accepts no writes until one leads)',
    ]);
    expect(none.nodes.map((n) => n.role)).toEqual(['FOLLOWER', 'FOLLOWER', 'FOLLOWER']);
    expect(formatStatus(none)).toContain('service svc: UNHEALTHY\n  - no leader in the ring');

    const two = statusOf(appliedState(t3, { ring: { leader: 'svc/scm1', members, health: { 'svc/scm3': { role: 'LEADER' } } } }));
    expect(two.healthy).toBe(false);
    expect(two.services[0]).toMatchObject({ healthy: false, leader: null });
    expect(two.services[0]!.problems).toEqual([
      '2 leaders in the ring (scm1, scm3): an old leader cut off from the others may not know it was replaced yet; if this lasts beyond an election timeout, check the network between them',
    ]);
    expect(formatStatus(two)).toMatch(/svc\/scm3 +scm3 +LEADER +yes/);
  });

  it('unhealthy: a member the leader reports UNREACHABLE (process up, Raft silent) or lagging is named, with its figures in JSON', () => {
    const members = ['svc/scm1', 'svc/scm2', 'svc/scm3'];
    const dead = statusOf(appliedState(t3, { ring: { leader: 'svc/scm1', members, health: { 'svc/scm3': { role: 'UNREACHABLE', lastContactMs: 12_345, lagging: true } } } }));
    expect(dead.healthy).toBe(false);
    expect(dead.services[0]!.problems).toEqual(['scm3: the leader has not heard from it for 12.3 s (stuck or cut off although its process runs)']);
    expect(dead.nodes.find((n) => n.nodeId === 'scm3')).toMatchObject({ role: 'UNREACHABLE', running: true, lastContactMs: 12_345, lagging: true });
    expect(formatStatus(dead)).toMatch(/svc\/scm3 +scm3 +UNREACHABLE +yes/);
    const slow = statusOf(appliedState(t3, { ring: { leader: 'svc/scm1', members, health: { 'svc/scm2': { lastContactMs: 40, lagging: true } } } }));
    expect(slow.services[0]!.problems).toEqual(['scm2: lagging — it has not yet replicated what the leader committed an election timeout ago']);
    const fine = statusOf(appliedState(t3, { ring: { leader: 'svc/scm1', members, health: { 'svc/scm2': { lastContactMs: 40, lagging: false } } } }));
    expect(fine.healthy).toBe(true);
  });
});
