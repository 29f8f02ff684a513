/**
 * The planner on many fact combinations: what each phase contains, in which order, and what is refused.
 */
import { describe, expect, it } from 'vitest';
import { allTasks, changeCount, isRunnable, type Plan, type Task } from '../../../src/provisioner/plan/plan-model.js';
import { PHASE_IDS, PHASE_TITLES } from '../../../src/provisioner/plan/phases/phases.js';
import { formatPlan, NO_CHANGES, summaryLine } from '../../../src/provisioner/plan/plan-text.js';
import { plan, withoutManagedHeader } from '../../../src/provisioner/plan/planner.js';
import { parseIgnoreList } from '../../../src/provisioner/plan/preflight.js';
import type { Topology } from '../../../src/provisioner/topology/model.js';
import { appliedState, BUNDLE, buildFacts, CID, OLD_RELEASE, standaloneText, threeNodeText, topologyOf, type ClusterState } from './cluster-fixture.js';

const t3 = topologyOf(threeNodeText());

function planOf(topology: Topology, state: ClusterState, ignore: readonly string[] = []): Plan {
  const { facts, rendered } = buildFacts(topology, state);
  return plan({ topology, rendered, facts, bundle: BUNDLE, ignorePreflightErrors: parseIgnoreList(ignore) });
}

function tasks(p: Plan, phase: string): string[] {
  return p.phases.find((x) => x.id === phase)!.tasks.map((t) => `${t.kind} ${'node' in t ? t.node : t.host}${t.kind === 'start-scm' ? ` ${t.gate}` : ''}`);
}

function kinds(p: Plan): Task['kind'][] {
  return allTasks(p).map((t) => t.kind);
}

