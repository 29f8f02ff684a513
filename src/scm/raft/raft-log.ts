/**
 * The core's log: durable entries (LogStorage, read-only here) followed by unstable ones (Unstable),
 * plus the commit and apply cursors.
 *
 * Invariants: applied ≤ committed ≤ lastIndex; committed entries are never truncated (an attempt is an
 * INTERNAL error: it would mean a safety violation or corrupt storage). Committed entries are handed out
 * for applying only once they are also durable locally (≤ the last stable index).
 */
import type { LogStorage } from './log-storage.js';
import { internal } from './raft-error.js';
import { Unstable } from './unstable.js';
import { entryBytes, type Entry, type LogIndex, type Snapshot, type Term } from './types.js';

export class RaftLog {
  readonly unstable: Unstable;
  committed: LogIndex;
  /** Highest index the driver reported applied (advance). */
  applied: LogIndex;
  /** Highest index handed out in a Ready for applying (≥ applied). */
  applying: LogIndex;

  constructor(
    readonly storage: LogStorage,
    readonly maxApplyBytes: number,
  ) {
    const first = storage.firstIndex();
    const last = storage.lastIndex();
    this.unstable = new Unstable(last + 1);
    this.committed = first - 1;
    this.applied = first - 1;
    this.applying = first - 1;
  }

  firstIndex(): LogIndex {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): LogIndex {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  /** The last index that is durable locally (storage), given nothing unstable shadows it. */
  stableLastIndex(): LogIndex {
    if (this.unstable.snapshot) return 0;
    return this.unstable.offset - 1;
  }

  lastTerm(): Term {
    return this.term(this.lastIndex()) ?? 0;
  }

  /** Term at index, or null when it is compacted away or beyond the end. */
  term(index: LogIndex): Term | null {
    const dummy = this.firstIndex() - 1;
    if (index < dummy || index > this.lastIndex()) return null;
    const t = this.unstable.maybeTerm(index);
    if (t !== null) return t;
    return this.storage.term(index);
  }

  matchTerm(index: LogIndex, term: Term): boolean {
    return this.term(index) === term;
  }

  isUpToDate(lastIndex: LogIndex, term: Term): boolean {
    const ourTerm = this.lastTerm();
    return term > ourTerm || (term === ourTerm && lastIndex >= this.lastIndex());
  }

  /** Entries from lo to the end, about maxBytes; null if lo is compacted away. */
  entriesFrom(lo: LogIndex, maxBytes: number): Entry[] | null {
    if (lo > this.lastIndex()) return [];
    return this.slice(lo, this.lastIndex() + 1, maxBytes);
  }

  /** Entries in [lo, hi) limited to about maxBytes (at least one); null if lo is compacted away. */
  slice(lo: LogIndex, hi: LogIndex, maxBytes: number): Entry[] | null {
    if (lo < this.firstIndex()) return null;
    if (hi > this.lastIndex() + 1) throw internal(`slice [${lo}, ${hi}) beyond last index ${this.lastIndex()}`);
    if (lo >= hi) return [];
    const out: Entry[] = [];
    const uOff = this.unstable.offset;
    if (lo < uOff) {
      const stored = this.storage.entries(lo, Math.min(hi, uOff), maxBytes);
      out.push(...stored);
      if (stored.length < Math.min(hi, uOff) - lo) return out;
    }
    if (hi > uOff) {
      let size = out.reduce((n, e) => n + entryBytes(e), 0);
      for (const e of this.unstable.slice(Math.max(lo, uOff), hi)) {
        size += entryBytes(e);
        if (out.length > 0 && size > maxBytes) break;
        out.push(e);
      }
    }
    return out;
  }

  /** First index among `entries` whose term differs from ours, or that we do not have; 0 if none. */
  findConflict(entries: readonly Entry[]): LogIndex {
    for (const e of entries) {
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /**
   * The largest index ≤ `index` whose term is ≤ `term` (with that term), used to skip whole terms when a
   * follower rejects an append. Falls back to (firstIndex-1, its term) at the compaction boundary.
   */
  findConflictByTerm(index: LogIndex, term: Term): [LogIndex, Term] {
    for (let i = index; ; i--) {
      const t = this.term(i);
      if (t === null) return [i, 0];
      if (t <= term) return [i, t];
    }
  }

  /**
   * The follower's side of AppendEntries: if our log has (index, logTerm), append `entries` (truncating a
   * conflicting suffix) and advance commit to min(commit, last new index). Returns the last new index, or
   * null when the consistency check fails.
   */
  maybeAppend(index: LogIndex, logTerm: Term, commit: LogIndex, entries: readonly Entry[]): LogIndex | null {
    if (!this.matchTerm(index, logTerm)) return null;
    const lastNew = index + entries.length;
    const ci = this.findConflict(entries);
    if (ci !== 0) {
      if (ci <= this.committed) throw internal(`entry ${ci} conflicts with committed entry (committed ${this.committed})`);
      this.append(entries.slice(ci - index - 1));
    }
    this.commitTo(Math.min(commit, lastNew));
    return lastNew;
  }

  append(entries: readonly Entry[]): LogIndex {
    if (entries.length === 0) return this.lastIndex();
    const after = entries[0]!.index - 1;
    if (after < this.committed) throw internal(`append after ${after} is below committed ${this.committed}`);
    this.unstable.truncateAndAppend(entries);
    return this.lastIndex();
  }

  commitTo(index: LogIndex): void {
    if (index <= this.committed) return;
    if (index > this.lastIndex()) throw internal(`commit ${index} is beyond the last index ${this.lastIndex()} (log lost or corrupt?)`);
    this.committed = index;
  }

  /** Commits `index` if it is newer and was written in `term` (Raft §5.4.2: only current-term entries commit by counting). */
  maybeCommit(index: LogIndex, term: Term): boolean {
    if (index > this.committed && this.term(index) === term) {
      this.commitTo(index);
      return true;
    }
    return false;
  }

  /** Highest index that may be handed out for applying: committed and durable. */
  private maxApplicable(): LogIndex {
    return Math.min(this.committed, this.unstable.offset - 1);
  }

  hasNextCommittedEntries(): boolean {
    const lo = Math.max(this.applying + 1, this.firstIndex());
    return lo <= this.maxApplicable() && !this.unstable.snapshot;
  }

  nextCommittedEntries(): Entry[] {
    if (this.unstable.snapshot) return [];
    const lo = Math.max(this.applying + 1, this.firstIndex());
    const hi = this.maxApplicable() + 1;
    if (lo >= hi) return [];
    return this.slice(lo, hi, this.maxApplyBytes) ?? [];
  }

  acceptApplying(index: LogIndex): void {
    if (index > this.applying) this.applying = index;
  }

  appliedTo(index: LogIndex): void {
    if (index <= this.applied) return;
    if (index > this.committed) throw internal(`applied ${index} is beyond committed ${this.committed}`);
    this.applied = index;
    if (this.applying < index) this.applying = index;
  }

  /** Install a snapshot received from the leader: the whole log is replaced. */
  restore(snapshot: Snapshot): void {
    this.committed = snapshot.meta.index;
    this.unstable.restore(snapshot);
  }

  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  stableTo(index: LogIndex, term: Term): void {
    this.unstable.stableTo(index, term);
  }

  stableSnapTo(index: LogIndex): void {
    this.unstable.stableSnapTo(index);
  }
}
