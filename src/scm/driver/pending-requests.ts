/**
 * The requests a RaftNode holds until its log answers them (docs/raft.md §2.4):
 *   - proposals and membership changes, keyed by the log index the core gave them, waiting for that entry
 *     to be applied here; the term decides the outcome (the same index under another term means a newer
 *     leader replaced the entry: PROPOSAL_DROPPED);
 *   - ReadIndex reads, keyed by their context, waiting first for a quorum to confirm the leadership (which
 *     gives them an index), then for this node to apply up to that index.
 * Each request also ends when its caller's AbortSignal fires. Nothing here talks to the core, the network
 * or the clock: raft-node.ts tracks requests, the Ready loop confirms reads, the apply pipeline settles
 * entries and snapshots, and a leader stepping down or the node stopping fails whatever is left.
 * Synchronous throughout: settling a request is a resolve/reject, never an await.
 */
import { RaftError } from '../raft/raft-error.js';
import type { LogIndex, NodeId, Term } from '../raft/types.js';

interface PendingProposal<T> {
  readonly term: Term;
  readonly resolve: (value: T) => void;
  readonly reject: (err: unknown) => void;
}

interface PendingRead {
  index: LogIndex | null;
  readonly resolve: (index: LogIndex) => void;
  readonly reject: (err: unknown) => void;
}

/** The error a request rejects with when its caller's signal aborts it. */
export function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('aborted', 'AbortError');
}

export class PendingRequests<R> {
  private readonly proposals = new Map<LogIndex, PendingProposal<R>>();
  private readonly confChanges = new Map<LogIndex, PendingProposal<void>>();
  private readonly reads = new Map<string, PendingRead>();
  private readSeq = 0;

  constructor(private readonly self: NodeId) {}

  /** Waits for the proposal the core placed `at`; resolves with the applier's result once applied here. */
  proposal(at: { index: LogIndex; term: Term }, signal?: AbortSignal): Promise<R> {
    return track(this.proposals, at, signal);
  }

  /** Waits for the membership change the core placed `at` to be applied here. */
  confChange(at: { index: LogIndex; term: Term }, signal?: AbortSignal): Promise<void> {
    return track(this.confChanges, at, signal);
  }

  /** A fresh ReadIndex context (unique on this node) for the core's readIndex. */
  nextReadKey(): string {
    return `${this.self}/${++this.readSeq}`;
  }

  /** Waits for the read `key` to be confirmed and applied; resolves with its index. */
  read(key: string, signal?: AbortSignal): Promise<LogIndex> {
    return new Promise<LogIndex>((resolve, reject) => {
      const onAbort = (): void => {
        this.reads.delete(key);
        reject(abortError(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.reads.set(key, {
        index: null,
        resolve: (i) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(i);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      });
    });
  }

  /** A quorum confirmed the read with this context (a Ready's read state): it is served once `index` is applied. */
  confirmRead(context: Uint8Array, index: LogIndex): void {
    const r = this.reads.get(new TextDecoder().decode(context));
    if (r) r.index = index;
  }

  /** Resolves the confirmed reads whose index is applied. */
  serveReads(applied: LogIndex): void {
    for (const [key, r] of this.reads) {
      if (r.index !== null && r.index <= applied) {
        this.reads.delete(key);
        r.resolve(r.index);
      }
    }
  }

  /** The entry (index, term) was applied here: settles the request waiting for that index, if any. */
  applied(index: LogIndex, term: Term, result: R | undefined): void {
    const p = this.proposals.get(index);
    if (p) {
      this.proposals.delete(index);
      if (p.term === term) p.resolve(result as R);
      else p.reject(new RaftError('PROPOSAL_DROPPED', `the proposal at index ${index} was replaced by a newer leader's entry`, { hint: 'retry the request' }));
    }
    const c = this.confChanges.get(index);
    if (c) {
      this.confChanges.delete(index);
      if (c.term === term) c.resolve();
      else c.reject(new RaftError('PROPOSAL_DROPPED', `the membership change at index ${index} was replaced by a newer leader's entry`, { hint: 'retry the change' }));
    }
  }

  /**
   * A leader's snapshot up to `index` replaced the log here: proposals it covers have an unknown outcome
   * (PROPOSAL_UNKNOWN); membership changes it covers are in effect (the snapshot's membership holds them).
   */
  coveredBySnapshot(index: LogIndex): void {
    const outcome = new RaftError('PROPOSAL_UNKNOWN', 'this node installed a snapshot covering the proposal; its outcome is unknown here', { hint: 'retry only if the command is idempotent' });
    for (const [i, p] of this.proposals) {
      if (i <= index) {
        this.proposals.delete(i);
        p.reject(outcome);
      }
    }
    for (const [i, p] of this.confChanges) {
      if (i <= index) {
        this.confChanges.delete(i);
        p.resolve();
      }
    }
  }

  /**
   * A leader stepped down: every proposal, membership change and unconfirmed read fails with `err`
   * (NOT_LEADER with the hint). Reads already confirmed by a quorum stay, to be served once applied.
   */
  failOnStepDown(err: Error): void {
    for (const [key, r] of this.reads) {
      if (r.index === null) {
        this.reads.delete(key);
        r.reject(err);
      }
    }
    for (const p of this.proposals.values()) p.reject(err);
    this.proposals.clear();
    for (const p of this.confChanges.values()) p.reject(err);
    this.confChanges.clear();
  }

  /** The node stops: everything pending fails with `err`. */
  failAll(err: Error): void {
    for (const p of this.proposals.values()) p.reject(err);
    this.proposals.clear();
    for (const p of this.confChanges.values()) p.reject(err);
    this.confChanges.clear();
    for (const r of this.reads.values()) r.reject(err);
    this.reads.clear();
  }
}

/** Registers a request for the entry at `at.index`; a request still waiting there was replaced (PROPOSAL_DROPPED). */
function track<T>(table: Map<LogIndex, PendingProposal<T>>, at: { index: LogIndex; term: Term }, signal?: AbortSignal): Promise<T> {
  const previous = table.get(at.index);
  if (previous) {
    table.delete(at.index);
    previous.reject(new RaftError('PROPOSAL_DROPPED', `the entry at index ${at.index} was replaced`, { hint: 'retry the request' }));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      if (table.get(at.index) === entry) table.delete(at.index);
      reject(abortError(signal!));
    };
    const entry: PendingProposal<T> = {
      term: at.term,
      resolve: (v) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(v);
      },
      reject: (e) => {
        signal?.removeEventListener('abort', onAbort);
        reject(e);
      },
    };
    table.set(at.index, entry);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
