/**
 * SCM HA, the primordial variant (Ozone's "auto-bootstrap", ozone-scm-ha.md §4.3): with
 * `ozone.scm.primordial.node.id=scm1` every node runs both `ozone scm --init` and `ozone scm --bootstrap`
 * (as Kubernetes init containers do) and then starts. Real processes on 127.0.0.1–.3, Ozone's default
 * ports. Checks roles, one clusterID, freon with datanodes, identical containers, re-running both
 * commands on running nodes, and kill -9 of the leader with the old leader catching up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAll, spawnOzone } from '../support/ozone-process.js';
import { ScmCluster } from '../support/scm-cluster.js';
import { waitUntil } from '../support/wait.js';

const root = mkdtempSync(join(tmpdir(), 'scm-prim-e2e-'));
const cluster = new ScmCluster({
  root,
  hosts: ['127.0.0.1', '127.0.0.2', '127.0.0.3'],
  ratis: true,
  primordial: 'scm1',
  extra: { 'ozone.scm.ha.ratis.leader.election.timeout': '1s', 'ozone.scm.info.wait.duration': '120s', 'hdds.scmclient.failover.max.retry': '300' },
});
const IDS = ['scm1', 'scm2', 'scm3'];
const FREON = ['freon', 'randomkeys', '--num-of-volumes=1', '--num-of-buckets=1', '--key-size=524288', '--type=RATIS', '--num-of-threads=8', '--factor=THREE', '--buffer-size=1048576'];

describe('SCM HA: primordial node, both commands on every node (127.0.0.1-3)', () => {
  beforeAll(() => cluster.writeConfs());
  afterAll(async () => {
    await killAll();
    rmSync(root, { recursive: true, force: true });
  });

  it('--init on all three: only the primordial initialises; --bootstrap on all three: only the others bootstrap', async () => {
    const inits = await Promise.all(IDS.map((id) => cluster.run(id, ['scm', '--init'])));
    for (const r of inits) expect(r.status, r.stderr).toBe(0);
    expect(inits[0]!.stdout).toMatch(/^SCM initialization succeeded\./m);
    expect(inits[1]!.stdout.trim()).toBe('SCM init command can only be executed on Primordial SCM. Primordial SCM ID: scm1. Self ID: scm2.');
    expect(inits[2]!.stdout.trim()).toBe('SCM init command can only be executed on Primordial SCM. Primordial SCM ID: scm1. Self ID: scm3.');
    await cluster.start('scm1');
    const boots = await Promise.all(IDS.map((id) => cluster.run(id, ['scm', '--bootstrap'])));
    for (const r of boots) expect(r.status, r.stderr).toBe(0);
    expect(boots[0]!.stdout.trim()).toBe('SCM bootstrap command can only be executed in non-Primordial SCM scm1, primordial SCM scm1. Ignoring it.');
    expect(boots[1]!.stdout).toMatch(/^SCM BootStrap is successful for ClusterID /m);
    await Promise.all(['scm2', 'scm3'].map((id) => cluster.start(id)));
    expect(new Set(IDS.map((id) => cluster.version(id).clusterID)).size).toBe(1);
    expect(IDS.map((id) => cluster.version(id).primaryScmNodeId)).toEqual(IDS.map(() => cluster.version('scm1').scmUuid));
  });

  it('roles: one LEADER, two FOLLOWERs; both commands are harmless on running nodes', async () => {
    const roles = await cluster.run('client', ['admin', 'scm', 'roles']);
    expect(roles.status, roles.stderr).toBe(0);
    const lines = roles.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.filter((l) => l.includes(':LEADER:'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes(':FOLLOWER:'))).toHaveLength(2);
    const before = IDS.map((id) => cluster.version(id));
    for (const id of IDS) {
      const i = await cluster.run(id, ['scm', '--init']);
      const b = await cluster.run(id, ['scm', '--bootstrap']);
      expect([i.status, b.status], i.stderr + b.stderr).toEqual([0, 0]);
    }
    expect(IDS.map((id) => cluster.version(id))).toEqual(before);
  });

  it('admin scm transfer -n <nodeId> and -r move the leadership', async () => {
    const from = await cluster.leader();
    const to = IDS.find((id) => id !== from)!;
    const t = await cluster.run('client', ['admin', 'scm', 'transfer', '-n', to]);
    expect(t.status, t.stderr).toBe(0);
    // TransferScmLeaderSubCommand prints the id it was given
    expect(t.stdout.trim()).toBe(`Transfer leadership successfully to ${to}.`);
    await waitUntil(async () => (await cluster.status(to)).leaderReady, `${to} leads`);
    const roles = (await cluster.run('client', ['admin', 'scm', 'roles'])).stdout;
    expect(roles).toContain(`${cluster.host(to)}:9894:LEADER:${cluster.version(to).scmUuid}`);
    const r = await cluster.run('client', ['admin', 'scm', 'transfer', '-r']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('Transfer leadership successfully to random node.');
    await waitUntil(async () => (await Promise.all(IDS.filter((id) => id !== to).map((id) => cluster.status(id)))).some((st) => st.leaderReady), 'another SCM leads');
  });

  it('freon with datanodes, identical containers; kill -9 the leader, the old leader catches up', async () => {
    const dn = spawnOzone(['datanode', '--count', '3'], cluster.clientEnv());
    await dn.waitFor(/Started 3 simulated datanodes/);
    await waitUntil(async () => (await Promise.all(IDS.map((id) => cluster.status(id)))).every((s) => s.datanodes.HEALTHY === 3), '3 healthy datanodes everywhere');
    const freon = await cluster.run('client', [...FREON, '--num-of-keys=10000']);
    expect(freon.status, freon.stdout + freon.stderr).toBe(0);
    expect(freon.stdout).toMatch(/Number of Keys added: 10000/);
    await cluster.quiescent(IDS);
    const scans = await Promise.all(IDS.map((id) => cluster.scanContainers(id)));
    expect(new Set(scans.map((s) => s.sha256)).size).toBe(1);

    const old = await cluster.leader();
    await cluster.kill(old, 'SIGKILL');
    const next = await cluster.leader({ not: old });
    const more = await cluster.run('client', [...FREON, '--num-of-keys=2000']);
    expect(more.status, more.stdout + more.stderr).toBe(0);
    await cluster.start(old);
    await cluster.quiescent(IDS);
    expect((await cluster.status(next)).leaderReady).toBe(true);
    const after = await Promise.all(IDS.map((id) => cluster.scanContainers(id)));
    expect(new Set(after.map((s) => s.sha256)).size).toBe(1);
    dn.signal('SIGTERM');
    expect(await dn.exited).toBe(0);
  });
});
