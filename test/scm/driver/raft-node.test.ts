/**
 * The driver (RaftNode) end to end over the in-memory network with a fake clock: group creation (all
 * three kinds), proposals and their results, NOT_LEADER hints, failover, restart from the store,
 * snapshots and catch-up, membership, transfer, ReadIndex, fatal state-machine errors.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isCodedError } from '../../../src/common/coded-error.js';
import { KvStore, type KvResult } from '../../../src/scm/driver/kv-store.js';
import type { RaftEvent } from '../../../src/scm/driver/raft-status.js';
import type { AppliedEntry, SnapshotImage, SnapshotSource } from '../../../src/scm/driver/raft-applier.js';
import { nodeId } from '../../../src/scm/raft/index.js';
import { TestCluster, addressOf, put, type Member } from './support/test-cluster.js';

const dec = new TextDecoder();
const value = (m: Member, key: string): string | undefined => {
  const v = m.sm.get(key);
  return v === undefined ? undefined : dec.decode(v);
};

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    return isCodedError(err) ? err.code : `uncoded: ${String(err)}`;
  }
  return undefined;
}

/** n1 founds the group (--init), n2 and n3 start empty and are added by the leader. */
async function threeNodes(c: TestCluster): Promise<Member> {
  const n1 = await c.start('n1', { bootstrap: 'new' });
  await c.until(() => n1.node.status().role === 'LEADER', 'n1 leads its one-member group');
  await c.start('n2');
  await c.start('n3');
  await c.settle(n1.node.addMember(nodeId('n2'), addressOf('n2')));
  await c.settle(n1.node.addMember(nodeId('n3'), addressOf('n3')));
  return n1;
}

