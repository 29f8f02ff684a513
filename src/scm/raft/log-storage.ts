/**
 * The core's read-only view of the durable log, and `MemoryStorage`, its in-memory implementation.
 *
 * Ownership: the core only reads storage. The driver (or a test harness) writes to it, after the bytes
 * are durable: `append` the Ready's entries, `applySnapshot` the Ready's snapshot, `setHardState`,
 * `compact` after taking a snapshot. Layout: a dummy position at `firstIndex() - 1` keeps the term of the
 * last compacted entry (or of the snapshot) so the log-matching check works at the boundary.
 */
import { internal } from './raft-error.js';
import { emptyHardState, emptySnapshot, type ConfState, type Entry, type HardState, type LogIndex, type Snapshot, type Term, entryBytes } from './types.js';

export interface LogStorage {
  /** Hard state and membership as of the last snapshot (conf changes after it are replayed by the driver). */
  initialState(): { hardState: HardState; confState: ConfState };
  firstIndex(): LogIndex;
  lastIndex(): LogIndex;
  /** Term at `index`, for firstIndex()-1 ≤ index ≤ lastIndex(); null outside that range (compacted or absent). */
  term(index: LogIndex): Term | null;
  /** Entries in [lo, hi), firstIndex() ≤ lo ≤ hi ≤ lastIndex()+1, at least one if any, at most about maxBytes. */
  entries(lo: LogIndex, hi: LogIndex, maxBytes: number): Entry[];
  /** The most recent snapshot (emptySnapshot if none). */
  snapshot(): Snapshot;
}

export class MemoryStorage implements LogStorage {
  private hard: HardState = emptyHardState;
  private snap: Snapshot = emptySnapshot;
  /** ents[0] is the dummy at offset; ents[i] has index offset + i. */
  private ents: Array<{ term: Term; entry: Entry | null }> = [{ term: 0, entry: null }];
  private offset: LogIndex = 0;

  initialState(): { hardState: HardState; confState: ConfState } {
    return { hardState: this.hard, confState: this.snap.meta.confState };
  }

  hardState(): HardState {
    return this.hard;
  }

  setHardState(hs: HardState): void {
    this.hard = hs;
  }

  firstIndex(): LogIndex {
    return this.offset + 1;
  }

  lastIndex(): LogIndex {
    return this.offset + this.ents.length - 1;
  }

  term(index: LogIndex): Term | null {
    if (index < this.offset || index > this.lastIndex()) return null;
    return this.ents[index - this.offset]!.term;
  }

  entries(lo: LogIndex, hi: LogIndex, maxBytes: number): Entry[] {
    if (lo < this.firstIndex() || hi > this.lastIndex() + 1 || lo > hi) {
      throw internal(`storage entries [${lo}, ${hi}) outside [${this.firstIndex()}, ${this.lastIndex() + 1})`);
    }
    const out: Entry[] = [];
    let size = 0;
    for (let i = lo; i < hi; i++) {
      const e = this.ents[i - this.offset]!.entry!;
      size += entryBytes(e);
      if (out.length > 0 && size > maxBytes) break;
      out.push(e);
    }
    return out;
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /** Appends durable entries; entries at or after the first new index are replaced (truncation). */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = entries[0]!.index;
    if (first <= this.offset) {
      // Entries already covered by a compaction/snapshot: keep only the tail beyond it.
      const tail = entries.filter((e) => e.index > this.offset);
      if (tail.length === 0) return;
      this.append(tail);
      return;
    }
    if (first > this.lastIndex() + 1) throw internal(`storage append at ${first} leaves a gap after ${this.lastIndex()}`);
    this.ents.length = first - this.offset;
    for (const e of entries) this.ents.push({ term: e.term, entry: e });
  }

  /** Replaces the whole log with a snapshot (the entries it covers are gone). */
  applySnapshot(snapshot: Snapshot): void {
    if (snapshot.meta.index < this.snap.meta.index) throw internal(`snapshot ${snapshot.meta.index} is older than ${this.snap.meta.index}`);
    this.snap = snapshot;
    this.offset = snapshot.meta.index;
    this.ents = [{ term: snapshot.meta.term, entry: null }];
  }

  /** Records a snapshot taken locally, without touching the entries. */
  setSnapshot(snapshot: Snapshot): void {
    this.snap = snapshot;
  }

  /** Drops entries ≤ index; index must be ≤ lastIndex(). */
  compact(index: LogIndex): void {
    if (index <= this.offset) return;
    if (index > this.lastIndex()) throw internal(`compact ${index} beyond last index ${this.lastIndex()}`);
    const term = this.term(index)!;
    this.ents = [{ term, entry: null }, ...this.ents.slice(index - this.offset + 1)];
    this.offset = index;
  }

  /** Restores storage wholesale (restart from a durable store). `compactedTerm` is the term at firstIndex-1. */
  static restore(state: { hardState: HardState; snapshot: Snapshot; compactedIndex: LogIndex; compactedTerm: Term; entries: readonly Entry[] }): MemoryStorage {
    const s = new MemoryStorage();
    s.hard = state.hardState;
    s.snap = state.snapshot;
    s.offset = state.compactedIndex;
    s.ents = [{ term: state.compactedTerm, entry: null }];
    for (const e of state.entries) {
      if (e.index !== s.lastIndex() + 1) throw internal(`restored entries are not contiguous at ${e.index}`);
      s.ents.push({ term: e.term, entry: e });
    }
    return s;
  }
}
