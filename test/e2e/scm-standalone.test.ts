/**
 * Standalone SCM (ozone.scm.ratis.enable=false) as real processes on 127.0.0.1 with Ozone's default ports:
 * init (twice), daemon start/status/stop, simulated datanodes, freon through the leader, roles, ldb on a
 * running SCM, transfer refused, SIGTERM clean shutdown, SIGKILL + restart keeps data; bootstrap of a node
 * of another cluster (127.0.0.2) exits 255 and changes nothing on disk. Runs files sequentially (fixed ports).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseContainerScan } from '../../src/provisioner/apply/container-scan.js';
import { killAll, ozone, spawnOzone, trackPid, type OzoneProcess } from '../support/ozone-process.js';
import { siteXml } from '../support/scm-site.js';
import { treeDigest } from '../support/tree-digest.js';

const root = mkdtempSync(join(tmpdir(), 'scm-e2e-'));
const conf1 = join(root, 'conf1');
const meta1 = join(root, 'meta1');
const logs = join(root, 'logs');

function writeConf(dir: string, props: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ozone-site.xml'), siteXml(props));
}

const bindAll = (sid: string, nid: string, host: string): Record<string, string> => ({
  [`ozone.scm.client.bind.host.${sid}.${nid}`]: host,
  [`ozone.scm.block.client.bind.host.${sid}.${nid}`]: host,
  [`ozone.scm.datanode.bind.host.${sid}.${nid}`]: host,
  [`ozone.scm.security.service.bind.host.${sid}.${nid}`]: host,
  [`ozone.scm.http-address.${sid}.${nid}`]: `${host}:9876`,
});

const env1 = { OZONE_CONF_DIR: conf1, OZONE_PID_DIR: logs, OZONE_LOG_DIR: logs };
const FREON = ['freon', 'randomkeys', '--numOfVolumes=1', '--numOfBuckets=1', '--keySize=524288', '--replicationType=RATIS', '--numOfThreads=8', '--factor=THREE', '--bufferSize=1048576'];

async function status(): Promise<Record<string, unknown>> {
  return (await (await fetch('http://127.0.0.1:9876/status')).json()) as Record<string, unknown>;
}

async function until(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until the SCM's applied index stops moving (no clients, no datanodes: nothing can change it any more). */
async function quiescent(): Promise<void> {
  let last = -1;
  let stable = 0;
  while (stable < 3) {
    const s = (await (await fetch('http://127.0.0.1:9876/status')).json()) as { appliedIndex: number };
    stable = s.appliedIndex === last ? stable + 1 : 0;
    last = s.appliedIndex;
    await new Promise((r) => setTimeout(r, 300));
  }
}

const clusterIdOf = (meta: string): string => /clusterID=(\S+)/.exec(readFileSync(join(meta, 'scm/current/VERSION'), 'utf8'))![1]!;

