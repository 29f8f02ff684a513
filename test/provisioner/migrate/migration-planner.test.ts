/**
 * The migration planner on the states a migration passes through (fresh, interrupted at each stage, done)
 * and the states it refuses: which stage holds which task, and what is checked.
 */
import { describe, expect, it } from 'vitest';
import type { BackupRecord } from '../../../src/provisioner/apply/scm-backup.js';
import { MIGRATE_IGNORABLE_CHECKS, migrationView, outermost, planMigration, type ReachResult } from '../../../src/provisioner/migrate/migration-planner.js';
import { MIGRATION_FORMAT, type MigrationState } from '../../../src/provisioner/migrate/migration-state.js';
import { changeCount, isRunnable, type Plan } from '../../../src/provisioner/plan/plan-model.js';
import { MIGRATE_PHASE_IDS, PHASE_TITLES } from '../../../src/provisioner/plan/phases/phases.js';
import { formatPlan } from '../../../src/provisioner/plan/plan-text.js';
import { parseIgnoreList } from '../../../src/provisioner/plan/preflight.js';
import { renderAll } from '../../../src/provisioner/render/render-host.js';
import { BUNDLE, buildFacts, CID, RELEASE, threeNodeText, topologyOf, type ClusterState } from '../plan/cluster-fixture.js';

const target = topologyOf(threeNodeText());
/** scm1 alone and standalone: what the files on scm1 look like before the migration */
const before = topologyOf(
  threeNodeText({ ratisOff: true })
    .replace('        - { nodeId: scm2, host: scm2 }\n        - { nodeId: scm3, host: scm3 }\n', '')
    .replace('  listen: address\n', '  listen: address\n  ratis: { enabled: false }\n'),
);
const oldFiles = Object.fromEntries(renderAll(before).get('scm1')!.map((f) => [f.path, f.content]));

const backup: BackupRecord = { node: 'svc/scm1', host: 'scm1', path: '/srv/scm1/scm-backup-svc-scm1-20261124T000000Z.tar.gz', bytes: 1234, clusterId: CID, containers: ['1', '2'], at: '2026-11-24T00:00:00.000Z' };
function record(over: Partial<MigrationState> = {}): MigrationState {
  return { format: MIGRATION_FORMAT, cluster: 't3', serviceId: 'svc', existingNode: 'scm1', existingHost: 'scm1', from: 'standalone', clusterId: CID, addedNodes: ['scm2', 'scm3'], topologyFile: '/t3.yaml', startedAt: '2026-11-24T00:00:00.000Z', backup: null, completedAt: null, ...over };
}

const ok = (port: string): ReachResult => ({ portName: port, target: `10.0.0.1:${port === 'client' ? 9860 : 9863}`, ok: true });
const reachAll = { scm2: [ok('client'), ok('block')], scm3: [ok('client'), ok('block')] };

function planOf(state: ClusterState, o: { record?: MigrationState | null; reach?: Record<string, ReachResult[]>; ignore?: string[] } = {}): Plan {
  const { facts, rendered } = buildFacts(target, state);
  return planMigration({
    topology: target,
    rendered,
    facts,
    bundle: BUNDLE,
    ignorePreflightErrors: parseIgnoreList(o.ignore ?? [], MIGRATE_IGNORABLE_CHECKS),
    serviceId: 'svc',
    state: o.record ?? null,
    reach: o.reach ?? reachAll,
  });
}

function tasks(p: Plan, phase: string): string[] {
  return p.phases.find((x) => x.id === phase)!.tasks.map((t) => `${t.kind} ${'node' in t ? t.node : t.host}${t.kind === 'start-scm' ? ` ${t.gate}` : ''}${t.kind === 'write-file' ? ` ${t.path}` : ''}`);
}

function check(p: Plan, name: string, host: string): { status: string; message: string } | undefined {
  return p.preflight.find((c) => c.check === name && c.host === host);
}

