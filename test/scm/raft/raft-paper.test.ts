/**
 * Tests tied to the rules of the Raft paper (Ongaro & Ousterhout, §5.1–5.4), one `describe` per
 * section. They drive the core message by message (pre-vote and check-quorum off unless a test is about
 * them, so the classical protocol is visible). The randomized simulation (simulation.test.ts) checks the
 * same safety properties under faults.
 */
import { describe, expect, it } from 'vitest';
import { isCodedError } from '../../../src/common/coded-error.js';
import type { Message, NodeId } from '../../../src/scm/raft/index.js';
import { ent, id, logTerms, msg, newNode, persist, settle, take } from './support/paper-harness.js';

const enc = new TextEncoder();
const types = (ms: Message[]): string[] => ms.map((m) => `${m.type}->${m.to}`).sort();

function elect(n: ReturnType<typeof newNode>, peers: string[]): void {
  n.raw.campaign();
  persist(n);
  for (const p of peers) n.raw.step(msg({ type: 'vote-resp', from: p, to: n.raw.raft.id, term: n.raw.raft.term }));
  persist(n);
  expect(n.raw.raft.state).toBe('leader');
}

describe('§5.1 Raft basics: terms', () => {
  it.each(['follower', 'candidate', 'leader'] as const)('a %s that sees a higher term adopts it and becomes follower', (role) => {
    const n = newNode('1', { voters: ['1', '2', '3'], term: 1 });
    if (role === 'candidate') n.raw.campaign();
    if (role === 'leader') elect(n, ['2']);
    const term = n.raw.raft.term;
    n.raw.step(msg({ type: 'app', from: '2', to: '1', term: term + 1, index: 0, logTerm: 0 }));
    expect(n.raw.raft.state).toBe('follower');
    expect(n.raw.raft.term).toBe(term + 1);
    expect(n.raw.raft.lead).toBe('2');
  });

  it('rejects requests carrying a stale term, answering with its own term', () => {
    // With check-quorum (our default) the answer to a stale append carries the newer term, so a deposed
    // leader learns it at once; the stale request itself has no effect.
    const n = newNode('1', { voters: ['1', '2', '3'], term: 5, checkQuorum: true });
    n.raw.step(msg({ type: 'vote', from: '2', to: '1', term: 4, index: 10, logTerm: 4 }));
    expect(take(n.raw)).toEqual([]);
    expect(n.raw.raft.vote).toBeNull();
    n.raw.step(msg({ type: 'app', from: '2', to: '1', term: 4, index: 0, logTerm: 0, entries: [ent(4, 1)] }));
    const out = take(n.raw);
    expect(out.map((m) => [m.type, m.term])).toEqual([['app-resp', 5]]);
    expect(n.raw.raft.log.lastIndex()).toBe(0);
  });
});