describe('plan: fresh, partial, applied', () => {
  it('a fresh cluster: install, files, init + start the primordial, then bootstrap + start the others one at a time, verify', () => {
    const p = planOf(t3, {});
    expect(isRunnable(p)).toBe(true);
    expect(p.phases.map((x) => x.title)).toEqual(PHASE_IDS.map((id) => PHASE_TITLES[id]));
    expect(tasks(p, 'runtime')).toEqual(['install-runtime scm1', 'install-runtime scm2', 'install-runtime scm3']);
    expect(tasks(p, 'files').filter((t) => t.startsWith('create-directories'))).toEqual(['create-directories scm1', 'create-directories scm2', 'create-directories scm3']);
    expect(p.fileChanges.map((f) => `${f.host} ${f.action} ${f.path}`)).toEqual(
      ['scm1', 'scm2', 'scm3'].flatMap((h) => ['ozone-site.xml', 'scm.env', 'ozone-scm.service'].map((f) => `${h} create /srv/${h}/conf/${f}`)),
    );
    expect(tasks(p, 'init')).toEqual(['init-scm svc/scm1', 'start-scm svc/scm1 leader']);
    expect(tasks(p, 'join')).toEqual(['bootstrap-scm svc/scm2', 'start-scm svc/scm2 member', 'bootstrap-scm svc/scm3', 'start-scm svc/scm3 member']);
    expect(tasks(p, 'restart')).toEqual([]);
    expect(tasks(p, 'verify')).toEqual(['verify-service scm1']);
    expect(kinds(p)).not.toContain('mark-restart-pending');
    expect(summaryLine(p)).toBe('Plan: 21 changes (3 runtime installs, 3 hosts with new directories, 9 files to create, 1 init, 2 bootstraps, 3 starts).');
  });

  it('creates SCM data directories 0700: metadata/db, ratis and snapshot are the task\'s privatePaths, config and logs are not', () => {
    const p = planOf(t3, {});
    const mk = allTasks(p).find((t) => t.kind === 'create-directories' && t.host === 'scm1');
    if (mk?.kind !== 'create-directories') throw new Error('no create-directories task');
    expect(mk.privatePaths).toEqual(['/srv/scm1/meta', '/srv/scm1/meta/scm.ratis', '/srv/scm1/meta/scm.ratis.snapshot']);
    expect(mk.paths).toEqual(expect.arrayContaining([...mk.privatePaths, '/srv/scm1/conf', '/srv/scm1/logs']));
    // a client-only host has no data directories
    const withClient = topologyOf(threeNodeText({ extraHosts: '    - { name: cl1, address: 10.0.0.9, roles: [client], directories: { config: /srv/cl1/conf } }\n' }));
    const cl = allTasks(planOf(withClient, { hosts: { cl1: { dirs: false, files: 'absent' } } })).find((t) => t.kind === 'create-directories' && t.host === 'cl1');
    expect(cl?.kind === 'create-directories' ? cl.privatePaths : null).toEqual([]);
  });

  it('everything applied: no task at all, "No changes"', () => {
    const p = planOf(t3, appliedState(t3));
    expect(allTasks(p)).toEqual([]);
    expect(changeCount(p)).toBe(0);
    expect(p.fileChanges).toEqual([]);
    expect(formatPlan(p)).toContain(NO_CHANGES);
    expect(p.preflight.every((c) => c.status === 'pass')).toBe(true);
  });

  it('partially applied (scm1 runs, scm2 bootstrapped but stopped, scm3 untouched): no init; start scm2, then bootstrap + start scm3', () => {
    const p = planOf(t3, appliedState(t3, { nodes: { 'svc/scm2': { clusterId: CID, running: false, release: BUNDLE.release }, 'svc/scm3': { clusterId: null, release: null } }, ring: { leader: 'svc/scm1', members: ['svc/scm1'] } }));
    expect(tasks(p, 'runtime')).toEqual(['install-runtime scm3']);
    expect(tasks(p, 'init')).toEqual([]);
    expect(tasks(p, 'join')).toEqual(['start-scm svc/scm2 member', 'bootstrap-scm svc/scm3', 'start-scm svc/scm3 member']);
    expect(tasks(p, 'restart')).toEqual([]);
  });

  it('a whole ring stopped: start each (the first without a gate: no majority yet), then wait for the ring', () => {
    const p = planOf(t3, appliedState(t3, { nodes: { 'svc/scm1': { clusterId: CID, running: false }, 'svc/scm2': { clusterId: CID, running: false }, 'svc/scm3': { clusterId: CID, running: false } } }));
    expect(tasks(p, 'join')).toEqual(['start-scm svc/scm1 none', 'start-scm svc/scm2 member', 'start-scm svc/scm3 member', 'wait-ring scm3']);
  });

  it('plans are deterministic and survive a JSON round trip', () => {
    const a = planOf(t3, {});
    const b = planOf(t3, {});
    expect(b).toEqual(a);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
  });

  it('a standalone SCM starts and restarts with the leader gate', () => {
    const solo = topologyOf(standaloneText());
    expect(tasks(planOf(solo, {}), 'init')).toEqual(['init-scm svc/scm1', 'start-scm svc/scm1 leader']);
    const p = planOf(solo, appliedState(solo, { nodes: { 'svc/scm1': { clusterId: CID, running: false } } }));
    expect(tasks(p, 'join')).toEqual(['start-scm svc/scm1 leader']);
  });
});

