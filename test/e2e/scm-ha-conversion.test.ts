/**
 * Migration (ozone-scm-ha.md §8), real processes on 127.0.0.1–.2: a standalone SCM
 * (`ozone.scm.ratis.enable=false`) with data is restarted with Ratis enabled and becomes a one-node ring
 * keeping its containers (VERSION gains scmHA=true); a second SCM is then bootstrapped, added by the
 * leader, receives the data as a checkpoint (the ring's log starts after the standalone state) and
 * holds identical containers.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killAll, spawnOzone } from '../support/ozone-process.js';
import { ScmCluster } from '../support/scm-cluster.js';
import { waitUntil } from '../support/wait.js';

const root = mkdtempSync(join(tmpdir(), 'scm-conv-e2e-'));
const cluster = new ScmCluster(
  { root, hosts: ['127.0.0.1', '127.0.0.2'], ratis: false, primordial: 'scm1', extra: { 'ozone.scm.ha.ratis.leader.election.timeout': '1s', 'ozone.scm.info.wait.duration': '120s' } },
  1,
);
const FREON = ['freon', 'rk', '--num-of-volumes=1', '--num-of-buckets=1', '--key-size=524288', '--num-of-threads=8', '--num-of-keys=3000'];

describe('standalone SCM → one-node Raft ring → two SCMs (127.0.0.1-2)', () => {
  afterAll(async () => {
    await killAll();
    rmSync(root, { recursive: true, force: true });
  });

  it('keeps every container through the conversion and ships them to a new SCM', async () => {
    cluster.writeConfs(1);
    const init = await cluster.run('scm1', ['scm', '--init']);
    expect(init.status, init.stderr).toBe(0);
    expect(cluster.version('scm1').scmHA).toBeUndefined();
    await cluster.start('scm1');
    expect(cluster.proc('scm1')!.output).toMatch(/mode=standalone/);
    const dn = spawnOzone(['datanode', '--count', '3'], cluster.clientEnv());
    await dn.waitFor(/Started 3 simulated datanodes/);
    await waitUntil(async () => (await cluster.status('scm1')).datanodes.HEALTHY === 3, '3 healthy datanodes');
    const freon = await cluster.run('client', FREON);
    expect(freon.status, freon.stdout + freon.stderr).toBe(0);
    dn.signal('SIGTERM');
    expect(await dn.exited).toBe(0);
    await cluster.quiescent(['scm1']);
    const standalone = await cluster.scanContainers('scm1');
    const applied = (await cluster.status('scm1')).appliedIndex;
    expect(await cluster.kill('scm1', 'SIGTERM')).toBe(0);

    // Ratis on, same single node: a one-node ring at the standalone index, same containers
    cluster.writeConfs(1, { 'ozone.scm.ratis.enable': 'true' });
    const ring = await cluster.start('scm1');
    expect(ring.output).toMatch(/converted this SCM to a one-node Raft ring .*outcome=converted snapshot=0#\d+/);
    expect(ring.output).toMatch(/mode=raft/);
    expect(cluster.version('scm1')).toMatchObject({ scmHA: 'true', primaryScmNodeId: cluster.version('scm1').scmUuid });
    await cluster.leader();
    expect((await cluster.status('scm1')).raft).toMatchObject({ snapshotIndex: applied });
    expect((await cluster.scanContainers('scm1')).sha256).toBe(standalone.sha256);
    const roles = await cluster.run('client', ['admin', 'scm', 'roles']);
    expect(roles.stdout.trim()).toBe(`127.0.0.1:9894:LEADER:${cluster.version('scm1').scmUuid}:127.0.0.1`);

    // add a node: documented migration (extend the config everywhere, bootstrap the new SCM, start it)
    cluster.writeConfs(2, { 'ozone.scm.ratis.enable': 'true' });
    const boot = await cluster.run('scm2', ['scm', '--bootstrap']);
    expect(boot.status, boot.stderr).toBe(0);
    const scm2 = await cluster.start('scm2');
    expect(scm2.output).toMatch(/installed scm\.db checkpoint .*from=scm1/);
    expect(readdirSync(join(cluster.meta('scm2'), 'scm.ratis.snapshot'))).toContainEqual(expect.stringMatching(/^scm\.db-scm1-\d+\.ckpt$/));
    await cluster.quiescent(['scm1', 'scm2']);
    const [a, b] = await Promise.all([cluster.scanContainers('scm1'), cluster.scanContainers('scm2')]);
    expect(a.sha256).toBe(standalone.sha256);
    expect(b.sha256).toBe(standalone.sha256);
    const two = (await cluster.run('client', ['admin', 'scm', 'roles'])).stdout.trim().split('\n');
    expect(two).toHaveLength(2);
    expect(two.filter((l) => l.includes(':LEADER:'))).toHaveLength(1);
  });
});
