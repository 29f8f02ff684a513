/**
 * Day-2 work with scmctl on local hosts (127.0.0.21–.26, `transport: local`), while freon writes through
 * simulated datanodes:
 *  - repair: an SCM whose Raft directory was lost is refused at start (RAFT_LOG_LOST), `scmctl status` names
 *    it, `scmctl repair` brings it back (its old data kept as <dir>.repair-<time>), freon loses nothing, and
 *    the containers are identical on every node once the writer stops;
 *  - grow 3 → 5 and shrink 5 → 3 by editing the topology (apply bootstraps, then decommissions): the writer
 *    never fails, the removed members are gone from the ring, every node holds the same containers;
 *  - replace: a host lost for good (kill -9, never back) — its node moves to a new host in the topology,
 *    apply bootstraps it there and decommissions the old member; the old scmUuid leaves `roles`.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daemonPids, removeTree, scmctl, stopDaemons } from '../support/apply-e2e.js';
import { killAll, ozone, spawnOzone, type OzoneProcess } from '../support/ozone-process.js';
import { freonOnce, freonWriter, type FreonWriter } from '../support/freon-writer.js';
import { writeLocalTopology } from '../support/local-topology.js';
import { waitUntil } from '../support/wait.js';
import { parseContainerScan } from '../../src/provisioner/apply/container-scan.js';

const root = '/tmp/scmctl-day2';
const env = { SCMCTL_STATE_DIR: join(root, 'state'), SCMCTL_CACHE_DIR: '/tmp/scmctl-apply-e2e-cache' };
const file = join(root, 'day2.yaml');
const HOSTS: Record<string, string> = { scm1: '127.0.0.21', scm2: '127.0.0.22', scm3: '127.0.0.23', scm4: '127.0.0.24', scm5: '127.0.0.25', scm3b: '127.0.0.26' };

/** node id → host name */
function writeTopology(nodes: Readonly<Record<string, string>>): void {
  writeLocalTopology({
    name: 'day2',
    root,
    nodes,
    addresses: HOSTS,
    properties: {
      'ozone.scm.ha.ratis.leader.election.timeout': '1s',
      'hdds.scmclient.failover.max.retry': '200',
      'hdds.scmclient.failover.retry.interval': '250ms',
      'hdds.heartbeat.interval': '1s',
      'ozone.scm.container.size': '50MB',
      'hdds.scm.replication.thread.interval': '2s',
    },
  });
}

const logDirs = (): string[] => (existsSync(root) ? readdirSync(root).map((h) => join(root, h, 'logs')) : []);
const conf = (h: string): string => join(root, h, 'conf');
/** `bin/ozone` as the host runs it: with the environment its scm.env gives (config, log and pid directories) */
const cli = (h: string, args: readonly string[]) => ozone([...args], hostEnv(h));

function hostEnv(h: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const line of readFileSync(join(conf(h), 'scm.env'), 'utf8').split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m && m[1] !== 'OZONE_HOME') env[m[1]!] = m[2]!;
  }
  return env;
}

async function status(): Promise<{ code: number | null; st: { healthy: boolean; services: { problems: string[] }[]; nodes: { nodeId: string; role: string | null; scmUuid: string | null }[] } }> {
  const r = await scmctl(['status', file, '--output', 'json'], env);
  return { code: r.status, st: JSON.parse(r.stdout) };
}

function ringUuids(h: string): string[] {
  const r = cli(h, ['admin', 'scm', 'roles']);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim().split('\n').map((l) => l.split(':')[3]!).sort();
}

