/**
 * Real-process test of the Raft stack: three raft-kv-node processes on 127.0.3.1–3 over real TCP with
 * real LevelDB. Under concurrent write load the leader is killed with SIGKILL and later restarted from
 * its data directory; every write that was acknowledged must be present, with its value, on all three.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RaftKvCluster } from '../support/raft-kv-cluster.js';

const base = mkdtempSync(join(tmpdir(), 'raft-e2e-'));
const cluster = new RaftKvCluster({
  baseDir: base,
  electionMs: 1000,
  heartbeatMs: 100,
  snapshotThreshold: 300,
  nodes: [1, 2, 3].map((i) => ({ id: `n${i}`, host: `127.0.3.${i}`, raftPort: 7201, httpPort: 8201 })),
});

interface Writer {
  acked: Map<string, string>;
  stop: boolean;
  done: Promise<void>;
}

/** A client that writes unique keys, following NOT_LEADER hints and retrying a key until acknowledged. */
function startWriters(count: number): Writer {
  const w: Writer = { acked: new Map(), stop: false, done: Promise.resolve() };
  const ids = cluster.o.nodes.map((n) => n.id);
  const loops = Array.from({ length: count }, async (_, i) => {
    let target = ids[0]!;
    let seq = 0;
    while (!w.stop) {
      const key = `w${i}-${seq}`;
      const value = `v${i}-${seq}-${Math.random().toString(36).slice(2, 8)}`;
      for (;;) {
        if (w.stop) return;
        const r = await cluster.client.put(cluster.httpBase(target), key, value, 2000);
        if (r.ok) {
          w.acked.set(key, value);
          seq++;
          break;
        }
        const hinted = r.leaderRaftAddress ? cluster.httpForRaft(r.leaderRaftAddress) : null;
        const hintedId = hinted ? cluster.o.nodes.find((n) => cluster.httpBase(n.id) === hinted)!.id : null;
        target = hintedId && hintedId !== target ? hintedId : ids[(ids.indexOf(target) + 1) % ids.length]!;
        await new Promise((res) => setTimeout(res, 20));
      }
    }
  });
  w.done = Promise.all(loops).then(() => {});
  return w;
}

async function waitFor(cond: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('raft: three real processes, kill -9 the leader under load', () => {
  beforeAll(async () => {
    await cluster.form();
  });
  afterAll(async () => {
    await cluster.stopAll();
    rmSync(base, { recursive: true, force: true });
  });

  it('keeps every acknowledged write on all three replicas', async () => {
    const writers = startWriters(8);
    await waitFor(() => writers.acked.size >= 300, '300 writes before the kill');
    const victim = await cluster.leader();
    await cluster.kill(victim, 'SIGKILL');
    const ackedAtKill = writers.acked.size;
    await waitFor(() => writers.acked.size >= ackedAtKill + 300, '300 more writes acknowledged by a new leader');
    const newLeader = await cluster.leader();
    expect(newLeader).not.toBe(victim);
    await cluster.start(victim);
    await waitFor(() => writers.acked.size >= ackedAtKill + 600, 'more writes with the victim back');
    writers.stop = true;
    await writers.done;

    // All three converge on the same applied state.
    let snapshots: Array<{ applied: number; kvs: Record<string, string> }> = [];
    await waitFor(async () => {
      snapshots = await Promise.all(cluster.o.nodes.map((n) => cluster.keys(n.id)));
      return snapshots.every((s) => s.applied === snapshots[0]!.applied);
    }, 'replicas converge');
    const missing: string[] = [];
    for (const [i, s] of snapshots.entries()) {
      for (const [k, v] of writers.acked) if (s.kvs[k] !== v) missing.push(`n${i + 1}:${k}`);
    }
    expect(missing.slice(0, 20)).toEqual([]);
    expect(writers.acked.size).toBeGreaterThanOrEqual(ackedAtKill + 600);
    // Each replica holds exactly the same keys.
    const keySets = snapshots.map((s) => Object.keys(s.kvs).sort().join(','));
    expect(new Set(keySets).size).toBe(1);
  });
});
