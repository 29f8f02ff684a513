/**
 * `scmctl migrate` on three real sshd hosts (127.0.1.1–3, logged in as the harness user), from an SCM that
 * holds 5,000 freon keys written through simulated datanodes:
 *  - a standalone SCM (Ratis off) grown with `--add-nodes scm2=node2,scm3=node3`;
 *  - a one-node Raft ring grown from a topology that already lists the new nodes;
 *  - a standalone SCM whose migration is SIGKILLed at every stage (files, backup, after the conversion,
 *    after a bootstrap) and continued each time with `--resume`.
 * Each ends with the original clusterID in every VERSION, 1 LEADER + 2 FOLLOWERs, the `containers` column
 * family identical on the three nodes and holding every container of before, freon writing through the
 * new quorum, and a second migrate that changes nothing.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterIds, FAST_RAFT, scmctl, spawnScmctl, stopDaemons, writeSshTopology } from '../support/apply-e2e.js';
import { ozone, spawnOzone } from '../support/ozone-process.js';
import type { SshdHosts } from '../support/sshd-hosts.js';
import { clusterLogDirs, sshdSuite } from '../support/sshd-suite.js';
import { parseContainerScan } from '../../src/provisioner/apply/container-scan.js';

let hosts: SshdHosts;
let env: NodeJS.ProcessEnv;
const root = sshdSuite('scmctl-migrate-e2e', (h, e) => {
  hosts = h;
  env = e;
});
const names = ['node1', 'node2', 'node3'];

const conf = (base: string, node: string): string => join(base, node, 'conf');

/** `containers` as the host tool prints it (a running SCM answers from a checkpoint). */
function containers(base: string, node: string): { ids: string[]; text: string } {
  const r = ozone(['--conf', conf(base, node), 'debug', 'ldb', `--db=${join(base, node, 'meta', 'scm.db')}`, 'scan', '--column-family=containers', '--compact']);
  expect(r.status, r.stderr).toBe(0);
  const parsed = parseContainerScan(r.stdout);
  expect(parsed, r.stdout.slice(0, 200)).not.toBeNull();
  return { ids: [...parsed!.ids], text: r.stdout };
}

/** freon through the SCMs of node1's configuration, with simulated datanodes reporting to every SCM */
async function freon(base: string, keys: number): Promise<void> {
  // the same three datanodes each time (their ids follow the prefix): a restarted SCM leaves safe mode only
  // when the datanodes of the pipelines it knows report again (OneReplicaPipelineSafeModeRule), as in Ozone
  const dn = spawnOzone(['--conf', conf(base, 'node1'), 'datanode', '--count', '3', '--prefix', 'dn']);
  try {
    await dn.waitFor(/Started 3 simulated datanodes/);
    // allocations need the leader out of safe mode (datanodes registered, a healthy pipeline): Ozone's gate
    const wait = ozone(['--conf', conf(base, 'node1'), 'admin', 'safemode', 'wait', '-t', '60'], {}, 90_000);
    expect(wait.status, wait.stdout + wait.stderr).toBe(0);
    const r = ozone(['--conf', conf(base, 'node1'), 'freon', 'randomkeys', '--numOfVolumes=1', '--numOfBuckets=1', `--numOfKeys=${keys}`, '--numOfThreads=8', '--keySize=1024', '--json'], {}, 300_000);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { keysAllocated: number; failures: number };
    expect(j.failures).toBe(0);
    expect(j.keysAllocated).toBe(keys);
  } finally {
    dn.signal('SIGTERM');
    await dn.exited;
  }
}