function containers(h: string): string {
  const r = cli(h, ['debug', 'ldb', `--db=${join(root, h, 'metadata', 'scm.db')}`, 'scan', '--column-family=containers', '--compact']);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

let datanodes: OzoneProcess | undefined;

/** (Re)starts the datanode simulators with `h`'s configuration (datanodes learn new SCMs from their config). */
async function startDatanodes(h: string, scms: number): Promise<void> {
  if (datanodes) {
    datanodes.signal('SIGTERM');
    await datanodes.exited;
  }
  datanodes = spawnOzone(['--conf', conf(h), 'datanode', '--count', '3', '--prefix', 'day2']);
  await datanodes.waitFor(/Started 3 simulated datanodes/);
  void scms;
}

const writer = (h: string): FreonWriter => freonWriter(conf(h));

/** Identical containers on every listed node once the writer stopped and the ring settled. */
async function sameContainers(hosts: readonly string[]): Promise<void> {
  let last = '';
  await waitUntil(
    () => {
      const scans = hosts.map(containers);
      last = scans.map((s) => s.length).join(',');
      return new Set(scans).size === 1 && scans[0]!.length > 2;
    },
    `identical containers on ${hosts.join(', ')} (sizes ${last})`,
    60_000,
  );
}

beforeAll(async () => {
  await stopDaemons(logDirs());
  removeTree(root);
  writeTopology({ scm1: 'scm1', scm2: 'scm2', scm3: 'scm3' });
  const r = await scmctl(['apply', file, '--yes'], env);
  expect(r.status, r.stdout + r.stderr).toBe(0);
  await startDatanodes('scm1', 3);
  await freonOnce(conf('scm1'), 500);
});

afterAll(async () => {
  datanodes?.signal('SIGKILL');
  await killAll();
  await stopDaemons(logDirs());
  removeTree(root);
});

describe('Day-2 on local hosts under a writer', () => {
  it('repair: a lost Raft directory is refused at start and named by status; scmctl repair brings the node back, nothing lost', async () => {
    const pid = daemonPids([join(root, 'scm2', 'logs')])[0]!;
    const write = writer('scm1');
    await new Promise((r) => setTimeout(r, 1500));
    process.kill(pid, 'SIGKILL');
    const ratis = join(root, 'scm2', 'metadata', 'scm.ratis');
    rmSync(ratis, { recursive: true, force: true });
    // what systemd or an operator would see: the start is refused with a code and the repair command
    const start = cli('scm2', ['--daemon', 'start', 'scm']);
    expect(start.status).not.toBe(0);
    expect(start.stdout + start.stderr).toMatch(/RAFT_LOG_LOST/);
    expect(start.stdout + start.stderr).toMatch(/scmctl repair scm2/);
    const before = await status();
    expect(before.code).toBe(1);
    expect(before.st.services[0]!.problems.join('\n')).toMatch(/scm2: not running/);

    const r = await scmctl(['repair', file, 'scm2', '--yes'], env);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('Repair complete');
    expect(readdirSync(join(root, 'scm2')).some((d) => /^metadata\.repair-\d{8}T\d{6}Z$/.test(d))).toBe(true);
    const again = await scmctl(['repair', file, 'scm2', '--yes'], env);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('Nothing to repair');

    await write.stop();
    const after = await status();
    expect(after.code, JSON.stringify(after.st)).toBe(0);
    await sameContainers(['scm1', 'scm2', 'scm3']);
  });

  it('grow 3 → 5 and shrink 5 → 3 under a writer: the ring keeps its majority, removed members leave, containers identical', async () => {
    writeTopology({ scm1: 'scm1', scm2: 'scm2', scm3: 'scm3', scm4: 'scm4', scm5: 'scm5' });
    let write = writer('scm1');
    const grow = await scmctl(['apply', file, '--yes'], env);
    expect(grow.status, grow.stdout + grow.stderr).toBe(0);
    expect(grow.stdout).toContain('bootstrap scmservice/scm4 on scm4');
    await write.stop();
    expect(ringUuids('scm1')).toHaveLength(5);
    expect((await status()).code).toBe(0);
    await startDatanodes('scm1', 5);
    await sameContainers(['scm1', 'scm2', 'scm3', 'scm4', 'scm5']);

    const leaving = (await status()).st.nodes.filter((n) => n.nodeId === 'scm4' || n.nodeId === 'scm5').map((n) => n.scmUuid!);
    writeTopology({ scm1: 'scm1', scm2: 'scm2', scm3: 'scm3' });
    write = writer('scm1');
    const shrink = await scmctl(['apply', file, '--yes'], env);
    expect(shrink.status, shrink.stdout + shrink.stderr).toBe(0);
    expect(shrink.stdout.match(/ozone admin scm decommission/g)?.length).toBeGreaterThanOrEqual(2);
    await write.stop();
    const ring = ringUuids('scm1');
    expect(ring).toHaveLength(3);
    for (const u of leaving) expect(ring).not.toContain(u);
    await stopDaemons([join(root, 'scm4', 'logs'), join(root, 'scm5', 'logs')]);
    await startDatanodes('scm1', 3);
    expect((await status()).code).toBe(0);
    await sameContainers(['scm1', 'scm2', 'scm3']);
  });

  it('replace: scm3\'s host is lost for good; the topology moves scm3 to a new host; apply bootstraps it there and removes the old member', async () => {
    const old = (await status()).st.nodes.find((n) => n.nodeId === 'scm3')!.scmUuid!;
    for (const p of daemonPids([join(root, 'scm3', 'logs')])) process.kill(p, 'SIGKILL');
    writeTopology({ scm1: 'scm1', scm2: 'scm2', scm3: 'scm3b' });
    const write = writer('scm1');
    const r = await scmctl(['apply', file, '--yes'], env);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('bootstrap scmservice/scm3 on scm3b');
    expect(r.stdout).toMatch(new RegExp(`remove ${old} at 127\\.0\\.0\\.23:9894`));
    await write.stop();
    const ring = ringUuids('scm1');
    expect(ring).toHaveLength(3);
    expect(ring).not.toContain(old);
    expect((await status()).code).toBe(0);
    await startDatanodes('scm1', 3);
    await sameContainers(['scm1', 'scm2', 'scm3b']);
  });

  it('backup from a follower while freon writes; restore is refused over the running cluster; after every host lost its data, restore brings back the same clusterID and containers', async () => {
    const out = join(root, 'backups');
    const write = writer('scm1');
    await new Promise((r) => setTimeout(r, 1000));
    const live = await scmctl(['backup', file, '--out', out], env);
    expect(live.status, live.stdout + live.stderr).toBe(0);
    expect(live.stdout).toMatch(/from scmservice\/scm\d \(FOLLOWER\)/);
    await write.stop();
    await sameContainers(['scm1', 'scm2', 'scm3b']);
    const quiet = await scmctl(['backup', file, '--out', out, '--output', 'json'], env);
    expect(quiet.status, quiet.stderr).toBe(0);
    const manifest = JSON.parse(quiet.stdout) as { manifest: string; clusterId: string; containers: number };
    expect(manifest.containers).toBeGreaterThan(0);
    const refused = await scmctl(['restore', file, '--from', manifest.manifest, '--yes'], env);
    expect(refused.status).toBe(1);
    expect(refused.stderr + refused.stdout).toContain('RESTORE_CLUSTER_RUNNING');
    const before = containers('scm1');

    datanodes?.signal('SIGKILL');
    datanodes = undefined;
    await stopDaemons(logDirs());
    for (const h of ['scm1', 'scm2', 'scm3', 'scm3b']) removeTree(join(root, h));
    const r = await scmctl(['restore', file, '--from', manifest.manifest, '--yes'], env);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('restore scmservice/scm1 on scm1 from the backup');
    const st = await status();
    expect(st.code, JSON.stringify(st.st)).toBe(0);
    for (const h of ['scm1', 'scm2', 'scm3b']) expect(readFileSync(join(root, h, 'metadata', 'scm', 'current', 'VERSION'), 'utf8')).toContain(`clusterID=${manifest.clusterId}`);
    const ids = (text: string) => parseContainerScan(text)!.ids;
    await sameContainers(['scm1', 'scm2', 'scm3b']);
    expect(ids(containers('scm1'))).toEqual(ids(before));
  });
});