describe('§5.2 leader election', () => {
  it('starts as a follower', () => {
    expect(newNode('1', { voters: ['1', '2', '3'] }).raw.raft.state).toBe('follower');
  });

  it('a leader sends heartbeats to every follower each heartbeat interval', () => {
    const n = newNode('1', { voters: ['1', '2', '3'], term: 1 });
    elect(n, ['2']);
    take(n.raw);
    n.raw.tick();
    expect(types(take(n.raw))).toEqual(['heartbeat->2', 'heartbeat->3']);
  });

  it('a follower that hears nothing for an election timeout becomes candidate, votes for itself and asks for votes', () => {
    const n = newNode('1', { voters: ['1', '2', '3'], term: 1, electionTick: 10 });
    for (let i = 0; i < 2 * 10 && n.raw.raft.state === 'follower'; i++) n.raw.tick();
    expect(n.raw.raft.state).toBe('candidate');
    expect(n.raw.raft.term).toBe(2);
    expect(n.raw.raft.vote).toBe('1');
    const rd = n.raw.ready();
    expect(rd.hardState).toMatchObject({ term: 2, vote: '1' });
    expect(types([...rd.messages])).toEqual(['vote->2', 'vote->3']);
    // The vote requests leave only after the vote is persisted: none is eager.
    expect(rd.eagerMessages).toEqual([]);
  });

  it('grants at most one vote per term, first come first served', () => {
    const n = newNode('1', { voters: ['1', '2', '3'], term: 1 });
    n.raw.step(msg({ type: 'vote', from: '2', to: '1', term: 2, index: 0, logTerm: 0 }));
    n.raw.step(msg({ type: 'vote', from: '3', to: '1', term: 2, index: 0, logTerm: 0 }));
    expect(take(n.raw).map((m) => [m.to, m.type, m.reject])).toEqual([
      ['2', 'vote-resp', false],
      ['3', 'vote-resp', true],
    ]);
    expect(n.raw.raft.vote).toBe('2');
    // Repeating the request of the candidate it voted for is answered positively again.
    n.raw.step(msg({ type: 'vote', from: '2', to: '1', term: 2, index: 0, logTerm: 0 }));
    expect(take(n.raw).map((m) => m.reject)).toEqual([false]);
  });

  it('a candidate wins with a majority, keeps waiting without one, and loses with a majority against', () => {
    for (const [grants, rejects, expected] of [
      [['2', '3'], [], 'leader'],
      [['2'], [], 'leader'],
      [[], ['2'], 'candidate'],
      [[], ['2', '3'], 'follower'],
    ] as const) {
      const n = newNode('1', { voters: ['1', '2', '3'], term: 1 });
      n.raw.campaign();
      for (const g of grants) n.raw.step(msg({ type: 'vote-resp', from: g, to: '1', term: 2 }));
      for (const r of rejects) n.raw.step(msg({ type: 'vote-resp', from: r, to: '1', term: 2, reject: true }));
      expect(n.raw.raft.state).toBe(expected);
    }
  });

  it('a candidate that hears from a leader of its term becomes follower', () => {
    const n = newNode('1', { voters: ['1', '2', '3'], term: 1 });
    n.raw.campaign();
    n.raw.step(msg({ type: 'app', from: '2', to: '1', term: 2, index: 0, logTerm: 0 }));
    expect(n.raw.raft.state).toBe('follower');
    expect(n.raw.raft.lead).toBe('2');
  });

  it('a split vote times out and starts a new election in a higher term', () => {
    const n = newNode('1', { voters: ['1', '2', '3', '4'], term: 1 });
    n.raw.campaign();
    n.raw.step(msg({ type: 'vote-resp', from: '2', to: '1', term: 2 }));
    n.raw.step(msg({ type: 'vote-resp', from: '3', to: '1', term: 2, reject: true }));
    expect(n.raw.raft.state).toBe('candidate');
    for (let i = 0; i < 40 && n.raw.raft.term === 2; i++) n.raw.tick();
    expect(n.raw.raft.term).toBe(3);
    expect(n.raw.raft.state).toBe('candidate');
  });

  it('election timeouts are randomized within [electionTick, 2·electionTick)', () => {
    const seen = new Set<number>();
    for (let seed = 1; seed <= 200; seed++) {
      const t = newNode('1', { voters: ['1', '2', '3'], seed, electionTick: 10 }).raw.raft.electionTimeoutTicks();
      expect(t).toBeGreaterThanOrEqual(10);
      expect(t).toBeLessThan(20);
      seen.add(t);
    }
    expect(seen.size).toBeGreaterThan(5);
  });
});