/** scm1 initialised and running standalone with its old files; scm2/scm3 empty */
const standalone: ClusterState = {
  nodes: { 'svc/scm1': { clusterId: CID, running: true, release: RELEASE, scmHa: false } },
  hosts: { scm1: { files: oldFiles, portsInUse: [9860, 9863] } },
  ring: { leader: 'svc/scm1', members: ['svc/scm1'] },
};

describe('planMigration', () => {
  it('a running standalone SCM: new hosts first, then stop + backup, HA files + start (conversion), bootstrap one at a time, verify; every stage has its rollback', () => {
    const p = planOf(standalone);
    expect(isRunnable(p)).toBe(true);
    expect(p.phases.map((x) => x.title)).toEqual(MIGRATE_PHASE_IDS.map((id) => PHASE_TITLES[id]));
    expect(tasks(p, 'runtime')).toEqual(['install-runtime scm2', 'install-runtime scm3']);
    expect(tasks(p, 'files').some((t) => t.includes('/srv/scm1/'))).toBe(false);
    expect(tasks(p, 'backup')).toEqual(['stop-scm svc/scm1', 'backup-scm svc/scm1']);
    expect(tasks(p, 'convert')).toEqual(['write-file scm1 /srv/scm1/conf/ozone-site.xml', 'start-scm svc/scm1 leader']);
    expect(tasks(p, 'join')).toEqual(['bootstrap-scm svc/scm2', 'start-scm svc/scm2 member', 'bootstrap-scm svc/scm3', 'start-scm svc/scm3 member']);
    expect(tasks(p, 'roll')).toEqual([]);
    expect(tasks(p, 'verify')).toEqual(['verify-service svc/scm1'.replace('svc/scm1', 'scm1'), 'verify-containers scm1']);
    const b = p.phases.find((x) => x.id === 'backup')!.tasks[1]!;
    expect(b.kind === 'backup-scm' && b.paths).toEqual(['/srv/scm1/conf', '/srv/scm1/meta']);
    expect(b.kind === 'backup-scm' && `${b.archiveDir}/${b.archivePrefix}`).toBe('/srv/scm1/scm-backup-svc-scm1-');
    expect(p.phases.find((x) => x.id === 'convert')!.tasks[1]!.title).toContain('with Ratis enabled (it converts itself to a one-node ring, same clusterID');
    for (const id of ['runtime', 'files', 'backup', 'convert', 'join', 'roll', 'verify']) expect(p.phases.find((x) => x.id === id)!.rollback, id).toBeTruthy();
    expect(p.phases.find((x) => x.id === 'convert')!.rollback).toContain('tar -C / -xzf /srv/scm1/scm-backup-svc-scm1-<time>.tar.gz');
    expect(check(p, 'existing-scm', 'scm1')).toMatchObject({ status: 'pass', message: expect.stringContaining('runs standalone') as unknown as string });
    expect(check(p, 'new-node-empty', 'scm2')?.status).toBe('pass');
    expect(check(p, 'reach', 'scm2')?.status).toBe('pass');
    expect(formatPlan(p)).toContain('  rollback: scm1\'s data is unchanged');
    expect(migrationView(target, buildFacts(target, standalone).facts, 'svc')).toMatchObject({ existing: 'svc/scm1', standalone: true, clusterId: CID, complete: false });
  });

  it('a one-node Raft ring: the same stages, the start says "on the HA configuration"', () => {
    const p = planOf({ ...standalone, nodes: { 'svc/scm1': { clusterId: CID, running: true, release: RELEASE } } });
    expect(tasks(p, 'backup')).toEqual(['stop-scm svc/scm1', 'backup-scm svc/scm1']);
    expect(p.phases.find((x) => x.id === 'convert')!.tasks[1]!.title).toContain('on the HA configuration and wait until it leads');
  });

  it('interrupted during the backup (scm1 stopped, no backup recorded): back up, convert; the stopped SCM passes its check', () => {
    const p = planOf({ hosts: { scm1: { files: oldFiles } }, nodes: { 'svc/scm1': { clusterId: CID, running: false, release: RELEASE, scmHa: false } }, ring: null }, { record: record() });
    expect(isRunnable(p)).toBe(true);
    expect(tasks(p, 'backup')).toEqual(['backup-scm svc/scm1']);
    expect(tasks(p, 'convert')).toEqual(['write-file scm1 /srv/scm1/conf/ozone-site.xml', 'start-scm svc/scm1 leader']);
    expect(check(p, 'existing-scm', 'scm1')?.message).toContain('stopped by the interrupted migration');
  });

  it('interrupted after the backup and the new configuration (scm1 stopped): only the start remains before the joins', () => {
    const p = planOf({ nodes: { 'svc/scm1': { clusterId: CID, running: false, release: RELEASE, scmHa: false } }, ring: null }, { record: record({ backup }) });
    expect(tasks(p, 'backup')).toEqual([]);
    expect(tasks(p, 'convert')).toEqual(['start-scm svc/scm1 leader']);
    expect(tasks(p, 'join')).toEqual(['bootstrap-scm svc/scm2', 'start-scm svc/scm2 member', 'bootstrap-scm svc/scm3', 'start-scm svc/scm3 member']);
  });

  it('a stopped SCM without a migration in progress fails existing-scm (ignorable)', () => {
    const state: ClusterState = { hosts: { scm1: { files: oldFiles } }, nodes: { 'svc/scm1': { clusterId: CID, running: false, release: RELEASE, scmHa: false } }, ring: null };
    const p = planOf(state);
    expect(isRunnable(p)).toBe(false);
    expect(check(p, 'existing-scm', 'scm1')?.status).toBe('fail');
    expect(isRunnable(planOf(state, { ignore: ['existing-scm'] }))).toBe(true);
  });

  it('after the conversion and one bootstrap (scm2 joined): nothing stops scm1 again; scm3 is bootstrapped', () => {
    const p = planOf(
      { nodes: { 'svc/scm1': { clusterId: CID, running: true, release: RELEASE }, 'svc/scm2': { clusterId: CID, running: true, release: RELEASE } }, hosts: { scm3: { files: 'absent' } }, ring: { leader: 'svc/scm1', members: ['svc/scm1', 'svc/scm2'] } },
      { record: record({ backup }) },
    );
    expect(tasks(p, 'backup')).toEqual([]);
    expect(tasks(p, 'convert')).toEqual([]);
    expect(tasks(p, 'join')).toEqual(['bootstrap-scm svc/scm3', 'start-scm svc/scm3 member']);
    expect(check(p, 'new-node-empty', 'scm2')?.message).toContain('already belongs to cluster');
  });

  it('even without a record, once a node joined scm1 is never stopped for a backup (the ring would lose its majority)', () => {
    const p = planOf({ nodes: { 'svc/scm1': { clusterId: CID, running: true, release: RELEASE }, 'svc/scm2': { clusterId: CID, running: true, release: RELEASE } }, hosts: { scm3: { files: 'absent' } }, ring: { leader: 'svc/scm1', members: ['svc/scm1', 'svc/scm2'] } });
    expect(tasks(p, 'backup')).toEqual([]);
  });

  it('everything migrated: no changes', () => {
    const p = planOf({ nodes: { 'svc/scm1': { clusterId: CID, running: true, release: RELEASE }, 'svc/scm2': { clusterId: CID, running: true, release: RELEASE }, 'svc/scm3': { clusterId: CID, running: true, release: RELEASE } } }, { record: record({ backup }) });
    expect(changeCount(p)).toBe(0);
    expect(tasks(p, 'verify')).toEqual([]);
  });

  it('refuses to shrink: the ring has a member the topology does not list', () => {
    const { facts, rendered } = buildFacts(target, standalone);
    const h = facts.hosts['scm1']!;
    if (!h.ok) throw new Error('fixture');
    const scm = h.nodes['svc/scm1']!.scm;
    if (!scm.roles?.ok) throw new Error('fixture: roles');
    const roles = { ok: true as const, peers: [...scm.roles.peers, { host: '10.0.0.9', address: '10.0.0.9:9894', role: 'FOLLOWER', id: 'x-9', inetAddress: '10.0.0.9' }] };
    const shrunk = { hosts: { ...facts.hosts, scm1: { ...h, nodes: { 'svc/scm1': { ...h.nodes['svc/scm1']!, scm: { ...scm, roles } } } } } };
    const p = planMigration({ topology: target, rendered, facts: shrunk, bundle: BUNDLE, serviceId: 'svc', state: null, reach: reachAll });
    expect(p.problems.map((x) => x.code)).toEqual(['MIGRATE_SHRINK']);
    expect(p.problems[0]!.message).toContain('10.0.0.9:9894 (x-9)');
    expect(p.problems[0]!.hint).toContain('decommission');
    expect(p.phases.every((x) => x.tasks.length === 0)).toBe(true);
  });

  it('refuses when the existing SCM\'s clusterID is not the recorded one, and when nothing is initialised', () => {
    expect(planOf(standalone, { record: record({ clusterId: 'CID-other' }) }).problems.map((x) => x.code)).toEqual(['MIGRATE_CLUSTER_CHANGED']);
    expect(planOf({ hosts: { scm1: { files: 'absent' } } }).problems.map((x) => x.code)).toEqual(['MIGRATE_NO_EXISTING_SCM']);
  });

  it('a new node with leftover data and no VERSION fails new-node-empty, which cannot be ignored', () => {
    const state: ClusterState = { ...standalone, hosts: { ...standalone.hosts, scm2: { files: 'absent', dirs: true } } };
    const p = planOf(state, { ignore: ['all'] });
    expect(check(p, 'new-node-empty', 'scm2')).toMatchObject({ status: 'fail' });
    expect(check(p, 'new-node-empty', 'scm2')!.message).toContain('/srv/scm2/meta is not empty');
    expect(isRunnable(p)).toBe(false);
  });

  it('a new host that cannot reach the existing SCM fails reach (ignorable)', () => {
    const reach = { ...reachAll, scm3: [ok('client'), { portName: 'block', target: '10.0.0.1:9863', ok: false }] };
    const p = planOf(standalone, { reach });
    expect(check(p, 'reach', 'scm3')).toMatchObject({ status: 'fail', message: 'scm3 cannot connect to scm1 on block 10.0.0.1:9863: open these ports between the hosts' });
    expect(isRunnable(planOf(standalone, { reach, ignore: ['reach'] }))).toBe(true);
  });
});