describe('standalone SCM, real processes on 127.0.0.1', () => {
  let datanodes: OzoneProcess | undefined;

  beforeAll(() => {
    writeConf(conf1, {
      'ozone.scm.service.ids': 'scmservice',
      'ozone.scm.nodes.scmservice': 'scm1',
      'ozone.scm.address.scmservice.scm1': '127.0.0.1',
      'ozone.scm.ratis.enable': 'false',
      'ozone.metadata.dirs': meta1,
      'hdds.heartbeat.interval': '500ms',
      'ozone.scm.container.size': '64MB',
      ...bindAll('scmservice', 'scm1', '127.0.0.1'),
    });
  });

  afterAll(async () => {
    const pidFile = readdirSync(logs, { withFileTypes: true }).find((f) => f.name.endsWith('-scm.pid'));
    if (pidFile) trackPid(Number(readFileSync(join(logs, pidFile.name), 'utf8')));
    await killAll();
    rmSync(root, { recursive: true, force: true });
  });

  it('--init creates VERSION and scm.db; a second --init keeps the clusterID', () => {
    const first = ozone(['scm', '--init'], env1);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^SCM initialization succeeded\. Current cluster id for sd=.*; cid=CID-[0-9a-f-]{36}; layoutVersion=10; scmId=[0-9a-f-]{36}$/m);
    const cid = clusterIdOf(meta1);
    expect(readFileSync(join(meta1, 'scm/current/VERSION'), 'utf8')).toMatch(/^#\w{3} \w{3} \d\d \d\d:\d\d:\d\d UTC \d{4}\ncTime=\d+\nclusterID=CID-/);
    const second = ozone(['scm', '--init', '--clusterid', '11111111-2222-3333-4444-555555555555'], env1);
    expect(second.status).toBe(0);
    expect(second.stdout).toContain(`SCM already initialized. Reusing existing cluster id for sd=${meta1}; cid=${cid}`);
    expect(clusterIdOf(meta1)).toBe(cid);
  });

  it('--daemon start|status|stop manage a background SCM with pid and out files', async () => {
    mkdirSync(logs, { recursive: true });
    const start = ozone(['--daemon', 'start', 'scm'], env1);
    expect(start.status, start.stderr).toBe(0);
    expect(start.stdout).toMatch(/Starting scm, logging to .*ozone-\w+-scm\.out/);
    const status = ozone(['--daemon', 'status', 'scm'], env1);
    expect(status.status).toBe(0);
    expect(status.stdout).toBe(''); // hadoop_status_daemon prints nothing
    // hadoop_start_daemon_wrapper refuses a second start: exit 1, "… Stop it first."
    const again = ozone(['--daemon', 'start', 'scm'], env1);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/^scm is running as process \d+\.  Stop it first\.$/m);
    const stop = ozone(['--daemon', 'stop', 'scm'], env1);
    expect(stop.status).toBe(0);
    const after = ozone(['--daemon', 'status', 'scm'], env1);
    expect(after.status).toBe(3); // not running (LSB)
    expect(after.stdout).toBe('');
    expect(readdirSync(logs).filter((f) => f.endsWith('.pid'))).toEqual([]);
    expect(readFileSync(join(logs, readdirSync(logs).find((f) => f.endsWith('-scm.out'))!), 'utf8')).toMatch(/SCM started[\s\S]*received SIGTERM[\s\S]*SCM stopped/);
  });

  it('foreground SCM + datanode simulators: freon allocates through the leader, roles, ldb on the running SCM', async () => {
    const scm = spawnOzone(['scm'], env1);
    await scm.waitFor(/SCM started/);
    datanodes = spawnOzone(['datanode', '--count', '3'], env1);
    await datanodes.waitFor(/Started 3 simulated datanodes/);
    await until(async () => ((await status()).datanodes as { HEALTHY: number }).HEALTHY === 3);
    const freon = ozone([...FREON, '--numOfKeys=500'], env1);
    expect(freon.status, freon.stdout + freon.stderr).toBe(0);
    expect(freon.stdout).toMatch(/Status: Success/);
    expect(freon.stdout).toMatch(/Number of Keys added: 500/);
    expect(freon.stdout).toMatch(/Throughput: [\d.]+ keys\/s/);

    const roles = ozone(['admin', 'scm', 'roles'], env1);
    expect(roles.status).toBe(0);
    const uuid = /scmUuid=(\S+)/.exec(readFileSync(join(meta1, 'scm/current/VERSION'), 'utf8'))![1];
    expect(roles.stdout.trim()).toBe(`127.0.0.1:9894:LEADER:${uuid}:127.0.0.1`);
    expect(JSON.parse(ozone(['admin', 'scm', 'roles', '--json'], env1).stdout)).toEqual({ '127.0.0.1': { address: '127.0.0.1:9894', raftPeerRole: 'LEADER', ID: uuid, InetAddress: '127.0.0.1' } });

    const ls = ozone(['debug', 'ldb', `--db=${join(meta1, 'scm.db')}`, 'ls'], env1);
    expect(ls.status, ls.stderr).toBe(0);
    expect(ls.stdout.split('\n')).toContain('containers');
    const scan = ozone(['debug', 'ldb', `--db=${join(meta1, 'scm.db')}`, 'scan', '--column-family=containers', '--compact'], env1);
    expect(scan.status, scan.stderr).toBe(0);
    const containers = parseContainerScan(scan.stdout)!.records as Record<string, { containerID: number; owner: string }>;
    expect(Object.keys(containers).length).toBeGreaterThan(0);
    expect(Object.values(containers)[0]).toMatchObject({ owner: 'freon' });

    const transfer = ozone(['admin', 'scm', 'transfer', '-n', 'scm1'], env1);
    expect(transfer.status).toBe(255); // an execution error (GenericCli)
    expect(transfer.stderr).toMatch(/requires Ratis/);
    expect(transfer.stderr).toMatch(/REPLICATION_UNSUPPORTED/);

    scm.signal('SIGTERM');
    expect(await scm.exited).toBe(0);
    expect(scm.output).toMatch(/SCM stopped/);
  });

  it('SIGKILL and restart keeps every acknowledged change', async () => {
    const scm = spawnOzone(['scm'], env1);
    await scm.waitFor(/SCM started/);
    const freon = ozone([...FREON, '--numOfKeys=300'], env1);
    expect(freon.status, freon.stdout + freon.stderr).toBe(0);
    datanodes!.signal('SIGTERM');
    expect(await datanodes!.exited).toBe(0);
    await quiescent();
    const db = `--db=${join(meta1, 'scm.db')}`;
    const before = ozone(['debug', 'ldb', db, 'scan', '--column-family=containers', '--compact'], env1);
    const seqBefore = ozone(['debug', 'ldb', db, 'scan', '--cf=sequenceId', '--compact'], env1);
    expect(before.status).toBe(0);
    scm.signal('SIGKILL');
    await scm.exited;
    const offline = ozone(['debug', 'ldb', db, 'scan', '--column-family=containers', '--compact'], env1);
    expect(offline.stdout).toBe(before.stdout);
    expect(ozone(['debug', 'ldb', db, 'scan', '--cf=sequenceId', '--compact'], env1).stdout).toBe(seqBefore.stdout);
    const again = spawnOzone(['scm'], env1);
    await again.waitFor(/SCM started/);
    expect(ozone(['debug', 'ldb', db, 'scan', '--column-family=containers', '--compact'], env1).stdout).toBe(before.stdout);
    again.signal('SIGTERM');
    expect(await again.exited).toBe(0);
  });

  it('bootstrap of a node initialised for another cluster exits 255 with Ozone\'s message and changes nothing', async () => {
    const scm = spawnOzone(['scm'], env1);
    await scm.waitFor(/SCM started/);
    const meta2 = join(root, 'meta2');
    const lone = join(root, 'conf2-lone');
    writeConf(lone, {
      'ozone.scm.service.ids': 'other',
      'ozone.scm.nodes.other': 'scm2',
      'ozone.scm.address.other.scm2': '127.0.0.2',
      'ozone.metadata.dirs': meta2,
    });
    expect(ozone(['scm', '--init'], { OZONE_CONF_DIR: lone }).status).toBe(0);
    const conf2 = join(root, 'conf2');
    writeConf(conf2, {
      'ozone.scm.service.ids': 'scmservice',
      'ozone.scm.nodes.scmservice': 'scm1,scm2',
      'ozone.scm.address.scmservice.scm1': '127.0.0.1',
      'ozone.scm.address.scmservice.scm2': '127.0.0.2',
      'ozone.scm.primordial.node.id': 'scm1',
      'ozone.scm.node.id': 'scm2',
      'ozone.metadata.dirs': meta2,
    });
    const before = treeDigest(meta2);
    const res = ozone(['scm', '--bootstrap'], { OZONE_CONF_DIR: conf2 });
    expect(res.status).toBe(255);
    expect(res.stderr).toContain(`Could not bootstrap as SCM is already initialized with cluster id ${clusterIdOf(meta2)} but cluster id for existing leader SCM instance is ${clusterIdOf(meta1)}`);
    expect(res.stderr).toMatch(/scm bootstrap failed/);
    expect(treeDigest(meta2)).toBe(before);

    // without ozone.scm.node.id both loopback addresses are local: a clear error naming them
    const ambiguous = join(root, 'conf3');
    writeConf(ambiguous, {
      'ozone.scm.service.ids': 'scmservice',
      'ozone.scm.nodes.scmservice': 'scm1,scm2',
      'ozone.scm.address.scmservice.scm1': '127.0.0.1',
      'ozone.scm.address.scmservice.scm2': '127.0.0.2',
      'ozone.metadata.dirs': meta2,
    });
    const amb = ozone(['scm', '--bootstrap'], { OZONE_CONF_DIR: ambiguous });
    expect(amb.status).toBe(255);
    expect(amb.stderr).toMatch(/multiple ozone\.scm\.address addresses that match local node's address: scmservice\.scm1=127\.0\.0\.1, scmservice\.scm2=127\.0\.0\.2/);
    expect(amb.stderr).toMatch(/code: CONFIG_MULTIPLE_LOCAL_NODES/);
    expect(existsSync(join(meta2, 'scm/current/VERSION'))).toBe(true);
    scm.signal('SIGTERM');
    expect(await scm.exited).toBe(0);
  });
});
