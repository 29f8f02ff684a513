/**
 * The executor against strict fake hosts that simulate SCMs (test/support/sim-scm-cluster.ts): the whole
 * facts → plan → apply loop, the order of ring operations, quorum kept during rolling restarts, failures,
 * interruption and resume, the restart marker after a crash between push and restart.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/common/clock.js';
import { executePlan } from '../../../src/provisioner/apply/executor.js';
import { connectLocal } from '../../../src/provisioner/hosts/local-host.js';
import { changeCount } from '../../../src/provisioner/plan/plan-model.js';
import { SimCluster } from '../../support/sim-scm-cluster.js';
import { standaloneText, threeNodeText, topologyOf } from '../plan/cluster-fixture.js';
import { applyOn, onePhasePlan, planOn } from './sim-loop.js';

const t3 = topologyOf(threeNodeText());
const changed = topologyOf(threeNodeText({ properties: { 'ozone.scm.container.size': '1GB' } }));

function versions(sim: SimCluster): (string | null)[] {
  return [...sim.nodes.values()].map((n) => n.clusterId);
}

function assertClean(sim: SimCluster): void {
  for (const h of sim.hosts.values()) h.assertNoViolations();
}

describe('executor on simulated SCM hosts', () => {
  it('brings up a fresh ring: init + start the primordial, then bootstrap + start one node at a time; a second plan has no changes', async () => {
    const sim = new SimCluster(t3);
    const { outcome, events } = await applyOn(sim, t3);
    assertClean(sim);
    expect(outcome).toMatchObject({ ok: true, failures: [], interrupted: false });
    expect(sim.ops.filter((o) => !o.startsWith('install'))).toEqual([
      'init svc/scm1',
      'start svc/scm1',
      'bootstrap svc/scm2',
      'start svc/scm2',
      'bootstrap svc/scm3',
      'start svc/scm3',
    ]);
    expect(sim.ops.filter((o) => o.startsWith('install')).sort()).toEqual(['install scm1', 'install scm2', 'install scm3']);
    const ids = versions(sim);
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toMatch(/^CID-/);
    expect(sim.leader.get('svc')).toBe('svc/scm1');
    expect(events.filter((e) => e.type === 'task-done' && e.task.kind === 'verify-service')).toHaveLength(1);
    const again = await planOn(sim, t3);
    expect(changeCount(again.plan)).toBe(0);
  });

  it('verify waits for a member the leader briefly lists as UNREACHABLE (a slow follower), and still fails on a ring that stays broken', async () => {
    const sim = new SimCluster(t3);
    const { outcome, events } = await applyOn(sim, t3, {
      onEvent: (e) => {
        if (e.type === 'task-start' && e.task.kind === 'verify-service') sim.unreachableInRoles.set('svc/scm3', 2);
      },
    });
    expect(outcome).toMatchObject({ ok: true, failures: [] });
    expect(sim.unreachableInRoles.get('svc/scm3')).toBe(0);
    const verify = events.find((e) => e.type === 'task-done' && e.task.kind === 'verify-service');
    expect(verify).toMatchObject({ detail: expect.stringContaining('in the ring: scm1, scm2, scm3') });

    const broken = new SimCluster(t3);
    const failed = await applyOn(broken, t3, {
      onEvent: (e) => {
        if (e.type === 'task-start' && e.task.kind === 'verify-service') broken.unreachableInRoles.set('svc/scm3', Number.MAX_SAFE_INTEGER);
      },
    });
    expect(failed.outcome.ok).toBe(false);
    expect(failed.events.find((e) => e.type === 'task-failed')).toMatchObject({ task: { kind: 'verify-service' }, code: 'APPLY_VERIFY_FAILED', message: expect.stringMatching(/gave up waiting for the ring to be whole .*scm3 \(UNREACHABLE\)/) });
  });

  it('secure: mints a single-use token per joining SCM on the primordial and hands it over on stdin only', async () => {
    const secure = topologyOf(threeNodeText({ secure: true }));
    const sim = new SimCluster(secure);
    const { outcome, events, plan } = await applyOn(sim, secure);
    assertClean(sim);
    expect(outcome).toMatchObject({ ok: true, failures: [] });
    expect(sim.ops.filter((o) => !o.startsWith('install'))).toEqual([
      'init svc/scm1',
      'start svc/scm1',
      'token svc/scm1',
      'bootstrap svc/scm2',
      'start svc/scm2',
      'token svc/scm1',
      'bootstrap svc/scm3',
      'start svc/scm3',
    ]);
    expect([...sim.tokens.values()]).toEqual([{ nodeId: 'scm2', used: true }, { nodeId: 'scm3', used: true }]);
    // the token is on the bootstrap command's stdin, never in a command line, the plan or an event
    const secrets = [...sim.tokens.keys()].map((t) => t.split('.')[1]!);
    const execs = [...sim.hosts.values()].flatMap((h) => h.execs);
    const boot = execs.filter((e) => e.command.includes('--bootstrap'));
    expect(boot).toHaveLength(2);
    for (const e of boot) expect(secrets).toContain((e.stdin ?? '').trim().split('.')[1]);
    for (const secret of secrets) {
      expect(execs.some((e) => e.command.includes(secret))).toBe(false);
      expect(JSON.stringify(events)).not.toContain(secret);
      expect(JSON.stringify(plan)).not.toContain(secret);
    }
    expect(plan.phases.find((p) => p.id === 'join')!.tasks.filter((t) => t.kind === 'bootstrap-scm')).toEqual([
      expect.objectContaining({ token: { via: 'svc/scm1' }, title: 'bootstrap svc/scm2 on scm2 (ozone scm --bootstrap with a join token)' }),
      expect.objectContaining({ token: { via: 'svc/scm1' } }),
    ]);
  });

  it('removes a ring member the topology does not declare; status calls the service unhealthy until then', async () => {
    const sim = new SimCluster(t3);
    expect((await applyOn(sim, t3)).outcome.ok).toBe(true);
    sim.addStranger('svc', { scmUuid: '9c5ebe1d-46de-41f6-9e61-f564b7b1c324', address: '10.0.0.66', ratisPort: 9894 });
    sim.ops.length = 0;
    const { plan: p } = await planOn(sim, t3);
    expect(p.phases.find((x) => x.id === 'remove')!.tasks).toEqual([
      expect.objectContaining({ kind: 'decommission-scm', scmUuid: '9c5ebe1d-46de-41f6-9e61-f564b7b1c324', address: '10.0.0.66:9894', via: 'svc/scm1' }),
    ]);
    const { outcome } = await applyOn(sim, t3);
    expect(outcome.ok).toBe(true);
    expect(sim.ops).toEqual(['decommission svc/scm1']);
    expect(sim.strangerMembers.get('svc')).toEqual([]);
    expect(changeCount((await planOn(sim, t3)).plan)).toBe(0);
  });

  it('creates the SCM data directories (metadata/db, ratis, snapshot) 0700 and the others 0755', async () => {
    const sim = new SimCluster(t3);
    expect((await applyOn(sim, t3)).outcome.ok).toBe(true);
    assertClean(sim);
    const h = sim.host('scm1');
    const mode = (p: string): string | undefined => {
      const f = h.files.get(p);
      return f && f.type === 'directory' ? f.mode.toString(8) : undefined;
    };
    expect(['/srv/scm1/meta', '/srv/scm1/meta/scm.ratis', '/srv/scm1/meta/scm.ratis.snapshot'].map(mode)).toEqual(['700', '700', '700']);
    expect(['/srv/scm1/conf', '/srv/scm1/logs'].map(mode)).toEqual(['755', '755']);
    expect(h.execs.find((e) => e.command.startsWith('umask 022 && mkdir'))!.command).toBe(
      'umask 022 && mkdir -p -m 0700 -- /srv/scm1/meta /srv/scm1/meta/scm.ratis /srv/scm1/meta/scm.ratis.snapshot && mkdir -p -- /srv/scm1/conf /srv/scm1/logs',
    );
  });

  it('a config change restarts followers first, the leader last after a transfer, never losing quorum, and clears the markers', async () => {
    const sim = new SimCluster(t3);
    await applyOn(sim, t3);
    sim.ops.length = 0;
    const { outcome, plan } = await applyOn(sim, changed);
    assertClean(sim);
    expect(outcome.ok).toBe(true);
    expect(plan.fileChanges.map((f) => f.host)).toEqual(['scm1', 'scm2', 'scm3']);
    expect(sim.ops).toEqual(['stop svc/scm2', 'start svc/scm2', 'stop svc/scm3', 'start svc/scm3', 'transfer svc/scm1', 'stop svc/scm1', 'start svc/scm1']);
    expect(sim.quorumLostDuring).toEqual([]);
    expect(sim.leader.get('svc')).not.toBe('svc/scm1');
    for (const h of sim.hosts.values()) expect([...h.files.keys()].filter((p) => p.endsWith('.scmctl-restart-pending'))).toEqual([]);
    expect(changeCount((await planOn(sim, changed)).plan)).toBe(0);
  });

  it('a failing start stops the run: the failure names the host, the rest is skipped, nothing else is touched', async () => {
    const sim = new SimCluster(t3, { fail: (op, key) => (op === 'start' && key === 'svc/scm2' ? { exitCode: 1, stderr: 'SCM_PORT_IN_USE: 9860 taken\n' } : null) });
    const { outcome, events } = await applyOn(sim, t3);
    expect(outcome.ok).toBe(false);
    expect(outcome.failures).toHaveLength(1);
    expect(outcome.failures[0]!.task).toMatchObject({ kind: 'start-scm', host: 'scm2' });
    expect(outcome.failures[0]!.error).toMatchObject({ code: 'APPLY_SCM_START_FAILED', host: 'scm2', message: expect.stringContaining('SCM_PORT_IN_USE') });
    const skipped = events.filter((e) => e.type === 'task-skipped').map((e) => (e.type === 'task-skipped' ? e.task.title : ''));
    expect(skipped).toEqual([expect.stringContaining('bootstrap svc/scm3'), expect.stringContaining('start svc/scm3'), expect.stringContaining('verify svc')]);
    expect(sim.ops).not.toContain('bootstrap svc/scm3');
  });

  it('interrupted midway (after bootstrapping scm2) and run again: finishes with the same clusterID', async () => {
    const sim = new SimCluster(t3, {
      afterOp: (op, key) => {
        if (op === 'bootstrap' && key === 'svc/scm2') abort.abort(new Error('SIGINT'));
      },
    });
    const abort = new AbortController();
    const first = await applyOn(sim, t3, { signal: abort.signal });
    expect(first.outcome).toMatchObject({ ok: false, interrupted: true });
    const cid = sim.nodes.get('svc/scm1')!.clusterId;
    const resumed = await planOn(sim, t3);
    expect(resumed.plan.phases.find((p) => p.id === 'init')!.tasks).toEqual([]);
    expect(resumed.plan.phases.find((p) => p.id === 'join')!.tasks.map((t) => t.kind)).toEqual(['start-scm', 'bootstrap-scm', 'start-scm']);
    const second = await applyOn(sim, t3);
    expect(second.outcome.ok).toBe(true);
    expect(versions(sim)).toEqual([cid, cid, cid]);
    expect(sim.ops.filter((o) => o.startsWith('init'))).toEqual(['init svc/scm1']);
  });

  it('a crash after the config push but before the restart is not forgotten: the marker makes the next plan restart', async () => {
    const sim = new SimCluster(t3);
    await applyOn(sim, t3);
    const abort = new AbortController();
    const writes = changed.hosts.length;
    let seen = 0;
    const first = await applyOn(sim, changed, {
      signal: abort.signal,
      onEvent: (e) => {
        if (e.type === 'task-done' && e.task.kind === 'write-file' && ++seen === writes) abort.abort(new Error('killed'));
      },
    });
    expect(first.outcome.interrupted).toBe(true);
    const next = await planOn(sim, changed);
    expect(next.plan.fileChanges).toEqual([]);
    const restarts = next.plan.phases.find((p) => p.id === 'restart')!.tasks;
    expect(restarts.map((t) => t.title)).toEqual([
      'restart svc/scm2 on scm2 (a restart is pending from an earlier apply)',
      'restart svc/scm3 on scm3 (a restart is pending from an earlier apply)',
      'restart svc/scm1 on scm1 (a restart is pending from an earlier apply), after transferring leadership',
    ]);
    const second = await applyOn(sim, changed);
    expect(second.outcome.ok).toBe(true);
    expect(changeCount((await planOn(sim, changed)).plan)).toBe(0);
  });

  it('refuses to --init when another node got a VERSION after the plan was made (second cluster)', async () => {
    const sim = new SimCluster(t3);
    const { plan } = await planOn(sim, t3);
    // someone initialises scm3 by hand between plan and apply
    const n3 = sim.nodes.get('svc/scm3')!;
    n3.clusterId = 'CID-99999999-9999-9999-9999-999999999999';
    n3.scmUuid = 'u3';
    sim.host('scm3').files.set('/srv/scm3/meta/scm/current/VERSION', { type: 'file', content: Buffer.from(`clusterID=${n3.clusterId}\nscmUuid=u3\n`), mode: 0o644, owner: 'o', group: 'o', uid: 1, gid: 1 });
    const { executePlan } = await import('../../../src/provisioner/apply/executor.js');
    const { sessionOf, BUNDLE_INFO, AutoClock } = await import('./sim-loop.js');
    const outcome = await executePlan(plan, { hosts: sessionOf(sim, t3).pool, bundle: BUNDLE_INFO, clock: new AutoClock(), install: sim.install as never });
    expect(outcome.failures[0]!.error).toMatchObject({ code: 'APPLY_SECOND_CLUSTER', host: 'scm1' });
    expect(sim.ops.filter((o) => o.startsWith('init'))).toEqual([]);
  });

  it('a standalone SCM: init, start (it leads), and a config change restarts it', async () => {
    const solo = topologyOf(standaloneText());
    const sim = new SimCluster(solo);
    expect((await applyOn(sim, solo)).outcome.ok).toBe(true);
    expect(sim.ops.filter((o) => !o.startsWith('install'))).toEqual(['init svc/scm1', 'start svc/scm1']);
    expect(changeCount((await planOn(sim, solo)).plan)).toBe(0);
  });

  it('does not stop a node while the ring is not whole (APPLY_HEALTH_TIMEOUT instead of losing the majority)', async () => {
    const sim = new SimCluster(t3);
    await applyOn(sim, t3);
    sim.nodes.get('svc/scm3')!.member = false; // scm3 runs but dropped out of the ring
    sim.ops.length = 0;
    const { outcome } = await applyOn(sim, changed);
    expect(outcome.failures[0]!.error).toMatchObject({ code: 'APPLY_HEALTH_TIMEOUT', host: 'scm2', message: expect.stringContaining('not in the ring: scm3') });
    expect(sim.ops).toEqual([]);
  });
});

describe('create-directories with a real shell (local host)', () => {
  it('data directories 0700 whatever the umask, missing parents and other directories 0755', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scmctl-mkdir-'));
    const host = await connectLocal({ name: 'local1', secrets: { env: {} } });
    try {
      const d = (p: string): string => join(dir, p);
      const plan = onePhasePlan([{ kind: 'create-directories', id: 'mkdir:local1', title: 'mkdir', host: 'local1', paths: [d('conf'), d('data/meta'), d('data/meta/scm.ratis'), d('logs')], privatePaths: [d('data/meta'), d('data/meta/scm.ratis')], sudo: false }]);
      const old = process.umask(0o000); // the command sets its own umask
      try {
        expect((await executePlan(plan, { hosts: { get: async () => host }, bundle: null, clock: systemClock })).ok).toBe(true);
      } finally {
        process.umask(old);
      }
      const mode = (p: string): string => (statSync(d(p)).mode & 0o777).toString(8);
      expect(['data/meta', 'data/meta/scm.ratis'].map(mode)).toEqual(['700', '700']);
      expect(['data', 'conf', 'logs'].map(mode)).toEqual(['755', '755', '755']);
    } finally {
      await host.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
