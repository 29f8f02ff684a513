/** PendingRequests on its own: how each kind of request is settled by the log, a step-down, a snapshot and an abort. */
import { describe, expect, it } from 'vitest';
import { PendingRequests } from '../../../src/scm/driver/pending-requests.js';
import { RaftError, notLeader } from '../../../src/scm/raft/raft-error.js';
import { nodeId } from '../../../src/scm/raft/types.js';

const self = nodeId('n1');
const ctx = (key: string): Uint8Array => new TextEncoder().encode(key);

type Outcome<T> = { value?: T; error?: unknown } | 'pending';

/** Observes `p` from its creation; the returned function gives its outcome once the queued callbacks ran. */
function watch<T>(p: Promise<T>): () => Promise<Outcome<T>> {
  let out: Outcome<T> = 'pending';
  p.then(
    (value) => (out = { value }),
    (error: unknown) => (out = { error }),
  );
  return async () => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    return out;
  };
}

function codeOf(o: Outcome<unknown>): string | undefined {
  return o === 'pending' ? undefined : (o.error as RaftError | undefined)?.code;
}

describe('PendingRequests', () => {
  it('resolves a proposal with the result when its entry applies under the same term, drops it under another', async () => {
    const pending = new PendingRequests<string>(self);
    const kept = watch(pending.proposal({ index: 5, term: 2 }));
    const replaced = watch(pending.proposal({ index: 6, term: 2 }));
    pending.applied(5, 2, 'ok');
    pending.applied(6, 3, 'someone else');
    expect(await kept()).toEqual({ value: 'ok' });
    expect(codeOf(await replaced())).toBe('PROPOSAL_DROPPED');
  });

  it('a second request for the same index drops the first', async () => {
    const pending = new PendingRequests<string>(self);
    const first = watch(pending.proposal({ index: 7, term: 1 }));
    const second = watch(pending.proposal({ index: 7, term: 2 }));
    expect(codeOf(await first())).toBe('PROPOSAL_DROPPED');
    expect(await second()).toBe('pending');
  });

  it('serves a read only once a quorum confirmed it and its index is applied', async () => {
    const pending = new PendingRequests<string>(self);
    const key = pending.nextReadKey();
    expect(pending.nextReadKey()).not.toBe(key);
    const read = watch(pending.read(key));
    pending.serveReads(100);
    expect(await read()).toBe('pending');
    pending.confirmRead(ctx(key), 10);
    pending.serveReads(9);
    expect(await read()).toBe('pending');
    pending.serveReads(10);
    expect(await read()).toEqual({ value: 10 });
  });

  it('a step-down fails proposals, membership changes and unconfirmed reads, and keeps confirmed reads', async () => {
    const pending = new PendingRequests<string>(self);
    const proposal = watch(pending.proposal({ index: 3, term: 1 }));
    const change = watch(pending.confChange({ index: 4, term: 1 }));
    const unconfirmed = watch(pending.read(pending.nextReadKey()));
    const confirmedKey = pending.nextReadKey();
    const confirmed = watch(pending.read(confirmedKey));
    pending.confirmRead(ctx(confirmedKey), 2);
    pending.failOnStepDown(notLeader(self, { id: nodeId('n2'), address: '127.0.3.2:9894' }));
    for (const p of [proposal, change, unconfirmed]) {
      expect(codeOf(await p())).toBe('NOT_LEADER');
    }
    expect(await confirmed()).toBe('pending');
    pending.serveReads(2);
    expect(await confirmed()).toEqual({ value: 2 });
  });

  it('a snapshot makes covered proposals unknown and covered membership changes done; later ones wait', async () => {
    const pending = new PendingRequests<string>(self);
    const covered = watch(pending.proposal({ index: 10, term: 1 }));
    const later = watch(pending.proposal({ index: 11, term: 1 }));
    const change = watch(pending.confChange({ index: 9, term: 1 }));
    pending.coveredBySnapshot(10);
    expect(codeOf(await covered())).toBe('PROPOSAL_UNKNOWN');
    expect(await change()).toEqual({ value: undefined });
    expect(await later()).toBe('pending');
  });

  it("ends a request with its signal's reason, and failAll ends everything else", async () => {
    const pending = new PendingRequests<string>(self);
    const ac = new AbortController();
    const aborted = watch(pending.proposal({ index: 1, term: 1 }, ac.signal));
    const other = watch(pending.read(pending.nextReadKey()));
    ac.abort(new Error('caller gave up'));
    expect(await aborted()).toEqual({ error: new Error('caller gave up') });
    pending.applied(1, 1, 'late');
    pending.failAll(new RaftError('RAFT_CLOSED', 'closed'));
    expect(codeOf(await other())).toBe('RAFT_CLOSED');
  });
});