describe('plan: changes to a running cluster', () => {
  it('one property changed everywhere: exactly that diff per host, markers first, followers restarted before the leader', () => {
    const next = topologyOf(threeNodeText({ properties: { 'ozone.scm.container.size': '1GB' } }));
    const before = buildFacts(t3, appliedState(t3, { ring: { leader: 'svc/scm2', members: ['svc/scm1', 'svc/scm2', 'svc/scm3'] } }));
    // the hosts hold what the old topology rendered
    const files: Record<string, Record<string, string>> = {};
    for (const [h, list] of before.rendered) files[h] = Object.fromEntries(list.map((f) => [f.path, f.content]));
    const p = planOf(next, appliedState(next, { hosts: Object.fromEntries(Object.entries(files).map(([h, f]) => [h, { files: f }])), ring: { leader: 'svc/scm2', members: ['svc/scm1', 'svc/scm2', 'svc/scm3'] } }));
    expect(p.fileChanges.map((f) => `${f.host} ${f.action} ${f.path}`)).toEqual(['scm1 update /srv/scm1/conf/ozone-site.xml', 'scm2 update /srv/scm2/conf/ozone-site.xml', 'scm3 update /srv/scm3/conf/ozone-site.xml']);
    for (const f of p.fileChanges) {
      expect(f.added).toBe(4);
      expect(f.removed).toBe(0);
      expect(f.diff.split('\n').filter((l) => /^[+-]\s/.test(l)).sort()).toEqual(['+    <name>ozone.scm.container.size</name>', '+    <value>1GB</value>', '+  </property>', '+  <property>']);
      expect(f.backupSuffix).toBeUndefined();
    }
    expect(tasks(p, 'files')).toEqual([
      'mark-restart-pending svc/scm1',
      'write-file scm1',
      'mark-restart-pending svc/scm2',
      'write-file scm2',
      'mark-restart-pending svc/scm3',
      'write-file scm3',
    ]);
    expect(tasks(p, 'restart')).toEqual(['restart-scm svc/scm1', 'restart-scm svc/scm3', 'restart-scm svc/scm2']);
    expect(p.phases.find((x) => x.id === 'restart')!.tasks[2]!.title).toContain('after transferring leadership');
    expect(tasks(p, 'init')).toEqual([]);
    expect(tasks(p, 'join')).toEqual([]);
  });

  it('config drift on one host: only that host is written, marked and restarted; a hand-edited file is backed up', () => {
    const site = '/srv/scm2/conf/ozone-site.xml';
    const p = planOf(t3, appliedState(t3, { hosts: { scm2: { files: { [site]: '<configuration>hand made</configuration>\n' } } } }));
    expect(tasks(p, 'files')).toEqual(['mark-restart-pending svc/scm2', 'write-file scm2']);
    const w = allTasks(p).find((t) => t.kind === 'write-file')!;
    expect(w).toMatchObject({ path: site, backupSuffix: expect.stringMatching(/^\.scmctl-backup-[0-9a-f]{8}$/) });
    expect(tasks(p, 'restart')).toEqual(['restart-scm svc/scm2']);
    expect(p.fileChanges[0]!.diff).toContain('-<configuration>hand made</configuration>');
  });

  it('withoutManagedHeader drops only scmctl\'s header line', () => {
    expect(withoutManagedHeader(`<?xml version="1.0"?>\n<!-- Managed by scmctl; do not edit (changes are overwritten). sha256=${'a'.repeat(64)} -->\n<configuration/>\n`)).toBe('<?xml version="1.0"?>\n<configuration/>\n');
    expect(withoutManagedHeader(`# Managed by scmctl; do not edit (changes are overwritten). sha256=${'b'.repeat(64)}\nA=1\n`)).toBe('A=1\n');
    expect(withoutManagedHeader('A=1\n# Managed by me\n')).toBe('A=1\n# Managed by me\n');
  });

  it('a runtime upgrade: markers before the install, then a rolling restart with the leader last', () => {
    const p = planOf(t3, appliedState(t3, { nodes: Object.fromEntries(['svc/scm1', 'svc/scm2', 'svc/scm3'].map((k) => [k, { clusterId: CID, running: true, release: OLD_RELEASE }])) }));
    expect(tasks(p, 'runtime')).toEqual(['mark-restart-pending svc/scm1', 'install-runtime scm1', 'mark-restart-pending svc/scm2', 'install-runtime scm2', 'mark-restart-pending svc/scm3', 'install-runtime scm3']);
    expect(allTasks(p).find((t) => t.kind === 'install-runtime')!.title).toBe(`upgrade scm1 from ${OLD_RELEASE} to ${BUNDLE.release} (/srv/scm1/install)`);
    expect(tasks(p, 'restart')).toEqual(['restart-scm svc/scm2', 'restart-scm svc/scm3', 'restart-scm svc/scm1']);
    expect(tasks(p, 'files')).toEqual([]);
  });

  it('a restart marker left by a crashed apply (files already pushed) restarts that node only', () => {
    const p = planOf(t3, appliedState(t3, { nodes: { 'svc/scm3': { clusterId: CID, running: true, marker: true, release: BUNDLE.release } } }));
    expect(kinds(p)).toEqual(['restart-scm', 'verify-service']);
    expect(allTasks(p)[0]!.title).toContain('a restart is pending from an earlier apply');
  });

  it('a marker on a stopped node: the node is started (which clears the marker), not restarted', () => {
    const p = planOf(t3, appliedState(t3, { nodes: { 'svc/scm3': { clusterId: CID, running: false, marker: true, release: BUNDLE.release } } }));
    expect(tasks(p, 'join')).toEqual(['start-scm svc/scm3 member']);
    expect(tasks(p, 'restart')).toEqual([]);
  });

  it('OM, datanode and client hosts only get their ozone-site.xml', () => {
    const t = topologyOf(threeNodeText({ extraHosts: '    - { name: om1, address: 10.0.0.9, roles: [om], directories: { config: /srv/om1/conf } }\n' }));
    const p = planOf(t, appliedState(t, { hosts: { om1: { files: 'absent', dirs: false } } }));
    expect(allTasks(p).map((x) => `${x.kind} ${x.host}`)).toEqual(['create-directories om1', 'write-file om1', 'verify-service scm1']);
    expect(p.fileChanges.map((f) => f.path)).toEqual(['/srv/om1/conf/ozone-site.xml']);
  });
});

