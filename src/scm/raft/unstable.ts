/**
 * Entries (and at most one snapshot) the core has accepted but the driver has not yet made durable.
 * `offset` is the index of entries[0]; everything below it is in LogStorage. Entries leave this buffer
 * only through `stableTo`, after the driver persisted them (Ready → advance).
 */
import type { Entry, LogIndex, Snapshot, Term } from './types.js';

export class Unstable {
  snapshot: Snapshot | null = null;
  entries: Entry[] = [];

  constructor(public offset: LogIndex) {}

  maybeFirstIndex(): LogIndex | null {
    return this.snapshot ? this.snapshot.meta.index + 1 : null;
  }

  maybeLastIndex(): LogIndex | null {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1;
    return this.snapshot ? this.snapshot.meta.index : null;
  }

  maybeTerm(index: LogIndex): Term | null {
    if (index < this.offset) {
      return this.snapshot && this.snapshot.meta.index === index ? this.snapshot.meta.term : null;
    }
    const last = this.maybeLastIndex();
    if (last === null || index > last) return null;
    return this.entries[index - this.offset]!.term;
  }

  /** Entries up to (index, term) are durable; a mismatch means they were replaced meanwhile and stay. */
  stableTo(index: LogIndex, term: Term): void {
    const t = this.maybeTerm(index);
    if (t === null || t !== term || index < this.offset) return;
    this.entries = this.entries.slice(index + 1 - this.offset);
    this.offset = index + 1;
  }

  stableSnapTo(index: LogIndex): void {
    if (this.snapshot && this.snapshot.meta.index === index) this.snapshot = null;
  }

  restore(snapshot: Snapshot): void {
    this.offset = snapshot.meta.index + 1;
    this.entries = [];
    this.snapshot = snapshot;
  }

  truncateAndAppend(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const after = entries[0]!.index;
    if (after === this.offset + this.entries.length) {
      for (const e of entries) this.entries.push(e);
    } else if (after <= this.offset) {
      this.offset = after;
      this.entries = [...entries];
    } else {
      this.entries = [...this.entries.slice(0, after - this.offset), ...entries];
    }
  }

  /** Entries in [lo, hi) held here; lo ≥ offset. */
  slice(lo: LogIndex, hi: LogIndex): Entry[] {
    return this.entries.slice(lo - this.offset, hi - this.offset);
  }
}
