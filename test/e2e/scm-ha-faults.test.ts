/**
 * SCM HA under faults, real processes on 127.0.0.11–.13 (each SCM dials from its own address, so iptables
 * can cut one off): a fatal error in a follower's Raft layer ends its process (exit 1, coded message) and
 * the leader reports it UNREACHABLE instead of FOLLOWER until it is back; a Raft log that was deleted,
 * truncated or garbled while its SCM was down is refused at start with a coded error that names
 * `scmctl repair`, and nothing on disk is changed by the refusal; a leader cut off by a partition and a
 * frozen (SIGSTOP) leader cost a writer about one election (the first allocation through the new leader is
 * measured and printed); and no container stays CLOSING after the failovers once datanodes report.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAll, spawnOzone, type OzoneProcess } from '../support/ozone-process.js';
import { Partitions } from '../support/partition.js';
import { sendBogusHeartbeat } from '../support/raft-fault.js';
import { ScmCluster } from '../support/scm-cluster.js';
import { treeDigest } from '../support/tree-digest.js';
import { waitUntil } from '../support/wait.js';

const HOSTS = ['127.0.0.11', '127.0.0.12', '127.0.0.13'];
const ELECTION_MS = 1000;
const root = mkdtempSync(join(tmpdir(), 'scm-faults-e2e-'));
const cluster = new ScmCluster(
  {
    root,
    hosts: HOSTS,
    ratis: true,
    extra: {
      'ozone.scm.ha.ratis.leader.election.timeout': `${ELECTION_MS}ms`,
      'ozone.scm.info.wait.duration': '120s',
      'hdds.scmclient.failover.max.retry': '300',
      'hdds.scmclient.failover.retry.interval': '200ms',
      // containers fill after ~90 keys of 512 KiB, so freon keeps closing containers across the failovers
      'ozone.scm.container.size': '50MB',
      'hdds.scm.replication.thread.interval': '2s',
    },
  },
  3,
);
const IDS = ['scm1', 'scm2', 'scm3'];
const FREON = ['freon', 'randomkeys', '--numOfVolumes=1', '--numOfBuckets=1', '--keySize=524288', '--replicationType=RATIS', '--numOfThreads=8', '--factor=THREE', '--bufferSize=1048576'];
const partitions = new Partitions();

async function roleLines(): Promise<string[]> {
  const r = await cluster.run('client', ['admin', 'scm', 'roles']);
  return r.status === 0 ? r.stdout.trim().split('\n') : [];
}

/** The running SCM that is not the leader. */
async function aFollower(): Promise<string> {
  const leader = await cluster.leader();
  return cluster.running().find((id) => id !== leader)!;
}

function raftDir(id: string): string {
  const base = join(cluster.meta(id), 'scm.ratis');
  return join(base, readdirSync(base)[0]!);
}

async function startFails(id: string): Promise<OzoneProcess> {
  const p = spawnOzone(['scm'], cluster.env(id));
  const code = await p.exited;
  expect(code, p.output).not.toBe(0);
  expect(p.output).not.toMatch(/SCM started/);
  return p;
}

/**
 * Measures a writer's pause across a leader fault: from `fault()` until a new leader (another SCM) has
 * allocated — its localId sequence moved past where it stood when it became leader.
 */
async function writerPause(old: string, fault: () => void | Promise<void>): Promise<{ next: string; ms: number }> {
  const others = IDS.filter((id) => id !== old);
  const before = new Map<string, number>();
  for (const id of others) before.set(id, (await cluster.status(id)).sequenceIds.localId ?? 0);
  const t0 = Date.now();
  await fault();
  let next = '';
  await waitUntil(
    async () => {
      for (const id of others) {
        const s = await cluster.status(id).catch(() => undefined);
        if (s?.leaderReady && (s.sequenceIds.localId ?? 0) > before.get(id)!) {
          next = id;
          return true;
        }
      }
      return false;
    },
    'an allocation through a new leader',
    60_000,
  );
  return { next, ms: Date.now() - t0 };
}

async function noneClosing(): Promise<Record<string, number>> {
  let counts: Record<string, number> = {};
  await waitUntil(
    async () => {
      const leader = await cluster.leader();
      counts = (await cluster.status(leader)).containers;
      return (counts.CLOSING ?? 0) === 0;
    },
    'no container left CLOSING',
    60_000,
  );
  return counts;
}