describe('plan: refused states', () => {
  it('different clusterIDs across hosts: PLAN_CLUSTER_ID_CONFLICT, nothing planned', () => {
    const p = planOf(t3, appliedState(t3, { nodes: { 'svc/scm3': { clusterId: 'CID-22222222-2222-2222-2222-222222222222', running: true } } }));
    expect(p.problems.map((x) => x.code)).toEqual(['PLAN_CLUSTER_ID_CONFLICT']);
    expect(p.problems[0]!.hosts).toEqual(['scm1', 'scm2', 'scm3']);
    expect(isRunnable(p)).toBe(false);
    expect(allTasks(p)).toEqual([]);
    expect(p.preflight.find((c) => c.check === 'cluster-id')).toMatchObject({ status: 'fail', ignorable: false });
  });

  it('a primordial without VERSION while another node has one: PLAN_SECOND_CLUSTER (init would make a second cluster)', () => {
    const p = planOf(t3, { nodes: { 'svc/scm2': { clusterId: CID, running: false, release: BUNDLE.release } } });
    expect(p.problems.map((x) => x.code)).toEqual(['PLAN_SECOND_CLUSTER']);
    expect(p.problems[0]!.hosts).toEqual(['scm1', 'scm2']);
    expect(p.problems[0]!.hint).toContain('primordial');
    expect(allTasks(p)).toEqual([]);
  });

  it('a host whose scmUuid differs from the ring member at its address: PLAN_IDENTITY_CHANGED', () => {
    const p = planOf(t3, appliedState(t3, { nodes: { 'svc/scm2': { clusterId: CID, running: true, scmUuid: '99999999-9999-4999-8999-999999999999' } }, ring: { leader: 'svc/scm1', members: ['svc/scm1', 'svc/scm2', 'svc/scm3'], ids: { 'svc/scm2': '00000000-0000-4000-8000-000000000002' } } }));
    expect(p.problems.map((x) => `${x.code} ${x.hosts.join(',')}`)).toEqual(['PLAN_IDENTITY_CHANGED scm2']);
    expect(p.preflight.filter((c) => c.check === 'identity' && c.status === 'fail').map((c) => c.host)).toEqual(['scm2']);
  });

  it('a host that lost its VERSION while the ring still lists it: PLAN_IDENTITY_CHANGED (no silent re-bootstrap)', () => {
    const p = planOf(t3, appliedState(t3, { nodes: { 'svc/scm3': { clusterId: null, running: false, release: BUNDLE.release } }, ring: { leader: 'svc/scm1', members: ['svc/scm1', 'svc/scm2', 'svc/scm3'] } }));
    expect(p.problems.map((x) => x.code)).toEqual(['PLAN_IDENTITY_CHANGED']);
    expect(allTasks(p)).toEqual([]);
  });
});