describe('§5.3 log replication', () => {
  it('the leader appends a proposal and replicates it to every follower', () => {
    const n = newNode('1', { voters: ['1', '2', '3'], term: 1 });
    elect(n, ['2']);
    persist(n);
    // Followers acknowledge the leader's first (empty) entry: their progress moves from probe to replicate.
    for (const f of ['2', '3']) n.raw.step(msg({ type: 'app-resp', from: f, to: '1', term: 2, index: 1 }));
    persist(n);
    const { index, term } = n.raw.propose(enc.encode('x'));
    const out = persist(n).filter((m) => m.type === 'app');
    expect(out.map((m) => m.to).sort()).toEqual(['2', '3']);
    for (const m of out) expect(m.entries.map((e) => [e.term, e.index])).toContainEqual([term, index]);
  });

  it('commits an entry once a majority stores it, and not before (5 voters)', () => {
    const n = newNode('1', { voters: ['1', '2', '3', '4', '5'], term: 1 });
    elect(n, ['2', '3']);
    const { index } = n.raw.propose(enc.encode('x'));
    persist(n); // the leader's own copy is durable now
    n.raw.step(msg({ type: 'app-resp', from: '2', to: '1', term: n.raw.raft.term, index }));
    expect(n.raw.raft.log.committed).toBeLessThan(index);
    n.raw.step(msg({ type: 'app-resp', from: '3', to: '1', term: n.raw.raft.term, index }));
    expect(n.raw.raft.log.committed).toBe(index);
  });

  it('the leader counts its own copy only once it is durable', () => {
    const n = newNode('1', { voters: ['1', '2', '3'], term: 1 });
    elect(n, ['2']);
    persist(n);
    const { index } = n.raw.propose(enc.encode('x'));
    const rd = n.raw.ready(); // not yet persisted
    n.raw.step(msg({ type: 'app-resp', from: '2', to: '1', term: n.raw.raft.term, index }));
    // 2 of 3 acknowledged counting the leader would commit; but the leader's own copy is not durable.
    expect(n.raw.raft.log.committed).toBeLessThan(index);
    n.storage.append(rd.entries);
    n.raw.advance(rd);
    expect(n.raw.raft.log.committed).toBe(index);
  });

  it('a follower applies entries up to the leader commit it learns, once they are durable', () => {
    const n = newNode('2', { voters: ['1', '2', '3'], term: 1 });
    n.raw.step(msg({ type: 'app', from: '1', to: '2', term: 1, index: 0, logTerm: 0, commit: 1, entries: [ent(1, 1, 'a'), ent(1, 2, 'b')] }));
    const rd = n.raw.ready();
    expect(rd.entries.map((e) => e.index)).toEqual([1, 2]);
    expect(rd.committedEntries).toEqual([]);
    n.storage.append(rd.entries);
    n.raw.advance(rd);
    expect(n.raw.ready().committedEntries.map((e) => e.index)).toEqual([1]);
  });

  it('a follower refuses entries whose predecessor it does not hold (consistency check) and hints where to resume', () => {
    const n = newNode('2', { voters: ['1', '2', '3'], terms: [1, 1, 2], term: 3 });
    n.raw.step(msg({ type: 'app', from: '1', to: '2', term: 3, index: 5, logTerm: 3, entries: [ent(3, 6)] }));
    const [r] = take(n.raw);
    expect(r).toMatchObject({ type: 'app-resp', reject: true, index: 5, rejectHint: 3, logTerm: 2 });
    // The hint skips every entry whose term is above the leader's logTerm.
    n.raw.step(msg({ type: 'app', from: '1', to: '2', term: 3, index: 3, logTerm: 1, entries: [ent(3, 4)] }));
    expect(take(n.raw)[0]).toMatchObject({ reject: true, rejectHint: 2, logTerm: 1 });
  });

  it('a follower deletes conflicting entries and everything after them, then appends', () => {
    const n = newNode('2', { voters: ['1', '2', '3'], terms: [1, 1, 2, 2, 2], term: 3 });
    n.raw.step(msg({ type: 'app', from: '1', to: '2', term: 3, index: 2, logTerm: 1, entries: [ent(3, 3), ent(3, 4)] }));
    persist(n);
    expect(logTerms(n.storage)).toEqual([1, 1, 3, 3]);
  });

  // Figure 7: a leader of term 8 brings each possible follower log in line with its own.
  it.each([
    ['a (missing entries)', [1, 1, 1, 4, 4, 5, 5, 6, 6]],
    ['b (missing many)', [1, 1, 1, 4]],
    ['c (extra uncommitted entry)', [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6]],
    ['d (extra entries of a later term)', [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7]],
    ['e (divergent term 4 tail)', [1, 1, 1, 4, 4, 4, 4]],
    ['f (divergent terms 2–3)', [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3]],
  ])('figure 7 %s: the leader overwrites the follower log with its own', (_name, followerTerms) => {
    const leaderTerms = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
    const leader = newNode('1', { voters: ['1', '2', '3'], terms: leaderTerms, term: 7 });
    const follower = newNode('2', { voters: ['1', '2', '3'], terms: followerTerms, term: 7 });
    const other = newNode('3', { voters: ['1', '2', '3'], terms: leaderTerms, term: 7 });
    const nodes = new Map<NodeId, typeof leader>([
      [id('1'), leader],
      [id('2'), follower],
      [id('3'), other],
    ]);
    leader.raw.campaign();
    settle(nodes);
    expect(leader.raw.raft.state).toBe('leader');
    expect(leader.raw.raft.term).toBe(8);
    expect(logTerms(follower.storage)).toEqual([...leaderTerms, 8]);
  });
});

