/**
 * The acceptance run on three real sshd hosts (127.0.1.1–3, logged in as the harness user): `scmctl apply`
 * brings up a three-SCM Raft ring (one clusterID in every VERSION, roles 1 LEADER + 2 FOLLOWER); `plan`
 * right after exits 0 with "No changes"; one changed property diffs exactly on every host, and apply
 * restarts the SCMs one at a time (leader last) while a freon writer keeps getting its block allocations
 * acknowledged; an apply SIGKILLed midway is finished by the next run with the same clusterID.
 * Short Raft timings come from extra properties in the test topology (FAST_RAFT).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterIds, logDirsUnder, scmctl, spawnScmctl, stopDaemons, writeSshTopology } from '../support/apply-e2e.js';
import { OZONE, ozone, spawnOzone } from '../support/ozone-process.js';
import type { SshdHosts } from '../support/sshd-hosts.js';
import { sshdSuite } from '../support/sshd-suite.js';

let hosts: SshdHosts;
let env: NodeJS.ProcessEnv;
const root = sshdSuite('scmctl-apply-e2e-ha', (h, e) => {
  hosts = h;
  env = e;
});
const names = ['node1', 'node2', 'node3'];

interface Status {
  healthy: boolean;
  nodes: { nodeId: string; role: string | null; running: boolean; clusterId: string | null }[];
}

interface FreonRun {
  readonly status: number | null;
  readonly failures: number;
  readonly keys: number;
  readonly maxLatencyMs: number;
}

/** One freon run: allocates `keys` blocks through the leader, as a client of node1's configuration. */
function freon(conf: string, keys: number): Promise<FreonRun> {
  return new Promise((resolve) => {
    const child = spawn(OZONE, ['--conf', conf, 'freon', 'rk', '--num-of-volumes=1', '--num-of-buckets=1', `--num-of-keys=${keys}`, '--num-of-threads=1', '--key-size=1KB', '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (status) => {
      try {
        const j = JSON.parse(out) as { failures: number; keysAllocated: number; latencyMs: { max: number } };
        resolve({ status, failures: j.failures, keys: j.keysAllocated, maxLatencyMs: j.latencyMs.max });
      } catch {
        resolve({ status, failures: keys, keys: 0, maxLatencyMs: Number.POSITIVE_INFINITY });
      }
    });
  });
}