describe('plan: shrinking a ring (members the topology no longer declares)', () => {
  const peer = (n: number, role: string) => ({ host: `10.0.0.${60 + n}`, address: `10.0.0.${60 + n}:9894`, role, id: `00000000-0000-4000-8000-0000000000${60 + n}`, inetAddress: `10.0.0.${60 + n}` });
  it('5 → 3: both removals planned, dead members first; each keeps a live majority', () => {
    const { facts, rendered } = buildFacts(t3, appliedState(t3, { strangers: [peer(4, 'FOLLOWER'), peer(5, 'UNREACHABLE')] }));
    const p = plan({ topology: t3, rendered, facts, bundle: null });
    expect(isRunnable(p)).toBe(true);
    expect(p.phases.find((x) => x.id === 'remove')!.tasks.map((t) => (t as { scmUuid: string }).scmUuid)).toEqual([peer(5, '').id, peer(4, '').id]);
  });
  it('removals that would leave the ring without a live majority are refused before anything changes (PLAN_WOULD_LOSE_QUORUM)', () => {
    // 3 declared + 2 leaving, of which the declared scm2 and scm3 are down: 1 live of 5
    const state = appliedState(t3, {
      strangers: [peer(4, 'FOLLOWER'), peer(5, 'FOLLOWER')],
      ring: { leader: 'svc/scm1', members: ['svc/scm1', 'svc/scm2', 'svc/scm3'], health: { 'svc/scm2': { role: 'UNREACHABLE' }, 'svc/scm3': { role: 'UNREACHABLE' } } },
    });
    const { facts, rendered } = buildFacts(t3, state);
    const p = plan({ topology: t3, rendered, facts, bundle: null });
    expect(isRunnable(p)).toBe(false);
    expect(p.problems.map((x) => x.code)).toEqual(['PLAN_WOULD_LOSE_QUORUM']);
    expect(p.problems[0]!.message).toContain('2 live of 4 members before removing');
    expect(allTasks(p)).toEqual([]);
  });
  it('a removal that commits but leaves too few live members behind is refused too', () => {
    // ring: scm1 (leader), scm2 (UNREACHABLE), a live stranger; removing the stranger leaves 1 live of 2
    const state = appliedState(t3, { strangers: [peer(4, 'FOLLOWER')], ring: { leader: 'svc/scm1', members: ['svc/scm1', 'svc/scm2'], health: { 'svc/scm2': { role: 'UNREACHABLE' } } } });
    const { facts, rendered } = buildFacts(t3, state);
    const p = plan({ topology: t3, rendered, facts, bundle: null });
    expect(p.problems.map((x) => x.code)).toEqual(['PLAN_WOULD_LOSE_QUORUM']);
    expect(p.problems[0]!.message).toContain('1 live of 2 members would remain');
  });
});

describe('plan: release compatibility', () => {
  it('a release whose SCM runs an older layout than a node\'s VERSION is refused before anything changes (PLAN_LAYOUT_INCOMPATIBLE)', () => {
    const { facts, rendered } = buildFacts(t3, appliedState(t3, { nodes: { 'svc/scm1': { clusterId: CID, running: true, release: OLD_RELEASE } } }));
    const older = plan({ topology: t3, rendered, facts, bundle: { ...BUNDLE, layoutVersion: 9 } });
    expect(isRunnable(older)).toBe(false);
    expect(older.problems.map((p) => p.code)).toEqual(['PLAN_LAYOUT_INCOMPATIBLE']);
    expect(older.problems[0]!.message).toContain('scm1 (scm1) holds layoutVersion 10');
    expect(isRunnable(plan({ topology: t3, rendered, facts, bundle: { ...BUNDLE, layoutVersion: 10 } }))).toBe(true);
    expect(isRunnable(plan({ topology: t3, rendered, facts, bundle: BUNDLE }))).toBe(true);
  });
});