describe('SCM HA under faults: fail fast, report truly, no stalls, containers close after failover', () => {
  let datanodes: OzoneProcess | undefined;

  beforeAll(async () => {
    cluster.writeConfs(3);
    expect((await cluster.run('scm1', ['scm', '--init'])).status).toBe(0);
    await cluster.start('scm1');
    for (const id of ['scm2', 'scm3']) expect((await cluster.bootstrap(id)).status).toBe(0);
    await Promise.all(['scm2', 'scm3'].map((id) => cluster.start(id)));
  });
  // Datanodes register after the first test: once they do, the leader opens a pipeline at once (Ozone's
  // BackgroundPipelineCreator after the safe-mode pre-check), and the first test needs an scm.db that has
  // recorded nothing yet.
  async function startDatanodes(): Promise<void> {
    datanodes = spawnOzone(['datanode', '--count', '3'], cluster.clientEnv());
    await datanodes.waitFor(/Started 3 simulated datanodes/);
    await waitUntil(async () => (await Promise.all(IDS.map((id) => cluster.status(id)))).every((s) => s.datanodes.HEALTHY === 3), 'every SCM sees 3 healthy datanodes');
  }
  afterAll(async () => {
    partitions.heal();
    for (const id of cluster.running()) cluster.proc(id)?.signal('SIGCONT');
    await killAll();
    rmSync(root, { recursive: true, force: true });
  });

  it('a Raft directory lost before scm.db recorded anything: the SCM exits as soon as the leader shows its log lost entries, naming scmctl repair; restored, it rejoins', async () => {
    const victim = await aFollower();
    expect(await cluster.kill(victim, 'SIGTERM')).toBe(0);
    const dir = raftDir(victim);
    const keep = join(root, `${victim}-raft-early`);
    cpSync(dir, keep, { recursive: true });
    rmSync(dir, { recursive: true, force: true });
    const p = spawnOzone(['scm'], cluster.env(victim));
    const code = await Promise.race([p.exited, new Promise<string>((r) => setTimeout(() => r('still running'), 30_000))]);
    expect(code, p.output).toBe(1);
    expect(p.output).toMatch(/SCM stopping after a fatal error \[RAFT_LOG_LOST\]: commit \d+ is beyond the last index 0/);
    expect(p.output).toMatch(new RegExp(`hint: this SCM must rejoin the ring: run \`scmctl repair ${victim}\``));
    rmSync(dir, { recursive: true, force: true });
    cpSync(keep, dir, { recursive: true });
    await cluster.start(victim);
    await cluster.quiescent();
    await startDatanodes();
    const freon = await cluster.run('client', [...FREON, '--numOfKeys=2000']);
    expect(freon.status, freon.stdout + freon.stderr).toBe(0);
  });

  it('a fatal error in a follower\'s Raft layer ends its process (exit 1, coded); the leader lists it UNREACHABLE, not FOLLOWER, until it is back', async () => {
    const victim = await aFollower();
    const s = await cluster.status(victim);
    const version = cluster.version(victim);
    await sendBogusHeartbeat(
      { host: cluster.host(victim), ratisPort: 9894, scmUuid: s.scmUuid },
      { groupId: version.clusterID!.slice(4), from: '00000000-0000-4000-8000-0000000000ee', fromHost: '127.0.0.19', term: s.term + 1000, commit: s.commitIndex + 1_000_000 },
    );
    const p = cluster.proc(victim)!;
    const code = await Promise.race([p.exited, new Promise<string>((r) => setTimeout(() => r('still running'), 20_000))]);
    expect(code, p.output).toBe(1);
    expect(p.output).toMatch(/SCM stopping after a fatal error \[RAFT_LOG_LOST\]: .*beyond the last index/);
    await cluster.kill(victim);
    const host = cluster.host(victim);
    await waitUntil(async () => (await roleLines()).some((l) => l.startsWith(`${host}:9894:UNREACHABLE:`)), `${victim} listed UNREACHABLE`, 30_000);
    expect((await roleLines()).filter((l) => l.includes(':FOLLOWER:'))).toHaveLength(1);
    const json = JSON.parse((await cluster.run('client', ['admin', 'scm', 'roles', '--json'])).stdout) as Record<string, { raftPeerRole: string; lastContactMs?: number }>;
    expect(json[host]).toMatchObject({ raftPeerRole: 'UNREACHABLE' });
    expect(json[host]!.lastContactMs).toBeGreaterThan(ELECTION_MS);
    await cluster.start(victim);
    await waitUntil(async () => (await roleLines()).some((l) => l.startsWith(`${host}:9894:FOLLOWER:`)), `${victim} a FOLLOWER again`, 30_000);
  });

  it('a Raft log deleted, truncated or garbled while its SCM was down is refused at start, naming scmctl repair; the refusal changes nothing', async () => {
    const victim = await aFollower();
    await cluster.quiescent();
    expect(await cluster.kill(victim, 'SIGTERM')).toBe(0);
    const dir = raftDir(victim);
    const keep = join(root, `${victim}-raft-kept`);
    cpSync(dir, keep, { recursive: true });
    const restore = (): void => {
      rmSync(dir, { recursive: true, force: true });
      cpSync(keep, dir, { recursive: true });
    };

    // deleted: an empty store below a state machine that applied thousands of entries
    rmSync(dir, { recursive: true, force: true });
    let p = await startFails(victim);
    expect(p.output).toMatch(/RAFT_LOG_LOST/);
    expect(p.output).toMatch(new RegExp(`scmctl repair ${victim}`));
    restore();

    // truncated: LevelDB's write-ahead log lost its tail, so the store ends before what scm.db applied
    const logs = readdirSync(dir).filter((f) => f.endsWith('.log') && statSync(join(dir, f)).size > 0);
    expect(logs.length).toBeGreaterThan(0);
    for (const f of logs) truncateSync(join(dir, f), Math.floor(statSync(join(dir, f)).size / 4));
    const beforeTruncated = treeDigest(dir);
    p = await startFails(victim);
    expect(p.output).toMatch(/RAFT_LOG_(LOST|CORRUPT)/);
    expect(p.output).toMatch(new RegExp(`scmctl repair ${victim}`));
    restore();

    // garbled: bytes flipped inside the stored entries
    const tables = readdirSync(dir).filter((f) => /\.(log|ldb)$/.test(f) && statSync(join(dir, f)).size > 4096);
    for (const f of tables) {
      const b = readFileSync(join(dir, f));
      for (let i = 2048; i < b.length - 64; i += 997) b[i] = b[i]! ^ 0x5a;
      writeFileSync(join(dir, f), b);
    }
    p = await startFails(victim);
    expect(p.output).toMatch(/RAFT_LOG_CORRUPT|RAFT_LOG_LOST/);
    expect(p.output).toMatch(new RegExp(`scmctl repair ${victim}`));
    restore();
    expect(beforeTruncated).not.toBe(treeDigest(dir)); // restore() really put the intact store back

    await cluster.start(victim);
    await cluster.quiescent();
    const scans = await Promise.all(IDS.map((id) => cluster.scanContainers(id)));
    expect(new Set(scans.map((x) => x.sha256)).size).toBe(1);
  });

  it('a leader cut off by a partition: the writer continues through the new leader after about one election; freon completes; no container stays CLOSING', async () => {
    const old = await cluster.leader();
    const startLocal = (await cluster.status(old)).sequenceIds.localId ?? 0;
    const freon = cluster.run('client', [...FREON, '--numOfKeys=20000']);
    await waitUntil(async () => ((await cluster.status(old)).sequenceIds.localId ?? 0) >= startLocal + 2000, 'freon under way');
    const { next, ms } = await writerPause(old, () => partitions.isolate(cluster.host(old), HOSTS.filter((h) => h !== cluster.host(old))));
    console.log(`partition of leader ${old}: first allocation through ${next} after ${ms} ms (election timeout ${ELECTION_MS} ms)`);
    expect(next).not.toBe(old);
    expect(ms).toBeLessThan(ELECTION_MS + 4000); // before the fix: the client's 30 s call timeout
    const r = await freon;
    partitions.heal();
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Number of Keys added: 20000/);
    await cluster.quiescent();
    const counts = await noneClosing();
    expect(counts.CLOSED ?? 0).toBeGreaterThan(0);
  });

  it('a frozen (SIGSTOP) leader: the same pause, freon completes; after SIGCONT it follows; no container stays CLOSING', async () => {
    const old = await cluster.leader();
    const startLocal = (await cluster.status(old)).sequenceIds.localId ?? 0;
    const freon = cluster.run('client', [...FREON, '--numOfKeys=20000']);
    await waitUntil(async () => ((await cluster.status(old)).sequenceIds.localId ?? 0) >= startLocal + 2000, 'freon under way');
    const { next, ms } = await writerPause(old, () => cluster.proc(old)!.signal('SIGSTOP'));
    console.log(`SIGSTOP of leader ${old}: first allocation through ${next} after ${ms} ms (election timeout ${ELECTION_MS} ms)`);
    expect(ms).toBeLessThan(ELECTION_MS + 4000);
    const r = await freon;
    cluster.proc(old)!.signal('SIGCONT');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Number of Keys added: 20000/);
    await waitUntil(async () => (await cluster.status(old)).role === 'FOLLOWER', `${old} follows after SIGCONT`);
    await cluster.quiescent();
    await noneClosing();
    const scans = await Promise.all(IDS.map((id) => cluster.scanContainers(id)));
    expect(new Set(scans.map((x) => x.sha256)).size).toBe(1);
    void datanodes;
  });
});