describe('apply over SSH: a three-SCM Raft ring', () => {
  it('brings up the quorum; plan right after says "No changes"', async () => {
    const base = join(root, 'ring');
    const file = writeSshTopology(hosts, { name: 'e2e-ring', root: base, scms: 3 });
    const r = await scmctl(['apply', file, '--yes'], env);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const ids = clusterIds(base, names);
    expect(ids[0]).toMatch(/^CID-/);
    expect(new Set(ids)).toEqual(new Set([ids[0]]));
    const roles = ozone(['--conf', join(base, 'node1/conf'), 'admin', 'scm', 'roles', '--json']);
    expect(roles.status, roles.stderr).toBe(0);
    const peers = Object.values(JSON.parse(roles.stdout) as Record<string, { raftPeerRole: string }>).map((p) => p.raftPeerRole).sort();
    expect(peers).toEqual(['FOLLOWER', 'FOLLOWER', 'LEADER']);
    const st = await scmctl(['status', file, '--output', 'json'], env);
    expect(st.status, st.stdout).toBe(0);
    const s = JSON.parse(st.stdout) as Status;
    expect(s.nodes.map((n) => n.role).sort()).toEqual(['FOLLOWER', 'FOLLOWER', 'LEADER']);
    expect(s.nodes.every((n) => n.running && n.clusterId === ids[0])).toBe(true);
    const p = await scmctl(['plan', file], env);
    expect(p.stdout).toContain('No changes. The cluster matches the topology.');
    expect(p.status).toBe(0);
  });

  it('one changed property: exactly that diff on every host; a rolling restart, one node at a time, leader last, while freon keeps allocating', async () => {
    const base = join(root, 'ring');
    const conf = join(base, 'node1/conf');
    const file = writeSshTopology(hosts, { name: 'e2e-ring', root: base, scms: 3, properties: { 'ozone.scm.container.size': '1GB' } });
    const plan = await scmctl(['plan', file, '--output', 'json'], env);
    expect(plan.status).toBe(2);
    const pj = JSON.parse(plan.stdout) as { fileChanges: { host: string; diff: string }[] };
    expect(pj.fileChanges.map((f) => f.host)).toEqual(names);
    for (const f of pj.fileChanges) {
      expect(f.diff.split('\n').filter((l) => /^[+-] /.test(l)).sort()).toEqual(['+    <name>ozone.scm.container.size</name>', '+    <value>1GB</value>', '+  </property>', '+  <property>']);
    }

    // a writer: simulated datanodes reporting to every SCM, and freon allocating blocks in a loop
    const dn = spawnOzone(['--conf', conf, 'datanode', '--count', '3', '--prefix', 'e2e-dn']);
    await dn.waitFor(/Started 3 simulated datanodes/);
    const runs: FreonRun[] = [];
    let first: FreonRun | undefined;
    // allocations need the leader out of safe mode (datanodes registered, a healthy pipeline): Ozone's gate
    expect(ozone(['--conf', conf, 'admin', 'safemode', 'wait', '-t', '60'], {}, 90_000).status).toBe(0);
    for (let i = 0; i < 10 && !(first && first.status === 0); i++) first = await freon(conf, 5);
    expect(first?.status).toBe(0);
    let writing = true;
    const writer = (async () => {
      while (writing) runs.push(await freon(conf, 40));
    })();

    const applied = await scmctl(['apply', file, '--yes', '--output', 'json'], env);
    writing = false;
    await writer;
    dn.signal('SIGTERM');
    expect(applied.status, applied.stderr).toBe(0);

    const events = applied.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; time: string; task?: { kind: string; title: string } });
    const restarts = events.filter((e) => e.task?.kind === 'restart-scm' && (e.type === 'task-start' || e.type === 'task-done'));
    // strictly one at a time: start, done, start, done, …
    expect(restarts.map((e) => e.type)).toEqual(['task-start', 'task-done', 'task-start', 'task-done', 'task-start', 'task-done']);
    expect(restarts[4]!.task!.title).toContain('after transferring leadership');
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.filter((r) => r.status !== 0 || r.failures > 0)).toEqual([]);
    const worst = Math.max(...runs.map((r) => r.maxLatencyMs));
    // one election's pause at most (election timeout 1 s, client failover every 0.5 s), with room for a loaded machine
    expect(worst).toBeLessThan(15_000);
    process.stdout.write(`freon during the rolling restart: ${runs.length} runs, ${runs.reduce((n, r) => n + r.keys, 0)} blocks, longest allocation ${worst.toFixed(0)} ms\n`);

    const after = await scmctl(['plan', file], env);
    expect(after.status).toBe(0);
    expect(new Set(clusterIds(base, names)).size).toBe(1);
  });

  it('SIGKILL of apply after the second node bootstrapped; the next apply resumes and finishes with the same clusterID', async () => {
    await stopDaemons(logDirsUnder(join(root, 'ring')));
    const base = join(root, 'kill');
    const file = writeSshTopology(hosts, { name: 'e2e-kill-ring', root: base, scms: 3 });
    const run = spawnScmctl(['apply', file, '--yes', '--output', 'json'], env);
    const bootstrapped = /"type":"task-done"[^\n]*"kind":"bootstrap-scm"[^\n]*"detail":"clusterID (CID-[0-9a-f-]+)"/;
    const deadline = Date.now() + 180_000;
    while (!bootstrapped.test(run.out()) && run.child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(run.out()).toMatch(bootstrapped);
    run.child.kill('SIGKILL');
    await run.exited;
    const cid = bootstrapped.exec(run.out())![1];
    const again = await scmctl(['apply', file, '--yes'], env);
    expect(again.status, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain('Resuming the apply interrupted');
    expect(again.stdout).not.toContain('ozone scm --init');
    expect(clusterIds(base, names)).toEqual([cid, cid, cid]);
    const st = JSON.parse((await scmctl(['status', file, '--output', 'json'], env)).stdout) as Status;
    expect(st.healthy).toBe(true);
    expect(st.nodes.map((n) => n.role).sort()).toEqual(['FOLLOWER', 'FOLLOWER', 'LEADER']);
  });
});
