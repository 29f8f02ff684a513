/**
 * The plan/apply/unlock commands end to end in-process, on simulated SCM hosts (strict fakes): confirmation
 * rules, text and NDJSON output, exit codes, the cluster lock (held, released, taken over on resume,
 * unlocked by id), the journal, and saved plans refused when the hosts changed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runApply } from '../../../src/provisioner/commands/apply.js';
import { runPlan } from '../../../src/provisioner/commands/plan.js';
import { runUnlock } from '../../../src/provisioner/commands/unlock.js';
import { journalPath } from '../../../src/provisioner/apply/state-dirs.js';
import type { SavedPlan } from '../../../src/provisioner/plan/saved-plan.js';
import { readOnlyPolicy } from '../../support/read-only-commands.js';
import { SimCluster } from '../../support/sim-scm-cluster.js';
import { threeNodeText, topologyOf } from '../plan/cluster-fixture.js';
import { AutoClock, BUNDLE_INFO } from '../apply/sim-loop.js';
import { fakeContext, type CapturedContext } from './fake-context.js';

let dir: string;
let file: string;
const text = threeNodeText();
const t3 = topologyOf(text);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'scmctl-apply-cmd-'));
  file = join(dir, 'cluster.yaml');
  writeFileSync(file, text);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function ctx(): CapturedContext {
  return fakeContext({ cwd: dir, env: { HOME: '/home/op', SCMCTL_STATE_DIR: join(dir, 'state') } });
}

function deps(sim: SimCluster): Parameters<typeof runApply>[3] {
  return { connect: sim.connect as never, bundle: BUNDLE_INFO, install: sim.install as never, clock: new AutoClock() };
}

function locks(sim: SimCluster): string[] {
  return [...sim.hosts.values()].flatMap((h) => [...h.files.keys()].filter((p) => p.endsWith('.scmctl-apply.lock')));
}

function writes(sim: SimCluster): number {
  return [...sim.hosts.values()].reduce((n, h) => n + h.calls.filter((c) => c.kind === 'writeFileAtomic').length, 0);
}

describe('scmctl apply', () => {
  it('without a terminal and without --yes: refuses (APPLY_NOT_CONFIRMED), changes nothing', async () => {
    const sim = new SimCluster(t3);
    const c = ctx();
    expect(await runApply([file], {}, c, deps(sim))).toBe(1);
    expect(c.err()).toContain('error[APPLY_NOT_CONFIRMED]');
    expect(c.out()).toContain('Plan: 21 changes');
    expect(writes(sim)).toBe(0);
    expect(sim.ops).toEqual([]);
    expect(locks(sim)).toEqual([]);
  });

  it('--yes applies, journals, releases the lock; plan afterwards exits 0 with "No changes"', async () => {
    const sim = new SimCluster(t3);
    const c = ctx();
    expect(await runApply([file], { yes: true }, c, deps(sim))).toBe(0);
    expect(c.out()).toMatch(/Cluster lock [0-9a-f]{12} taken on 3 hosts/);
    expect(c.out()).toContain('Apply complete: 22 tasks done on cluster t3.');
    expect(locks(sim)).toEqual([]);
    const journal = readFileSync(journalPath(c.env, 't3', t3.hosts.map((h) => h.address)), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(journal[0]).toMatchObject({ type: 'begin', hostname: hostname(), pid: process.pid, cluster: 't3' });
    expect(journal.at(-1)).toMatchObject({ type: 'end', outcome: 'ok' });
    expect(journal.filter((l) => l.type === 'task-done')).toHaveLength(22);
    expect(JSON.stringify(journal)).not.toContain('<configuration>'); // no file contents in the journal
    const p = ctx();
    expect(await runPlan([file], {}, p, { connect: sim.connect as never, bundle: BUNDLE_INFO })).toBe(0);
    expect(p.out()).toContain('No changes. The cluster matches the topology.');
    const again = ctx();
    expect(await runApply([file], {}, again, deps(sim))).toBe(0); // nothing to confirm
    expect(again.out()).toContain('No changes. The cluster matches the topology.');
  });

  it('--output json prints NDJSON: the plan, every event, the result', async () => {
    const sim = new SimCluster(t3);
    const c = ctx();
    expect(await runApply([file], { yes: true, output: 'json' }, c, deps(sim))).toBe(0);
    const lines = c.out().trim().split('\n').map((l) => JSON.parse(l) as { type: string; time: string });
    expect(lines[0]!.type).toBe('plan');
    expect(lines.at(-1)).toMatchObject({ type: 'result', ok: true, completed: 22 });
    expect(lines.filter((l) => l.type === 'task-done')).toHaveLength(22);
    expect(lines.every((l) => typeof l.time === 'string')).toBe(true);
  });

  it('a lock held by another apply: APPLY_LOCKED with its id, nothing changed, our partial locks released; unlock by id clears it', async () => {
    const sim = new SimCluster(t3);
    const foreign = { id: 'deadbeef0001', owner: 'alice@laptop', hostname: 'laptop', pid: 42, startedAt: '2026-01-01T00:00:00Z', cluster: 't3' };
    sim.host('scm2').files.set('/srv/scm2/conf/.scmctl-apply.lock', { type: 'file', content: Buffer.from(JSON.stringify(foreign)), mode: 0o644, owner: 'o', group: 'o', uid: 1, gid: 1 });
    const c = ctx();
    expect(await runApply([file], { yes: true }, c, deps(sim))).toBe(1);
    expect(c.err()).toContain('error[APPLY_LOCKED]: host scm2: another apply holds the cluster: lock deadbeef0001 held by alice@laptop');
    expect(c.err()).toContain('scmctl unlock deadbeef0001 FILE');
    expect(locks(sim)).toEqual(['/srv/scm2/conf/.scmctl-apply.lock']);
    expect(sim.ops).toEqual([]);
    const wrong = ctx();
    expect(await runUnlock(['000000000000', file], {}, wrong, { connect: sim.connect as never })).toBe(1);
    expect(wrong.err()).toContain('APPLY_LOCK_NOT_FOUND');
    expect(wrong.out()).toContain('scm2: holds another lock (deadbeef0001); left alone');
    const u = ctx();
    expect(await runUnlock(['deadbeef0001', file], {}, u, { connect: sim.connect as never })).toBe(0);
    expect(u.out()).toBe('scm2: removed lock deadbeef0001\n');
    expect(locks(sim)).toEqual([]);
    expect(await runApply([file], { yes: true }, ctx(), deps(sim))).toBe(0);
  });

  it('resumes an apply whose process died (journal without end, pid gone): takes over its lock and finishes', async () => {
    const c0 = ctx();
    // a real apply that stops after bootstrapping scm2, as if killed there: no end line, lock left behind
    const dead = spawnSync('true').pid!;
    const lockId = 'abcabcabcabc';
    const jpath = journalPath(c0.env, 't3', t3.hosts.map((h) => h.address));
    const stop = new AbortController();
    const killed = new SimCluster(t3, {
      afterOp: (op, key) => {
        if (op === 'bootstrap' && key === 'svc/scm2') stop.abort(new Error('killed'));
      },
    });
    const kctx = { ...c0, signal: stop.signal };
    expect(await runApply([file], { yes: true }, kctx, deps(killed))).toBe(130);
    // make it look like the SIGKILLed process: rewrite the journal's begin with a dead pid and our lock id,
    // drop its end line, and put its lock back on every host
    const lines = readFileSync(jpath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const doctored = lines.filter((l) => l['type'] !== 'end').map((l) => (l['type'] === 'begin' ? { ...l, pid: dead, lockId } : l));
    writeFileSync(jpath, doctored.map((l) => JSON.stringify(l)).join('\n') + '\n');
    for (const h of t3.hosts) {
      killed.host(h.name).files.set(`/srv/${h.name}/conf/.scmctl-apply.lock`, {
        type: 'file',
        content: Buffer.from(JSON.stringify({ id: lockId, owner: 'me', hostname: hostname(), pid: dead, startedAt: 'x', cluster: 't3' })),
        mode: 0o644,
        owner: 'o',
        group: 'o',
        uid: 1,
        gid: 1,
      });
    }
    const cid = killed.nodes.get('svc/scm1')!.clusterId;
    const c = ctx();
    expect(await runApply([file], { yes: true }, c, deps(killed))).toBe(0);
    expect(c.out()).toMatch(/Resuming the apply interrupted at \S+ \(18 tasks done\)/);
    expect(c.out()).toContain(`Cluster lock ${lockId} taken`);
    expect([...killed.nodes.values()].map((n) => n.clusterId)).toEqual([cid, cid, cid]);
    expect(locks(killed)).toEqual([]);
  });

  it('a live apply of this machine is not taken over (its pid runs): APPLY_LOCKED', async () => {
    const sim = new SimCluster(t3);
    const c0 = ctx();
    const jpath = journalPath(c0.env, 't3', t3.hosts.map((h) => h.address));
    const lockId = 'feedfeedfeed';
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'state', 'journal'), { recursive: true });
    writeFileSync(jpath, `${JSON.stringify({ t: 'x', type: 'begin', applyId: 'a', lockId, hostname: hostname(), pid: process.pid, cluster: 't3', topologyFile: file })}\n`);
    sim.host('scm1').files.set('/srv/scm1/conf/.scmctl-apply.lock', { type: 'file', content: Buffer.from(JSON.stringify({ id: lockId, owner: 'me', hostname: hostname(), pid: process.pid, startedAt: 'x', cluster: 't3' })), mode: 0o644, owner: 'o', group: 'o', uid: 1, gid: 1 });
    const c = ctx();
    expect(await runApply([file], { yes: true }, c, deps(sim))).toBe(1);
    expect(c.err()).toContain(`error[APPLY_LOCKED]: host scm1: another apply holds the cluster: lock ${lockId}`);
  });
});

describe('saved plans', () => {
  it('plan --out then apply plan.json runs it; refused (PLAN_STALE, naming the host) once a host changed', async () => {
    const sim = new SimCluster(t3);
    const c = ctx();
    expect(await runPlan([file], { out: 'p.json' }, c, { connect: sim.connect as never, bundle: BUNDLE_INFO })).toBe(2);
    expect(readdirSync(dir)).toContain('p.json');
    // someone creates a file scmctl manages on scm3
    sim.host('scm3').files.set('/srv/scm3/conf/scm.env', { type: 'file', content: Buffer.from('X=1\n'), mode: 0o644, owner: 'o', group: 'o', uid: 1, gid: 1 });
    const stale = ctx();
    expect(await runApply(['p.json'], { yes: true }, stale, deps(sim))).toBe(1);
    expect(stale.err()).toContain('error[PLAN_STALE]: the saved plan p.json is stale: scm3 changed since it was made');
    expect(writes(sim)).toBe(0);
    sim.host('scm3').files.delete('/srv/scm3/conf/scm.env');
    const ok = ctx();
    expect(await runApply(['p.json'], { yes: true }, ok, deps(sim))).toBe(0);
    expect(ok.out()).toContain('Apply complete');
  });

  it('an honest saved plan still applies after a rebuild of its inputs: it is planned again and equal', async () => {
    const sim = new SimCluster(t3);
    await applyOn3(sim);
    // a config change on an applied cluster: rolling restart, which depends on who leads
    const edited = text.replace('  services:', '  properties:\n    ozone.scm.container.size: 1GB\n  services:');
    writeFileSync(file, edited);
    expect(await runPlan([file], { out: 'p.json', ignorePreflightErrors: 'disk' }, ctx(), { connect: sim.connect as never, bundle: BUNDLE_INFO })).toBe(2);
    expect((JSON.parse(readFileSync(join(dir, 'p.json'), 'utf8')) as SavedPlan).ignorePreflightErrors).toEqual(['disk']);
    const ok = ctx();
    expect(await runApply(['p.json'], { yes: true }, ok, deps(sim))).toBe(0);
    expect(ok.out()).toContain('Apply complete');
    expect(sim.ops).toContain('transfer svc/scm1');
  });

  describe('a saved plan that is not what scmctl plans now is refused (PLAN_TAMPERED) and nothing is done', () => {
    /** plan --out on read-only hosts, edit the file, apply it on hosts that refuse every write and every non-read-only command */
    async function refused(edit: (p: SavedPlan) => void, expectHostsContacted = true): Promise<CapturedContext> {
      const sim = new SimCluster(t3, { commandPolicy: readOnlyPolicy, readOnly: true });
      expect(await runPlan([file], { out: 'p.json' }, ctx(), { connect: sim.connect as never, bundle: BUNDLE_INFO })).toBe(2);
      const path = join(dir, 'p.json');
      const saved = JSON.parse(readFileSync(path, 'utf8')) as SavedPlan;
      edit(saved);
      writeFileSync(path, JSON.stringify(saved, null, 2));
      const before = [...sim.hosts.values()].reduce((n, h) => n + h.calls.length, 0);
      const c = ctx();
      expect(await runApply(['p.json'], { yes: true }, c, deps(sim))).toBe(1);
      expect(c.err()).toMatch(/^error\[PLAN_TAMPERED\]: refusing the saved plan p\.json: /m);
      for (const h of sim.hosts.values()) {
        h.assertNoViolations();
        expect(h.calls.filter((x) => x.kind === 'writeFileAtomic' || x.kind === 'upload')).toEqual([]);
      }
      const after = [...sim.hosts.values()].reduce((n, h) => n + h.calls.length, 0);
      if (!expectHostsContacted) expect(after).toBe(before);
      expect(sim.ops).toEqual([]);
      expect(locks(sim)).toEqual([]);
      expect(existsSync(journalPath(c.env, 't3', t3.hosts.map((h) => h.address)))).toBe(false);
      expect(c.out()).not.toContain('Cluster lock');
      return c;
    }
    const tasksOf = (p: SavedPlan) => p.plan.phases.flatMap((ph) => ph.tasks) as unknown as Array<Record<string, unknown>>;
    const scmEnv = (p: SavedPlan): Record<string, unknown> => tasksOf(p).find((t) => t['id'] === 'file:scm1:/srv/scm1/conf/scm.env')!;

    it('an edited task: an executable written elsewhere under the same innocent title', async () => {
      const c = await refused((p) => {
        Object.assign(scmEnv(p), { path: '/etc/cron.d/x', content: '* * * * * root /tmp/x\n', mode: 0o755 });
      });
      expect(c.err()).toContain('(file:scm1:/srv/scm1/conf/scm.env) of phase files differs in path');
    });

    it('an edited title', async () => {
      const c = await refused((p) => {
        scmEnv(p)['title'] = 'nothing to see here';
      });
      expect(c.err()).toContain('differs in title');
    });

    it('an added task', async () => {
      const c = await refused((p) => {
        const files = p.plan.phases.find((ph) => ph.id === 'files')!.tasks as unknown as Array<Record<string, unknown>>;
        files.push({ ...scmEnv(p), id: 'file:scm1:/root/.ssh/authorized_keys', path: '/root/.ssh/authorized_keys', content: 'ssh-ed25519 AAAA evil\n' });
      });
      expect(c.err()).toContain('(file:scm1:/root/.ssh/authorized_keys) of phase files');
      expect(c.err()).toContain('is not in the plan');
    });

    it('an edited file diff (what the operator is shown)', async () => {
      const c = await refused((p) => {
        (p.plan.fileChanges[0] as { diff: string }).diff = '+nothing\n';
      });
      expect(c.err()).toContain('fileChanges[0].diff');
    });

    it('an embedded topology that no longer validates: refused before any host is contacted', async () => {
      const c = await refused((p) => {
        (p.topology.hosts[0] as { address: string }).address = '300.1.1.1';
      }, false);
      expect(c.err()).toContain('TOPOLOGY_INVALID_ADDRESS');
    });

    it('an embedded topology edited consistently with a valid value (its tasks no longer match)', async () => {
      const c = await refused((p) => {
        (p.topology as unknown as { properties: Array<{ name: string; value: string }> }).properties = [{ name: 'ozone.scm.container.size', value: '1GB' }];
      });
      expect(c.err()).toContain('differs in content');
    });

    it('an embedded model that its own topology file does not load back to', async () => {
      const c = await refused((p) => {
        (p.topology.hosts[0] as unknown as Record<string, unknown>)['extra'] = 'x';
      }, false);
      expect(c.err()).toContain('topology.hosts[0].extra');
    });
  });

  it('a JSON file that is not a plan is read as a topology (and fails as one)', async () => {
    writeFileSync(join(dir, 'x.json'), '{"format":"scmctl-saved-plan/v1"}');
    const c = ctx();
    expect(await runApply(['x.json'], { yes: true }, c, deps(new SimCluster(t3)))).toBe(1);
    expect(c.err()).toContain('PLAN_FILE_INVALID');
  });
});

async function applyOn3(sim: SimCluster): Promise<void> {
  expect(await runApply([file], { yes: true }, ctx(), deps(sim))).toBe(0);
}
