/**
 * Ids that never repeat (SIG, §6; HDDS-8973/HDDS-5015 must not exist here). Each sequence keeps an
 * in-memory batch [next, last] reserved through a replicated CAS `allocateBatch(expected, new)`.
 * A batch is tagged with the term it was reserved in and is used only while this node is still leader
 * in that term; every role change drops all batches. A new batch always starts after the last id stored
 * in the replicated state, which a leader-ready node has fully applied — so an id handed out by any
 * earlier leader can never be handed out again.
 */
import { CodedError } from '../../common/coded-error.js';
import type { Replicator } from '../replication/replicator.js';
import { NotLeaderError } from '../replication/replication-error.js';
import type { SequenceIdType } from '../state/records.js';
import type { StateView } from '../state/scm-state.js';

export class SequenceIdError extends CodedError<'SEQUENCE_ID_CONFLICT'> {}

interface Batch {
  next: number;
  readonly last: number;
  readonly term: number;
}

export class SequenceIdGenerator {
  private readonly batches = new Map<SequenceIdType, Batch>();
  private readonly locks = new Map<SequenceIdType, Promise<unknown>>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly replicator: Replicator,
    private readonly view: () => StateView,
    private readonly batchSize: number,
  ) {
    this.unsubscribe = replicator.onRoleChange(() => this.invalidate());
  }

  /** Drops every in-memory batch (called on any role change). */
  invalidate(): void {
    this.batches.clear();
  }

  /** The next id of a sequence; reserves a new batch through the replicator when needed. */
  next(type: SequenceIdType, options: { signal?: AbortSignal } = {}): Promise<number> {
    const prev = this.locks.get(type) ?? Promise.resolve();
    const run = prev.catch(() => {}).then(() => this.nextLocked(type, options));
    this.locks.set(type, run);
    return run;
  }

  /**
   * Reserves `count` consecutive ids of a sequence in one replicated CAS (bulk creation), without touching
   * the in-memory batch: the CAS starts after the last reserved id, which includes that batch.
   */
  reserve(type: SequenceIdType, count: number, options: { signal?: AbortSignal } = {}): Promise<{ first: number; last: number }> {
    const prev = this.locks.get(type) ?? Promise.resolve();
    const run = prev.catch(() => {}).then(async () => {
      for (let attempt = 0; attempt < 5; attempt++) {
        if (!this.replicator.isLeaderReady()) throw new NotLeaderError(this.replicator.role(), this.replicator.leaderHint());
        const expected = this.view().sequence(type);
        const res = await this.replicator.submit({ type: 'allocateBatch', sequence: type, expectedLastId: expected, newLastId: expected + count }, options);
        if (res.ok) return { first: expected + 1, last: expected + count };
        if (res.code !== 'SEQUENCE_CONFLICT') throw new SequenceIdError('SEQUENCE_ID_CONFLICT', res.message);
      }
      throw new SequenceIdError('SEQUENCE_ID_CONFLICT', `could not reserve ${count} ${type} ids after 5 attempts (concurrent leaders?)`);
    });
    this.locks.set(type, run);
    return run;
  }

  private async nextLocked(type: SequenceIdType, options: { signal?: AbortSignal }): Promise<number> {
    for (let attempt = 0; attempt < 5; attempt++) {
      if (!this.replicator.isLeaderReady()) throw new NotLeaderError(this.replicator.role(), this.replicator.leaderHint());
      const term = this.replicator.term();
      const b = this.batches.get(type);
      if (b && b.term === term && b.next <= b.last) return b.next++;
      const size = type === 'CertificateId' ? 1 : this.batchSize;
      const expected = this.view().sequence(type);
      const res = await this.replicator.submit({ type: 'allocateBatch', sequence: type, expectedLastId: expected, newLastId: expected + size }, options);
      if (res.ok) {
        if (this.replicator.term() !== term) continue; // leadership changed meanwhile: never use that batch
        this.batches.set(type, { next: expected + 1, last: expected + size, term });
        continue;
      }
      if (res.code !== 'SEQUENCE_CONFLICT') throw new SequenceIdError('SEQUENCE_ID_CONFLICT', res.message);
    }
    throw new SequenceIdError('SEQUENCE_ID_CONFLICT', `could not reserve a ${type} batch after 5 attempts (concurrent leaders?)`);
  }

  close(): void {
    this.unsubscribe();
    this.batches.clear();
  }
}
