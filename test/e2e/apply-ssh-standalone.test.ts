/**
 * scmctl plan/apply/status over real SSH (3 sshd hosts on 127.0.1.1–3, logged in as the harness user) with
 * a standalone SCM on node1 (`ozone.scm.ratis.enable=false`, what the embedded SCM runs today) and
 * config-only OM/datanode hosts on node2–3: a fresh apply, `plan` right after exits 0 with "No changes",
 * one changed property diffs exactly on every host and restarts the SCM, a SIGKILLed apply is resumed by
 * the next one with the same clusterID, and a saved plan is refused once a host changed.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterIds, logDirsUnder, scmctl, spawnScmctl, stopDaemons, writeSshTopology } from '../support/apply-e2e.js';
import type { SshdHosts } from '../support/sshd-hosts.js';
import { sshdSuite } from '../support/sshd-suite.js';

let hosts: SshdHosts;
let env: NodeJS.ProcessEnv;
const root = sshdSuite('scmctl-apply-e2e-standalone', (h, e) => {
  hosts = h;
  env = e;
});

describe('apply over SSH: standalone SCM + config-only hosts', () => {
  it('applies, then plan says "No changes", status is healthy; one property diffs on every host and restarts the SCM', async () => {
    const base = join(root, 'a');
    const file = writeSshTopology(hosts, { name: 'e2e-standalone', root: base, scms: 1, ratis: false });
    const first = await scmctl(['apply', file, '--yes'], env);
    expect(first.stderr + first.stdout).toContain('Apply complete');
    expect(first.status).toBe(0);
    const [cid] = clusterIds(base, ['node1']);
    expect(cid).toMatch(/^CID-/);

    const again = await scmctl(['plan', file], env);
    expect(again.stdout).toContain('No changes. The cluster matches the topology.');
    expect(again.status).toBe(0);

    const status = await scmctl(['status', file, '--output', 'json'], env);
    expect(status.status).toBe(0);
    const st = JSON.parse(status.stdout) as { healthy: boolean; nodes: { role: string; running: boolean; clusterId: string }[] };
    expect(st.healthy).toBe(true);
    expect(st.nodes).toEqual([expect.objectContaining({ role: 'LEADER', running: true, clusterId: cid })]);

    const changed = writeSshTopology(hosts, { name: 'e2e-standalone', root: base, scms: 1, ratis: false, properties: { 'ozone.scm.container.size': '1GB' } });
    const plan = await scmctl(['plan', changed, '--output', 'json'], env);
    expect(plan.status).toBe(2);
    const pj = JSON.parse(plan.stdout) as { fileChanges: { host: string; path: string; diff: string }[]; phases: { id: string; tasks: { title: string }[] }[] };
    expect(pj.fileChanges.map((f) => f.host)).toEqual(['node1', 'node2', 'node3']);
    for (const f of pj.fileChanges) {
      expect(f.path).toMatch(/\/conf\/ozone-site\.xml$/);
      expect(f.diff.split('\n').filter((l) => /^[+-] /.test(l)).sort()).toEqual(['+    <name>ozone.scm.container.size</name>', '+    <value>1GB</value>', '+  </property>', '+  <property>']);
    }
    expect(pj.phases.find((p) => p.id === 'restart')!.tasks.map((t) => t.title)).toEqual(['restart scmservice/scm1 on node1 (config changed)']);
    const pidBefore = readFileSync(join(base, 'node1/logs/ozone-scmctl-e2e-scm.pid'), 'utf8').trim();
    const applied = await scmctl(['apply', changed, '--yes'], env);
    expect(applied.status, applied.stderr).toBe(0);
    expect(readFileSync(join(base, 'node1/logs/ozone-scmctl-e2e-scm.pid'), 'utf8').trim()).not.toBe(pidBefore);
    expect(clusterIds(base, ['node1'])).toEqual([cid]);
    expect((await scmctl(['plan', changed], env)).status).toBe(0);
  });

  it('a saved plan runs as made, and is refused (PLAN_STALE, naming the host) when a host changed since', async () => {
    const base = join(root, 'a');
    const file = writeSshTopology(hosts, { name: 'e2e-standalone', root: base, scms: 1, ratis: false, properties: { 'ozone.scm.container.size': '2GB' } });
    const out = join(root, 'plan.json');
    expect((await scmctl(['plan', file, '--out', out], env)).status).toBe(2);
    const site = join(base, 'node3/conf/ozone-site.xml');
    const original = readFileSync(site, 'utf8');
    writeFileSync(site, original.replace('</configuration>', '<!-- hand edit -->\n</configuration>'));
    const stale = await scmctl(['apply', out, '--yes'], env);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain('error[PLAN_STALE]');
    expect(stale.stderr).toContain('node3 changed since it was made');
    writeFileSync(site, original);
    const ok = await scmctl(['apply', out, '--yes'], env);
    expect(ok.status, ok.stderr).toBe(0);
    expect((await scmctl(['plan', file], env)).status).toBe(0);
  });

  it('SIGKILL of apply right after --init, then a re-run resumes (taking over its lock) and keeps the clusterID', async () => {
    // the first cluster's SCM holds node1's ports: stop it (a port check would refuse the plan otherwise)
    await stopDaemons(logDirsUnder(join(root, 'a')));
    const base = join(root, 'k');
    const file = writeSshTopology(hosts, { name: 'e2e-kill', root: base, scms: 1, ratis: false });
    const run = spawnScmctl(['apply', file, '--yes', '--output', 'json'], env);
    const deadline = Date.now() + 120_000;
    const initDone = /"type":"task-done"[^\n]*"kind":"init-scm"[^\n]*"detail":"clusterID (CID-[0-9a-f-]+)"/;
    while (!initDone.test(run.out()) && Date.now() < deadline) {
      if (run.child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(run.out()).toMatch(initDone);
    run.child.kill('SIGKILL');
    await run.exited;
    const cid = initDone.exec(run.out())![1];
    expect(clusterIds(base, ['node1'])).toEqual([cid]);
    // the lock of the killed run is still on the hosts
    expect(readFileSync(join(base, 'node1/conf/.scmctl-apply.lock'), 'utf8')).toContain(`"pid":${run.child.pid}`);
    const again = await scmctl(['apply', file, '--yes'], env);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/Resuming the apply interrupted at/);
    expect(again.stdout).not.toContain('initialise scmservice/scm1');
    expect(clusterIds(base, ['node1'])).toEqual([cid]);
    expect((await scmctl(['status', file], env)).status).toBe(0);
  });

  it('SIGINT stops cleanly: exit 130, the lock released, the journal says interrupted; a re-run finishes', async () => {
    await stopDaemons(logDirsUnder(join(root, 'k')));
    const base = join(root, 'i');
    const file = writeSshTopology(hosts, { name: 'e2e-sigint', root: base, scms: 1, ratis: false });
    const run = spawnScmctl(['apply', file, '--yes', '--output', 'json'], env);
    const deadline = Date.now() + 120_000;
    while (!/"type":"task-start"[^\n]*"kind":"init-scm"/.test(run.out()) && run.child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.out()).toMatch(/"type":"result","ok":false,"interrupted":true/);
    expect(existsSync(join(base, 'node1/conf/.scmctl-apply.lock'))).toBe(false);
    const journal = readdirSync(join(env.SCMCTL_STATE_DIR!, 'journal')).find((f) => f.startsWith('e2e-sigint-'))!;
    expect(readFileSync(join(env.SCMCTL_STATE_DIR!, 'journal', journal), 'utf8')).toMatch(/"type":"end","outcome":"interrupted"/);
    const again = await scmctl(['apply', file, '--yes'], env);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).not.toContain('Resuming'); // it ended cleanly: nothing to take over
    expect(clusterIds(base, ['node1'])[0]).toMatch(/^CID-/);
    expect((await scmctl(['plan', file], env)).status).toBe(0);
  });

  it('with become (sudo asking for a password): root-owned directories, the SCM runs as root, then "No changes"', async () => {
    await stopDaemons(['a', 'k', 'i'].flatMap((d) => logDirsUnder(join(root, d))));
    const base = join(root, 's');
    const file = writeSshTopology(hosts, { name: 'e2e-sudo', root: base, scms: 1, ratis: false, become: { passwordEnv: 'E2E_SUDO_PASSWORD' } });
    const sudoEnv = { ...env, E2E_SUDO_PASSWORD: hosts.users!.sudoPassword };
    const r = await scmctl(['apply', file, '--yes'], sudoEnv);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(hosts.users!.sudoPassword);
    expect(statSync(join(base, 'node1/conf/ozone-site.xml')).uid).toBe(0);
    expect(statSync(join(base, 'node1/meta/scm/current/VERSION')).uid).toBe(0);
    expect(existsSync(join(base, 'node1/logs/ozone-root-scm.pid'))).toBe(true);
    const p = await scmctl(['plan', file], sudoEnv);
    expect(p.stdout).toContain('No changes. The cluster matches the topology.');
    const st = await scmctl(['status', file], sudoEnv);
    expect(st.status, st.stdout).toBe(0);
    await stopDaemons([join(base, 'node1/logs')]);
  });

  it('two applies at once: the second fails with APPLY_LOCKED naming the first one\'s lock id; the first finishes', async () => {
    await stopDaemons(['a', 'k', 'i', 's'].flatMap((d) => logDirsUnder(join(root, d))));
    const base = join(root, 'l');
    const file = writeSshTopology(hosts, { name: 'e2e-lock', root: base, scms: 1, ratis: false });
    const first = spawnScmctl(['apply', file, '--yes', '--output', 'json'], env);
    const deadline = Date.now() + 120_000;
    while (!/Cluster lock [0-9a-f]{12} taken/.test(first.out()) && first.child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const id = /Cluster lock ([0-9a-f]{12}) taken/.exec(first.out())![1]!;
    // the first one is paused while it holds the lock (else it may finish before the second one has read
    // the hosts, and the second then rightly finds nothing to do); its SCM may be half started, so the
    // second one's port check only warns
    first.child.kill('SIGSTOP');
    const second = await scmctl(['apply', file, '--yes', '--ignore-preflight-errors=all'], env).finally(() => first.child.kill('SIGCONT'));
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`error\\[APPLY_LOCKED\\]: host node\\d: another apply holds the cluster: lock ${id} held by root@`));
    expect(second.stderr).toContain(`scmctl unlock ${id} FILE`);
    expect(await first.exited).toBe(0);
    expect(readdirSync(join(base, 'node1/conf')).filter((f) => f.includes('lock'))).toEqual([]);
    await stopDaemons([join(base, 'node1/logs')]);
  });
});