describe('outermost', () => {
  it('keeps only directories that are not inside another', () => {
    expect(outermost(['/a/meta', '/a/meta/db', '/a/conf/', '/a/meta/ratis', '/b'])).toEqual(['/a/conf', '/a/meta', '/b']);
  });
});

describe('planMigration with nothing left to grow', () => {
  it('a one-node ring already on its configuration, nothing to bootstrap: not stopped for a backup', () => {
    const single = topologyOf(threeNodeText().replace('        - { nodeId: scm2, host: scm2 }\n        - { nodeId: scm3, host: scm3 }\n', ''));
    const { facts, rendered } = buildFacts(single, { nodes: { 'svc/scm1': { clusterId: CID, running: true, release: RELEASE } } });
    const p = planMigration({ topology: single, rendered, facts, bundle: BUNDLE, serviceId: 'svc', state: null, reach: {} });
    expect(changeCount(p)).toBe(0);
  });
  it('a standalone SCM and a one-node Ratis topology: back up, then convert (the seed\'s first step)', () => {
    const single = topologyOf(threeNodeText().replace('        - { nodeId: scm2, host: scm2 }\n        - { nodeId: scm3, host: scm3 }\n', ''));
    const { facts, rendered } = buildFacts(single, { nodes: { 'svc/scm1': { clusterId: CID, running: true, release: RELEASE, scmHa: false } } });
    const p = planMigration({ topology: single, rendered, facts, bundle: BUNDLE, serviceId: 'svc', state: null, reach: {} });
    expect(tasks(p, 'backup')).toEqual(['stop-scm svc/scm1', 'backup-scm svc/scm1']);
    expect(tasks(p, 'convert')).toEqual(['start-scm svc/scm1 leader']);
    expect(tasks(p, 'join')).toEqual([]);
  });
});
