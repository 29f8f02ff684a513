/**
 * SCM HA acceptance, real processes on 127.0.0.1–.3 with Ozone's default ports (a fourth SCM on
 * 127.0.0.4): `--init` on scm1, `--bootstrap` on scm2 and scm3, start all; roles show one LEADER and two
 * FOLLOWERs; one clusterID everywhere; freon allocates 10,000 keys with simulated datanodes; `debug ldb`
 * prints identical containers on all three; kill -9 of the leader during freon → a new leader, freon
 * follows the hint and finishes, the old leader restarts and catches up; `--init` twice keeps the
 * clusterID; `--bootstrap` of a node of another cluster exits 255 and changes nothing; a fourth SCM added
 * after 100,000 containers exist catches up by installing the leader's checkpoint (snapshot install).
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseContainerScan } from '../../src/provisioner/apply/container-scan.js';
import { killAll, spawnOzone, type OzoneProcess } from '../support/ozone-process.js';
import { ScmCluster } from '../support/scm-cluster.js';
import { siteXml } from '../support/scm-site.js';
import { waitUntil } from '../support/wait.js';
import { treeDigest } from '../support/tree-digest.js';

const root = mkdtempSync(join(tmpdir(), 'scm-ha-e2e-'));
const cluster = new ScmCluster(
  {
    root,
    hosts: ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'],
    ratis: true,
    extra: {
      'ozone.scm.ha.ratis.leader.election.timeout': '1s',
      'ozone.scm.ha.ratis.snapshot.threshold': '50',
      'ozone.scm.ha.ratis.log.purge.gap': '10',
      'ozone.scm.info.wait.duration': '120s',
      'hdds.scmclient.failover.max.retry': '300',
    },
  },
  3,
);
const FREON = ['freon', 'randomkeys', '--numOfVolumes=1', '--numOfBuckets=1', '--keySize=524288', '--replicationType=RATIS', '--numOfThreads=8', '--factor=THREE', '--bufferSize=1048576'];
const THREE = ['scm1', 'scm2', 'scm3'];

describe('SCM HA: init + bootstrap, real processes on 127.0.0.1-3', () => {
  let datanodes: OzoneProcess | undefined;

  beforeAll(() => {
    cluster.writeConfs(3);
  });
  afterAll(async () => {
    await killAll();
    rmSync(root, { recursive: true, force: true });
  });

  it('--init on scm1 creates the one-member ring; a second --init keeps the clusterID', async () => {
    const first = await cluster.run('scm1', ['scm', '--init']);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^SCM initialization succeeded\. Current cluster id for sd=.*; cid=CID-[0-9a-f-]{36}; layoutVersion=10; scmId=[0-9a-f-]{36}$/m);
    expect(first.stdout).toMatch(/^Raft group [0-9a-f-]{36} of this SCM is leader-ready \(term 2, applied index 2\)\.$/m);
    const v = cluster.version('scm1');
    expect(v).toMatchObject({ nodeType: 'SCM', scmHA: 'true', primaryScmNodeId: v.scmUuid });
    expect(readdirSync(join(cluster.meta('scm1'), 'scm.ratis'))).toEqual([v.clusterID!.slice(4)]);
    const again = await cluster.run('scm1', ['scm', '--init']);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(`SCM already initialized. Reusing existing cluster id for sd=${cluster.meta('scm1')}; cid=${v.clusterID}; layoutVersion=10; HAEnabled=true`);
    expect(cluster.version('scm1')).toEqual(v);
  });

  it('--bootstrap on scm2 and scm3, all started: one LEADER, two FOLLOWERs, one clusterID', async () => {
    await cluster.start('scm1');
    for (const id of ['scm2', 'scm3']) {
      const b = await cluster.run(id, ['scm', '--bootstrap']);
      expect(b.status, b.stderr).toBe(0);
      expect(b.stdout).toMatch(/^SCM BootStrap is successful for ClusterID CID-[0-9a-f-]{36}, SCMID [0-9a-f-]{36}$/m);
    }
    await Promise.all(['scm2', 'scm3'].map((id) => cluster.start(id)));
    expect(cluster.proc('scm2')!.output).toMatch(/this SCM was added to the ring/);
    const cids = new Set(THREE.map((id) => cluster.version(id).clusterID));
    expect(cids.size).toBe(1);
    for (const id of THREE) expect(cluster.version(id).scmHA).toBe('true');

    await waitUntil(async () => (await cluster.run('client', ['admin', 'scm', 'roles'])).stdout.trim().split('\n').length === 3, 'three peers in roles');
    const roles = await cluster.run('client', ['admin', 'scm', 'roles']);
    expect(roles.status, roles.stderr).toBe(0);
    const lines = roles.stdout.trim().split('\n');
    expect(lines.filter((l) => /:LEADER:/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /:FOLLOWER:/.test(l))).toHaveLength(2);
    for (const id of THREE) {
      const h = cluster.host(id).replace(/\./g, '\\.');
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${h}:9894:(LEADER|FOLLOWER):${cluster.version(id).scmUuid}:${h}$`)));
    }
    const json = JSON.parse((await cluster.run('client', ['admin', 'scm', 'roles', '--json'])).stdout) as Record<string, { raftPeerRole: string; address: string }>;
    expect(Object.keys(json).sort()).toEqual(['127.0.0.1', '127.0.0.2', '127.0.0.3']);
    expect(Object.values(json).filter((r) => r.raftPeerRole === 'LEADER')).toHaveLength(1);
    const table = (await cluster.run('client', ['admin', 'scm', 'roles', '--table'])).stdout;
    expect(table).toMatch(/^Storage Container Manager Roles\n\+-+/);
    expect(table).toMatch(/\| Host Name \| Ratis Port \| Role +\| Node ID +\| Host Address \|/);
    const prom = await cluster.prom('scm2');
    expect(prom).toMatch(/^scm_raft_term [1-9]\d*$/m);
    expect(prom).toMatch(/^scm_raft_peers 3$/m);
    expect(prom).toMatch(/^scm_raft_applied_index \d+$/m);
    expect((await cluster.status('scm3')).ring).toHaveLength(3);
  });

  it('freon allocates 10,000 keys with datanodes reporting to every SCM; ldb prints identical containers on all three', async () => {
    datanodes = spawnOzone(['datanode', '--count', '3'], cluster.clientEnv());
    await datanodes.waitFor(/Started 3 simulated datanodes .*scm1\(127\.0\.0\.1:9861\), scm2\(127\.0\.0\.2:9861\), scm3\(127\.0\.0\.3:9861\)/);
    await waitUntil(async () => (await Promise.all(THREE.map((id) => cluster.status(id)))).every((s) => s.datanodes.HEALTHY === 3), 'every SCM sees 3 healthy datanodes');
    const freon = await cluster.run('client', [...FREON, '--numOfKeys=10000']);
    expect(freon.status, freon.stdout + freon.stderr).toBe(0);
    expect(freon.stdout).toMatch(/Status: Success/);
    expect(freon.stdout).toMatch(/Number of Keys added: 10000/);
    await cluster.quiescent(THREE);
    const scans = await Promise.all(THREE.map((id) => cluster.scanContainers(id)));
    const containers = parseContainerScan(scans[0]!.text)!.records as Record<string, { owner: string; state: string }>;
    expect(Object.keys(containers).length).toBeGreaterThanOrEqual(3);
    expect(Object.values(containers)[0]).toMatchObject({ owner: 'freon' });
    expect(new Set(scans.map((s) => s.sha256)).size).toBe(1);
  });

  it('kill -9 of the leader during freon: a new leader, freon follows the hint and finishes, the old leader catches up', async () => {
    const old = await cluster.leader();
    const oldTerm = (await cluster.status(old)).term;
    const startLocal = (await cluster.status(old)).sequenceIds.localId ?? 0;
    const freon = cluster.run('client', [...FREON, '--numOfKeys=30000']);
    await waitUntil(async () => ((await cluster.status(old)).sequenceIds.localId ?? 0) >= startLocal + 3000, 'freon under way');
    const killedAt = Date.now();
    await cluster.kill(old, 'SIGKILL');
    const next = await cluster.leader({ not: old });
    const elected = Date.now() - killedAt;
    expect(next).not.toBe(old);
    expect((await cluster.status(next)).term).toBeGreaterThan(oldTerm);
    const r = await freon;
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Number of Keys added: 30000/);
    expect(r.stderr).toMatch(new RegExp(`Failing over from ${old} `));
    await cluster.start(old);
    await cluster.quiescent(THREE);
    expect((await cluster.status(old)).role).toBe('FOLLOWER');
    const scans = await Promise.all(THREE.map((id) => cluster.scanContainers(id)));
    expect(new Set(scans.map((s) => s.sha256)).size).toBe(1);
    console.log(`failover: ${old} killed, ${next} leader-ready after ${elected} ms`);
  });

  it('--bootstrap against a cluster with another clusterID exits 255 and changes nothing on disk', async () => {
    const otherMeta = join(root, 'other', 'meta');
    const lone = join(root, 'other', 'lone-conf');
    mkdirSync(lone, { recursive: true });
    writeFileSync(join(lone, 'ozone-site.xml'), siteXml({
      'ozone.scm.service.ids': 'other', 'ozone.scm.nodes.other': 'scm4', 'ozone.scm.address.other.scm4': '127.0.0.4',
      'ozone.metadata.dirs': otherMeta, 'ozone.scm.ratis.enable': 'true',
    }));
    const init = await cluster.run('client', ['--conf', lone, 'scm', '--init']);
    expect(init.status, init.stderr).toBe(0);
    const joined = join(root, 'other', 'conf');
    mkdirSync(joined, { recursive: true });
    const props = readFileSync(join(cluster.confDir('scm1'), 'ozone-site.xml'), 'utf8')
      .replace(/<name>ozone\.scm\.node\.id<\/name><value>scm1<\/value>/, '<name>ozone.scm.node.id</name><value>scm4</value>')
      .replace(/<name>ozone\.scm\.nodes\.scmservice<\/name><value>scm1,scm2,scm3<\/value>/, '<name>ozone.scm.nodes.scmservice</name><value>scm1,scm2,scm3,scm4</value>')
      .replace('</configuration>', `  <property><name>ozone.scm.address.scmservice.scm4</name><value>127.0.0.4</value></property>\n  <property><name>ozone.scm.db.dirs.scmservice.scm4</name><value>${otherMeta}</value></property>\n</configuration>`)
      .replace(/<name>ozone\.metadata\.dirs<\/name><value>[^<]*<\/value>/, `<name>ozone.metadata.dirs</name><value>${otherMeta}</value>`);
    writeFileSync(join(joined, 'ozone-site.xml'), props);
    const before = treeDigest(otherMeta);
    const otherCid = /clusterID=(\S+)/.exec(readFileSync(join(otherMeta, 'scm/current/VERSION'), 'utf8'))![1];
    const res = await cluster.run('client', ['--conf', joined, 'scm', '--bootstrap']);
    expect(res.status).toBe(255);
    expect(res.stderr).toContain(`Could not bootstrap as SCM is already initialized with cluster id ${otherCid} but cluster id for existing leader SCM instance is ${cluster.version('scm1').clusterID}`);
    expect(res.stderr).toMatch(/scm bootstrap failed/);
    expect(treeDigest(otherMeta)).toBe(before);
  });

  it('a fourth SCM added after 100,000 containers exist catches up by snapshot install', async () => {
    datanodes!.signal('SIGTERM');
    expect(await datanodes!.exited).toBe(0);
    const created = await cluster.run('client', ['admin', 'container', 'create', '--count', '100000', '--owner', 'bulk'], 600_000);
    expect(created.status, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^100000 containers are created: #\d+\.\.#\d+\.$/m);
    await cluster.quiescent(THREE);
    const leader = await cluster.leader();
    expect((await cluster.status(leader)).containers.OPEN).toBeGreaterThanOrEqual(100_000);

    cluster.writeConfs(4);
    const b = await cluster.run('scm4', ['scm', '--bootstrap']);
    expect(b.status, b.stderr).toBe(0);
    const scm4 = await cluster.start('scm4');
    const s4 = await cluster.status('scm4');
    expect(s4.raft).toMatchObject({ membership: 'voter' });
    expect(s4.raft!.snapshotsInstalled).toBeGreaterThanOrEqual(1);
    expect(s4.raft!.checkpointsInstalled).toBeGreaterThanOrEqual(1);
    expect(s4.raft!.lastCheckpoint!.index).toBeGreaterThanOrEqual(s4.raft!.snapshotIndex);
    expect(scm4.output).toMatch(/downloading scm\.db checkpoint .*from=scm\d/);
    expect(scm4.output).toMatch(/installed scm\.db checkpoint/);
    expect(await cluster.prom('scm4')).toMatch(/^scm_checkpoints_installed_total [1-9]\d*$/m);
    expect(readdirSync(join(cluster.meta('scm4'), 'scm.ratis.snapshot'))).toContainEqual(expect.stringMatching(/^scm\.db-scm[123]-\d+\.ckpt$/));
    await cluster.quiescent(['scm1', 'scm2', 'scm3', 'scm4']);
    const [a, d] = await Promise.all([cluster.scanContainers(leader), cluster.scanContainers('scm4')]);
    expect(parseContainerScan(d.text)!.ids.length).toBeGreaterThanOrEqual(100_000);
    expect(d.sha256).toBe(a.sha256);
    const roles = await cluster.run('client', ['admin', 'scm', 'roles']);
    expect(roles.stdout.trim().split('\n')).toHaveLength(4);
  });
});