describe('§5.4 safety', () => {
  it('a voter refuses a candidate whose log is less up to date (lower last term, or same term and shorter)', () => {
    const cases: Array<[number, number, boolean]> = [
      // [candidate last term, candidate last index, granted] against a voter log of terms [1,2,2]
      [1, 10, false],
      [2, 2, false],
      [2, 3, true],
      [2, 4, true],
      [3, 1, true],
    ];
    for (const [lastTerm, lastIndex, granted] of cases) {
      const n = newNode('1', { voters: ['1', '2', '3'], terms: [1, 2, 2], term: 2 });
      n.raw.step(msg({ type: 'vote', from: '2', to: '1', term: 3, index: lastIndex, logTerm: lastTerm }));
      expect(take(n.raw).map((m) => !m.reject)).toEqual([granted]);
    }
  });

  it('a leader commits entries of earlier terms only by committing one of its own term (figure 8)', () => {
    // Leader of term 4 holds an entry of term 2 at index 2 that a majority now stores.
    const n = newNode('1', { voters: ['1', '2', '3'], terms: [1, 2], term: 3, commit: 1 });
    n.raw.campaign();
    persist(n);
    n.raw.step(msg({ type: 'vote-resp', from: '3', to: '1', term: 4 }));
    expect(n.raw.raft.state).toBe('leader');
    const rd = n.raw.ready();
    n.storage.append(rd.entries);
    n.raw.advance(rd); // the leader's own empty entry (term 4, index 3) is durable
    n.raw.step(msg({ type: 'app-resp', from: '3', to: '1', term: 4, index: 2 }));
    expect(n.raw.raft.log.committed).toBe(1); // index 2 (term 2) is stored by a majority but not committed
    n.raw.step(msg({ type: 'app-resp', from: '3', to: '1', term: 4, index: 3 }));
    expect(n.raw.raft.log.committed).toBe(3); // committing index 3 (term 4) commits index 2 with it
  });

  it('leader completeness: only a candidate holding every committed entry can win', () => {
    // Entries up to 3 are committed on 1 and 2 (a majority). 3 lacks entry 3 and cannot be elected.
    const n1 = newNode('1', { voters: ['1', '2', '3'], terms: [1, 1, 1], term: 1, commit: 3 });
    const n2 = newNode('2', { voters: ['1', '2', '3'], terms: [1, 1, 1], term: 1, commit: 3 });
    const n3 = newNode('3', { voters: ['1', '2', '3'], terms: [1, 1], term: 1, commit: 2 });
    const nodes = new Map<NodeId, typeof n1>([
      [id('1'), n1],
      [id('2'), n2],
      [id('3'), n3],
    ]);
    n3.raw.campaign();
    settle(nodes);
    expect(n3.raw.raft.state).not.toBe('leader');
    n2.raw.campaign();
    settle(nodes);
    expect(n2.raw.raft.state).toBe('leader');
    expect(logTerms(n3.storage).slice(0, 3)).toEqual([1, 1, 1]);
  });

  it('state machine safety: committed entries are never replaced', () => {
    const n = newNode('2', { voters: ['1', '2', '3'], terms: [1, 1, 1], term: 2, commit: 3 });
    // An append below the commit point is answered with the commit index and changes nothing.
    n.raw.step(msg({ type: 'app', from: '1', to: '2', term: 3, index: 1, logTerm: 1, commit: 3, entries: [ent(3, 2)] }));
    expect(take(n.raw)[0]).toMatchObject({ type: 'app-resp', reject: false, index: 3 });
    persist(n);
    expect(logTerms(n.storage)).toEqual([1, 1, 1]);
    // And the log itself refuses to truncate a committed entry (that would be a safety violation).
    let err: unknown;
    try {
      n.raw.raft.log.maybeAppend(1, 1, 3, [ent(3, 2)]);
    } catch (e) {
      err = e;
    }
    expect(isCodedError(err, 'INTERNAL')).toBe(true);
  });

  it('a leader without a quorum stops accepting proposals once too many are uncommitted', () => {
    const n = newNode('1', { voters: ['1', '2', '3'], term: 1 });
    elect(n, ['2']);
    const raw = n.raw as unknown as { raft: { maxUncommitted: number } };
    raw.raft.maxUncommitted = 3;
    persist(n);
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) {
      try {
        n.raw.propose(enc.encode(`p${i}`));
        codes.push('ok');
      } catch (e) {
        codes.push(isCodedError(e) ? e.code : 'other');
      }
    }
    // The leader's own empty entry is uncommitted too: two proposals fit, then the cap applies.
    expect(codes).toEqual(['ok', 'ok', 'PROPOSAL_DROPPED', 'PROPOSAL_DROPPED', 'PROPOSAL_DROPPED']);
  });

  it('proposals on a follower fail with NOT_LEADER naming the known leader and its address', () => {
    const n = newNode('2', { voters: ['1', '2', '3'], term: 1 });
    n.raw.step(msg({ type: 'heartbeat', from: '1', to: '2', term: 1 }));
    let err: unknown;
    try {
      n.raw.propose(enc.encode('x'));
    } catch (e) {
      err = e;
    }
    expect(isCodedError(err, 'NOT_LEADER')).toBe(true);
    expect((err as { leader: unknown }).leader).toEqual({ id: '1', address: '127.0.3.1:9894' });
  });
});