/** Waits until no `ozone scm --init/--bootstrap` of this tree runs any more (at most 2 minutes). */
async function remoteCommandsEnded(base: string): Promise<void> {
  const pattern = `${base}/node[0-9]+/install/.* scm --(init|bootstrap)`;
  for (let i = 0; i < 1200; i++) {
    if (spawnSync('pgrep', ['-f', pattern]).status !== 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`still running after 2 minutes: ${pattern}`);
}

interface Seeded {
  readonly base: string;
  readonly file: string;
  readonly clusterId: string;
  readonly before: { ids: string[]; text: string };
}

/** One SCM on node1 (standalone or a one-node ring) holding 5,000 keys; node2/node3 are declared hosts. */
async function seed(name: string, ratis: boolean): Promise<Seeded> {
  await stopDaemons(clusterLogDirs(root)); // the hosts' ports are free for each test's cluster
  const base = join(root, name);
  const file = writeSshTopology(hosts, { name, root: base, scms: 1, ratis, properties: FAST_RAFT });
  const r = await scmctl(['apply', file, '--yes'], env);
  expect(r.status, r.stdout + r.stderr).toBe(0);
  await freon(base, 5000);
  const before = containers(base, 'node1');
  expect(before.ids.length).toBeGreaterThan(0);
  const [clusterId] = clusterIds(base, ['node1']);
  expect(clusterId).toMatch(/^CID-/);
  return { base, file, clusterId: clusterId!, before };
}

/** The end state every migration must reach. */
async function expectMigrated(s: Seeded): Promise<void> {
  expect(clusterIds(s.base, names)).toEqual([s.clusterId, s.clusterId, s.clusterId]);
  const roles = ozone(['--conf', conf(s.base, 'node1'), 'admin', 'scm', 'roles', '--json']);
  expect(roles.status, roles.stderr).toBe(0);
  expect(Object.values(JSON.parse(roles.stdout) as Record<string, { raftPeerRole: string }>).map((p) => p.raftPeerRole).sort()).toEqual(['FOLLOWER', 'FOLLOWER', 'LEADER']);
  const after = names.map((n) => containers(s.base, n));
  expect(after[1]!.text).toBe(after[0]!.text);
  expect(after[2]!.text).toBe(after[0]!.text);
  for (const id of s.before.ids) expect(after[0]!.ids).toContain(id);
  // the backup made on node1 is there, next to its metadata directory
  expect(readdirSync(join(s.base, 'node1')).filter((f) => /^scm-backup-scmservice-scm1-\d{8}T\d{6}Z\.tar\.gz$/.test(f)).length).toBeGreaterThan(0);
  // freon keeps writing through the new quorum
  await freon(s.base, 500);
  // a second run changes nothing
  const again = await scmctl(['migrate', s.file, '--add-nodes', 'scm2=node2,scm3=node3', '--yes'], env);
  expect(again.status, again.stdout + again.stderr).toBe(0);
  expect(again.stdout).toContain('the migration is complete');
  expect(again.stdout).not.toContain('Topology written');
  expect((await scmctl(['plan', s.file], env)).status).toBe(0);
}

describe('scmctl migrate over SSH', () => {
  it('standalone SCM with 5,000 keys → three-node quorum with --add-nodes; the topology file is extended in place', async () => {
    const s = await seed('mig-standalone', false);
    const dry = await scmctl(['migrate', s.file, '--add-nodes', 'scm2=node2,scm3=node3', '--dry-run'], env);
    expect(dry.status, dry.stderr).toBe(2);
    expect(dry.stdout).toContain('Back up the existing SCM');
    expect(dry.stdout).toContain('with Ratis enabled (it converts itself to a one-node ring');
    expect(readFileSync(s.file, 'utf8')).not.toContain('scm2'); // a dry run changes nothing
    const r = await scmctl(['migrate', s.file, '--add-nodes', 'scm2=node2,scm3=node3', '--yes'], env);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Migration complete: service scmservice has 3 SCMs \\(scm1, scm2, scm3\\), clusterID ${s.clusterId}`));
    expect(r.stdout).toMatch(/Backup of scm1 as it was: \S+scm-backup-scmservice-scm1-\d{8}T\d{6}Z\.tar\.gz on node1 \(\d+ bytes, \d+ containers/);
    const text = readFileSync(s.file, 'utf8');
    expect(text).toContain('nodeId: scm2');
    expect(text).toMatch(/ratis: \{ enabled: true \}/);
    expect(readFileSync(`${s.file}.pre-migrate`, 'utf8')).toMatch(/ratis: \{ enabled: false \}/);
    await expectMigrated(s);
  });

  it('one-node Raft ring with 5,000 keys → three nodes, from a topology that already lists them', async () => {
    const s = await seed('mig-ring', true);
    writeSshTopology(hosts, { name: 'mig-ring', root: s.base, scms: 3, properties: FAST_RAFT });
    const r = await scmctl(['migrate', s.file, '--yes'], env);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('on the HA configuration and wait until it leads');
    await expectMigrated(s);
  });

  it('SIGKILL of scmctl at each stage, each time continued with --resume: same end state, nothing lost', async () => {
    const s = await seed('mig-kill', false);
    const killPoints: readonly [string, RegExp][] = [
      ['files', /"type":"task-start"[^\n]*"kind":"write-file"/],
      ['backup', /"type":"task-start"[^\n]*"kind":"backup-scm"/],
      ['convert', /"type":"task-done"[^\n]*"kind":"start-scm"[^\n]*"host":"node1"/],
      ['join', /"type":"task-start"[^\n]*"kind":"bootstrap-scm"[^\n]*"host":"node3"/],
    ];
    let args = ['migrate', s.file, '--add-nodes', 'scm2=node2,scm3=node3', '--yes', '--output', 'json'];
    for (const [stage, point] of killPoints) {
      const run = spawnScmctl(args, env);
      const deadline = Date.now() + 180_000;
      while (!point.test(run.out()) && run.child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(run.out(), `kill point ${stage}`).toMatch(point);
      run.child.kill('SIGKILL');
      await run.exited;
      // the remote command in flight when scmctl died (a bootstrap, a start) runs to its end on its host, as
      // it would after a real crash; resume once it has ended, as an operator would
      await remoteCommandsEnded(s.base);
      if (args.includes('--resume')) expect(run.out()).toContain('Resuming the migration interrupted');
      // without --resume, an unfinished migration is not continued by accident
      const refused = await scmctl(['migrate', s.file, '--yes'], env);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain('error[MIGRATE_IN_PROGRESS]');
      args = ['migrate', s.file, '--resume', '--yes', '--output', 'json'];
    }
    const last = await scmctl(['migrate', s.file, '--resume', '--yes'], env);
    expect(last.status, last.stdout + last.stderr).toBe(0);
    expect(last.stdout).toContain('Resuming the migration interrupted'); // scm3's start is still to do
    expect(last.stdout).toContain('Migration complete');
    await expectMigrated(s);
  });
});