describe('plan: preflight', () => {
  it('an unreachable host fails the ssh check and stops planning; it cannot be ignored', () => {
    const p = planOf(t3, { hosts: { scm2: { unreachable: { code: 'SSH_HOST_KEY_CHANGED', message: 'host scm2: key changed' } } } }, ['all']);
    expect(p.preflight.filter((c) => c.status === 'fail').map((c) => `${c.check} ${c.host}`)).toEqual(['ssh scm2']);
    expect(allTasks(p)).toEqual([]);
    expect(() => parseIgnoreList(['ssh'])).toThrow(expect.objectContaining({ code: 'PLAN_UNKNOWN_CHECK' }));
    expect(() => parseIgnoreList(['portz'])).toThrow(expect.objectContaining({ code: 'PLAN_UNKNOWN_CHECK' }));
  });

  it('a sudo refusal is the sudo check', () => {
    const t = topologyOf(threeNodeText({ become: true }));
    const p = planOf(t, { hosts: { scm3: { unreachable: { code: 'SUDO_FAILED', message: 'host scm3: sudo refused' } } } });
    expect(p.preflight.filter((c) => c.status === 'fail').map((c) => `${c.check} ${c.host}`)).toEqual(['sudo scm3']);
    expect(p.preflight.filter((c) => c.check === 'sudo' && c.status === 'pass').map((c) => c.host)).toEqual(['scm1', 'scm2']);
  });

  it('a busy port on a stopped node fails `ports`; ignored by name or with all, the plan runs', () => {
    const state: ClusterState = { hosts: { scm1: { portsInUse: [9876] } } };
    const failing = planOf(t3, state);
    expect(failing.preflight.filter((c) => c.status === 'fail').map((c) => `${c.check} ${c.host}`)).toEqual(['ports scm1']);
    expect(failing.preflight.find((c) => c.status === 'fail')!.message).toContain('http port 9876 is in use (10.0.0.1:9876)');
    expect(isRunnable(failing)).toBe(false);
    expect(allTasks(failing).length).toBeGreaterThan(0); // still shown
    for (const ignore of [['ports'], ['all'], ['disk,ports']]) {
      const p = planOf(t3, state, ignore);
      expect(p.preflight.filter((c) => c.status === 'ignored').map((c) => c.check)).toEqual(['ports']);
      expect(isRunnable(p)).toBe(true);
    }
  });

  it('ports of running SCMs are theirs, not a conflict', () => {
    const p = planOf(t3, appliedState(t3, { hosts: { scm1: { portsInUse: [9860, 9861, 9863, 9876, 9894, 9895, 9961] } } }));
    expect(p.preflight.filter((c) => c.status !== 'pass')).toEqual([]);
  });

  it('os-arch, runtime, directories, disk and clock-skew', () => {
    const p = planOf(t3, {
      hosts: {
        scm1: { arch: 'aarch64' },
        scm2: { systemNode: 'v18.20.0', freeBytes: 100 * 1024 ** 2 },
        scm3: { skewMs: 60_000, unwritable: ['/srv/scm3/meta'] },
      },
    });
    expect(p.preflight.filter((c) => c.status === 'fail').map((c) => `${c.check} ${c.host}`)).toEqual(['os-arch scm1', 'runtime scm2', 'disk scm2', 'disk scm2', 'directories scm3', 'clock-skew scm3']);
    const withNode = plan({ topology: t3, ...buildFacts(t3, { hosts: { scm2: { systemNode: null } } }), bundle: { ...BUNDLE, bundledNode: true } });
    expect(withNode.preflight.find((c) => c.check === 'runtime' && c.host === 'scm2')!.status).toBe('pass');
  });
});

describe('plan: a running standalone SCM', () => {
  it('is refused (PLAN_NEEDS_MIGRATE) when the topology adds Raft nodes to it; migrate is the way', () => {
    const p = planOf(t3, { nodes: { 'svc/scm1': { clusterId: CID, running: true, scmHa: false } }, ring: null });
    expect(p.problems.map((x) => x.code)).toEqual(['PLAN_NEEDS_MIGRATE']);
    expect(p.problems[0]!.hint).toContain('scmctl migrate');
    expect(isRunnable(p)).toBe(false);
  });
  it('is not refused when it is stopped (its start converts it) or when it stays alone (a one-node ring: a restart converts it)', () => {
    expect(planOf(t3, { nodes: { 'svc/scm1': { clusterId: CID, running: false, scmHa: false } }, ring: null }).problems).toEqual([]);
    const single = topologyOf(threeNodeText().replace('        - { nodeId: scm2, host: scm2 }\n        - { nodeId: scm3, host: scm3 }\n', ''));
    expect(planOf(single, { nodes: { 'svc/scm1': { clusterId: CID, running: true, scmHa: false } }, ring: null }).problems).toEqual([]);
  });
});