describe('RaftNode (driver) on an in-memory network', () => {
  let c: TestCluster;
  afterEach(async () => {
    await c?.closeAll();
  });

  it('a new group (--init) elects its only voter at once and applies proposals with their results', async () => {
    c = new TestCluster();
    const n1 = await c.start('n1', { bootstrap: 'new' });
    await c.until(() => n1.node.status().role === 'LEADER', 'leader');
    const r = await c.settle(n1.node.propose(put('a', '1')));
    expect(r).toEqual({ index: 3, previous: null });
    const r2 = await c.settle(n1.node.propose(put('a', '2')));
    expect(dec.decode(r2.previous!)).toBe('1');
    const st = n1.node.status();
    expect(st).toMatchObject({ id: 'n1', groupId: 'test-group', role: 'LEADER', membership: 'voter', leader: { id: 'n1', address: addressOf('n1') }, commitIndex: 4, appliedIndex: 4 });
    expect(st.peers).toEqual([{ id: 'n1', address: addressOf('n1'), role: 'voter', isSelf: true, isLeader: true, matchIndex: 4, lastContactMs: null, lagging: false }]);
  });

  it('joining nodes are added as learners, promoted once caught up, and every member learns every address', async () => {
    c = new TestCluster();
    const n1 = await threeNodes(c);
    const events: RaftEvent[] = [];
    c.get('n3').node.on((e) => events.push(e));
    await c.settle(n1.node.propose(put('k', 'v')));
    await c.until(() => value(c.get('n3'), 'k') === 'v' && value(c.get('n2'), 'k') === 'v', 'replicated');
    for (const name of ['n1', 'n2', 'n3']) {
      const st = c.get(name).node.status();
      expect(st.peers.map((p) => `${p.id}@${p.address}:${p.role}`)).toEqual(['n1', 'n2', 'n3'].map((n) => `${n}@${addressOf(n)}:voter`));
      expect(st.leader).toEqual({ id: 'n1', address: addressOf('n1') });
    }
    expect(c.get('n2').node.status().role).toBe('FOLLOWER');
    // the cheap check the SCM's leader gate makes on every request agrees with the full status
    for (const name of ['n1', 'n2', 'n3']) {
      const st = c.get(name).node.status();
      expect(c.get(name).node.leadership()).toEqual({ role: st.role, term: st.term, failed: false });
    }
    expect(n1.node.status().peers.every((p) => p.matchIndex !== null)).toBe(true);
    expect(events.some((e) => e.type === 'applied')).toBe(true);
  });

  it('a follower rejects proposals with NOT_LEADER naming the leader and its address', async () => {
    c = new TestCluster();
    await threeNodes(c);
    const err = await c.get('n2').node.propose(put('x')).catch((e: unknown) => e);
    expect(isCodedError(err, 'NOT_LEADER')).toBe(true);
    expect((err as { leader: unknown }).leader).toEqual({ id: 'n1', address: addressOf('n1') });
    const joining = await c.start('n9');
    const err2 = await joining.node.propose(put('x')).catch((e: unknown) => e);
    expect(isCodedError(err2, 'NOT_LEADER')).toBe(true);
    expect((err2 as { leader: unknown }).leader).toBeNull();
  });

  it('fails over when the leader is cut off; the old leader steps down, answering its pending proposal NOT_LEADER at once; it is never applied', async () => {
    c = new TestCluster();
    const n1 = await threeNodes(c);
    await c.settle(n1.node.propose(put('before')));
    c.net.isolate(nodeId('n1'));
    let outcome: string | null = null;
    const lost = n1.node.propose(put('lost')).then(
      () => 'applied',
      (e: unknown) => (isCodedError(e) ? e.code : 'other'),
    );
    void lost.then((o) => (outcome = o));
    await c.until(() => ['n2', 'n3'].some((n) => c.get(n).node.status().role === 'LEADER'), 'new leader');
    const leader = c.leader()!.id === 'n1' ? [c.get('n2'), c.get('n3')].find((m) => m.node.status().role === 'LEADER')! : c.leader()!;
    await c.until(() => n1.node.status().role !== 'LEADER', 'check-quorum makes n1 step down');
    // Still cut off: the step-down itself answered the proposal (no waiting for a timeout or the heal).
    await c.until(() => outcome !== null, 'the pending proposal is answered', 100);
    expect(outcome).toBe('NOT_LEADER');
    await c.settle(leader.node.propose(put('after')));
    c.net.heal();
    await c.until(() => value(n1, 'after') === 'after', 'n1 catches up');
    expect(value(n1, 'lost')).toBeUndefined();
  });

  it('a restarted node rebuilds its state from its store and rejoins', async () => {
    c = new TestCluster({ snapshotThreshold: 20, compactionMargin: 5 });
    const n1 = await threeNodes(c);
    for (let i = 0; i < 50; i++) await c.settle(n1.node.propose(put(`k${i}`)));
    const store = await c.stop('n3');
    for (let i = 50; i < 60; i++) await c.settle(n1.node.propose(put(`k${i}`)));
    const n3 = await c.start('n3', { store });
    // Before hearing from anyone it already holds what it had applied (snapshot + log replay).
    await c.until(() => value(n3, 'k49') === 'k49', 'local replay');
    await c.until(() => value(n3, 'k59') === 'k59', 'catch up after restart');
    expect(n3.sm.size()).toBe(60);
  });

  it('snapshots by applied-entry count, compacts the log, and catches a new member up by snapshot from the leader', async () => {
    c = new TestCluster({ snapshotThreshold: 10, compactionMargin: 2 });
    const n1 = await threeNodes(c);
    for (let i = 0; i < 40; i++) await c.settle(n1.node.propose(put(`k${i}`)));
    await c.until(() => n1.store.compactedIndex > 0, 'compaction');
    expect(n1.node.status().snapshotIndex).toBeGreaterThanOrEqual(30);
    const restores: Array<SnapshotSource | null> = [];
    const sm = new (class extends KvStore {
      override restore(s: SnapshotImage, o?: { from: SnapshotSource | null }): void {
        restores.push(o?.from ?? null);
        super.restore(s);
      }
    })();
    const n4 = await c.start('n4', { sm });
    await c.settle(n1.node.addMember(nodeId('n4'), addressOf('n4')));
    await c.until(() => value(n4, 'k39') === 'k39', 'n4 has everything');
    expect(restores).toEqual([{ id: 'n1', address: addressOf('n1') }]);
    expect(n4.node.status().membership).toBe('voter');
  });

  it('converts a standalone state machine: a group starting after an initial snapshot; new members catch up by snapshot', async () => {
    c = new TestCluster();
    const existing = new KvStore();
    for (let i = 0; i < 5; i++) existing.apply({ index: i + 1, term: 1, data: put(`old${i}`) });
    const data = await existing.snapshot();
    const n1 = await c.start('n1', { bootstrap: { index: 1000, term: 3, data }, sm: existing });
    await c.until(() => n1.node.status().role === 'LEADER', 'leader');
    const r = await c.settle(n1.node.propose(put('new')));
    expect(r.index).toBe(1002);
    const n2 = await c.start('n2');
    await c.settle(n1.node.addMember(nodeId('n2'), addressOf('n2')));
    await c.until(() => value(n2, 'new') === 'new', 'replicated');
    expect(value(n2, 'old4')).toBe('old4');
    expect(n2.store.compactedIndex).toBeGreaterThanOrEqual(1000);
  });

  it('a durable state machine that reports its applied index is not re-applied after restart; membership still is', async () => {
    c = new TestCluster();
    const n1 = await threeNodes(c);
    for (let i = 0; i < 5; i++) await c.settle(n1.node.propose(put(`k${i}`)));
    const applied = n1.node.status().appliedIndex;
    const calls: number[] = [];
    class Durable extends KvStore {
      appliedIndex(): number {
        return applied;
      }
      override apply(e: AppliedEntry): KvResult {
        calls.push(e.index);
        return super.apply(e);
      }
    }
    const store = await c.stop('n1');
    const again = await c.start('n1', { store, sm: new Durable() });
    expect(again.node.status().peers.map((p) => p.id)).toEqual(['n1', 'n2', 'n3']);
    await c.until(() => c.leader() !== undefined, 'leader');
    await c.settle(c.leader()!.node.propose(put('later')).catch(() => c.leader()!.node.propose(put('later'))));
    await c.until(() => value(again, 'later') === 'later', 'replicated');
    expect(Math.min(...calls)).toBeGreaterThan(applied);
  });

  it('the leader reports when it last heard from each member and which ones lag behind what it committed', async () => {
    c = new TestCluster();
    const n1 = await threeNodes(c);
    await c.settle(n1.node.propose(put('a')));
    const peer = (id: string) => n1.node.status().peers.find((p) => p.id === id)!;
    await c.until(() => peer('n2').matchIndex === n1.node.status().commitIndex && peer('n3').matchIndex === n1.node.status().commitIndex, 'caught up');
    expect(peer('n2')).toMatchObject({ lagging: false });
    expect(peer('n2').lastContactMs).toBeLessThan(1000);
    await c.stop('n3');
    const t0 = c.clock.now();
    for (let i = 0; i < 5; i++) await c.settle(n1.node.propose(put(`b${i}`)));
    await c.until(() => c.clock.now() - t0 > 2500, 'two election timeouts');
    await c.settle(n1.node.propose(put('c')));
    expect(peer('n3').lastContactMs).toBeGreaterThan(2000);
    expect(peer('n3').lagging).toBe(true);
    expect(peer('n2')).toMatchObject({ lagging: false });
    expect(peer('n2').lastContactMs).toBeLessThan(1000);
    // Followers do not judge their peers.
    expect(c.get('n2').node.status().peers.every((p) => p.lagging === null)).toBe(true);
  });

  it('a state machine ahead of a lost or truncated log is refused at start (RAFT_LOG_LOST), unless a snapshot install was under way', async () => {
    c = new TestCluster();
    const n1 = await threeNodes(c);
    for (let i = 0; i < 5; i++) await c.settle(n1.node.propose(put(`k${i}`)));
    await c.until(() => [...c.members.values()].every((m) => m.node.status().appliedIndex === n1.node.status().appliedIndex), 'all applied');
    const n2 = c.get('n2');
    const applied = n2.node.status().appliedIndex;
    class Durable extends KvStore {
      appliedIndex(): number {
        return applied;
      }
    }
    const store = await c.stop('n2');
    const tail = store.entries.length;
    store.entries = store.entries.slice(0, tail - 3); // the log lost its last three entries (and its hard state with them)
    store.hardState = { ...store.hardState, commit: Math.min(store.hardState.commit, store.compactedIndex + store.entries.length) };
    const err = await c.start('n2', { store, sm: new Durable() }).then(() => null, (e: unknown) => e);
    expect(isCodedError(err, 'RAFT_LOG_LOST'), String(err)).toBe(true);
    expect((err as Error).message).toMatch(new RegExp(`ends at index ${applied - 3} but the state machine has applied ${applied}`));
    // A marker below what the state machine holds does not cover the gap.
    store.installing = applied - 1;
    expect(isCodedError(await c.start('n2', { store, sm: new Durable() }).then(() => null, (e: unknown) => e), 'RAFT_LOG_LOST')).toBe(true);
    // State installed from elsewhere up to the marker (a leader's snapshot, a newer checkpoint): it starts.
    store.installing = applied;
    const again = await c.start('n2', { store, sm: new Durable() });
    expect(again.node.status().fatal).toBeNull();
  });

  it('a restore that obtained newer state (a checkpoint) reports it; entries up to it are not applied again', async () => {
    c = new TestCluster({ snapshotThreshold: 10, compactionMargin: 0 });
    const n1 = await threeNodes(c);
    for (let i = 0; i < 30; i++) await c.settle(n1.node.propose(put(`k${i}`)));
    await c.until(() => n1.store.compactedIndex > 0, 'compaction');
    const applied: number[] = [];
    const leader = n1;
    let checkpointAt = 0;
    let snapshotAt = 0;
    // Like the SCM: the snapshot bytes are a descriptor; the state comes from the leader, newer than it.
    class Checkpointing extends KvStore {
      override restore(s: SnapshotImage, o?: { from: SnapshotSource | null }): { appliedIndex: number } | void {
        if (!o?.from) return super.restore(s);
        const fresh = new KvStore();
        fresh.restore({ ...s, data: new Uint8Array(0) });
        const at = leader.node.status().appliedIndex;
        checkpointAt = at;
        snapshotAt = s.index;
        // Copy the leader's whole state as of now ("download a checkpoint").
        for (const k of leader.sm.keys()) fresh.apply({ index: at, term: 1, data: put(k, new TextDecoder().decode(leader.sm.get(k)!)) });
        super.restore({ index: at, term: 1, data: new Uint8Array(0) });
        for (const k of fresh.keys()) super.apply({ index: at, term: 1, data: put(k, new TextDecoder().decode(fresh.get(k)!)) });
        return { appliedIndex: at };
      }
      override apply(e: AppliedEntry): KvResult {
        applied.push(e.index);
        return super.apply(e);
      }
    }
    const n4 = await c.start('n4', { sm: new Checkpointing() });
    await c.settle(n1.node.addMember(nodeId('n4'), addressOf('n4')));
    await c.settle(n1.node.propose(put('after')));
    await c.until(() => value(n4, 'after') === 'after', 'n4 applies new entries');
    expect(value(n4, 'k29')).toBe('k29');
    expect(checkpointAt).toBeGreaterThan(snapshotAt);
    expect(applied.length).toBeGreaterThan(0);
    expect(applied.every((i) => i > checkpointAt)).toBe(true);
    expect(n4.node.status().peers.map((p) => p.id)).toEqual(['n1', 'n2', 'n3', 'n4']);
  });

  it('transfers leadership, then removes the old leader; the group keeps working', async () => {
    c = new TestCluster();
    const n1 = await threeNodes(c);
    await c.settle(n1.node.transferLeadership(nodeId('n2')));
    const n2 = c.get('n2');
    expect(n2.node.status().role).toBe('LEADER');
    expect(await codeOf(n1.node.transferLeadership(nodeId('n3')))).toBe('NOT_LEADER');
    await c.settle(n2.node.removeMember(nodeId('n1')));
    await c.until(() => n1.node.status().membership === 'none', 'n1 learns it was removed');
    await c.settle(n2.node.propose(put('two-voters')));
    await c.until(() => value(c.get('n3'), 'two-voters') === 'two-voters', 'replicated');
    expect(n2.node.status().peers.map((p) => p.id)).toEqual(['n2', 'n3']);
    // The leader removing itself hands over and steps down.
    await c.settle(n2.node.removeMember(nodeId('n2')));
    await c.until(() => c.get('n3').node.status().role === 'LEADER', 'n3 leads alone');
    await c.settle(c.get('n3').node.propose(put('alone')));
  });

  it('refuses a second membership change while one is pending, and invalid changes', async () => {
    c = new TestCluster();
    const n1 = await threeNodes(c);
    await c.start('n4');
    const first = n1.node.addMember(nodeId('n4'), addressOf('n4'));
    expect(await codeOf(n1.node.removeMember(nodeId('n3')))).toBe('CONF_CHANGE_IN_PROGRESS');
    await c.settle(first);
    expect(await codeOf(n1.node.addMember(nodeId('n5'), addressOf('n4')))).toBe('INVALID_CONF_CHANGE');
  });

  it('serves linearizable read barriers on the leader only', async () => {
    c = new TestCluster();
    const n1 = await threeNodes(c);
    const w = await c.settle(n1.node.propose(put('r', '1')));
    const idx = await c.settle(n1.node.readBarrier());
    expect(idx).toBeGreaterThanOrEqual(w.index);
    expect(value(n1, 'r')).toBe('1');
    expect(await codeOf(c.get('n3').node.readBarrier())).toBe('NOT_LEADER');
    c.net.isolate(nodeId('n1'));
    const stale = n1.node.readBarrier();
    expect(await c.settle(stale.then(() => 'served', (e: unknown) => (isCodedError(e) ? e.code : 'other')))).toBe('NOT_LEADER');
  });

  it('waitForLeader resolves with the leader and honours abort signals', async () => {
    c = new TestCluster();
    const lone = await c.start('n7');
    const ac = new AbortController();
    const waiting = lone.node.waitForLeader({ signal: ac.signal });
    ac.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
    const n1 = await c.start('n1', { bootstrap: 'new' });
    expect(await c.settle(n1.node.waitForLeader())).toEqual({ id: 'n1', address: addressOf('n1') });
  });

  it('stops on a state machine failure instead of diverging', async () => {
    c = new TestCluster();
    class Broken extends KvStore {
      override apply(e: AppliedEntry): KvResult {
        if (dec.decode(e.data).includes('boom')) throw new Error('disk full');
        return super.apply(e);
      }
    }
    const n1 = await c.start('n1', { bootstrap: 'new', sm: new Broken() });
    await c.until(() => n1.node.status().role === 'LEADER', 'leader');
    const events: RaftEvent[] = [];
    n1.node.on((e) => events.push(e));
    expect(await codeOf(c.settle(n1.node.propose(put('boom'))))).toBe('RAFT_CLOSED');
    expect(events.find((e) => e.type === 'fatal')).toBeDefined();
    expect(n1.node.status().fatal).toContain('disk full');
    expect(await codeOf(n1.node.propose(put('after')))).toBe('RAFT_CLOSED');
  });

  it('rejects requests after close with RAFT_CLOSED, and pending ones too', async () => {
    c = new TestCluster();
    const n1 = await threeNodes(c);
    c.net.isolate(nodeId('n1'));
    const pending = n1.node.propose(put('never'));
    await c.stop('n1');
    expect(await codeOf(pending)).toBe('RAFT_CLOSED');
    expect(await codeOf(n1.node.propose(put('x')))).toBe('RAFT_CLOSED');
  });
});
