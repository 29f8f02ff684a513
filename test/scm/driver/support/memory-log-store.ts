/**
 * An in-memory RaftLogStore for fast driver tests: the same contract as the LevelDB store (atomic save
 * with truncation, snapshot install, compaction), state kept across close/reopen by reusing the object.
 */
import { emptyHardState, emptySnapshot, type Entry, type HardState, type NodeId, type Snapshot } from '../../../../src/scm/raft/index.js';
import type { RaftLogState, RaftLogStore, RaftLogUpdate } from '../../../../src/scm/storage/raft-log-store.js';

export class MemoryLogStore implements RaftLogStore {
  readonly location: string;
  hardState: HardState = emptyHardState;
  snapshot: Snapshot = emptySnapshot;
  compactedIndex = 0;
  compactedTerm = 0;
  entries: Entry[] = [];
  installing: number | null = null;
  saves = 0;
  syncs = 0;

  constructor(
    readonly groupId: string,
    readonly nodeId: NodeId,
  ) {
    this.location = `memory:${groupId}/${nodeId}`;
  }

  async load(): Promise<RaftLogState> {
    // Like the LevelDB store: the lazily written commit index is at least the snapshot's.
    const hardState = { ...this.hardState, commit: Math.max(this.hardState.commit, this.snapshot.meta.index) };
    return { hardState, snapshot: this.snapshot, compactedIndex: this.compactedIndex, compactedTerm: this.compactedTerm, entries: [...this.entries], installing: this.installing };
  }

  async markInstalling(index: number): Promise<void> {
    this.installing = Math.max(this.installing ?? 0, index);
  }

  async save(update: RaftLogUpdate, options: { sync: boolean }): Promise<void> {
    this.saves++;
    if (options.sync) this.syncs++;
    if (update.snapshot) {
      this.snapshot = update.snapshot;
      this.compactedIndex = update.snapshot.meta.index;
      this.compactedTerm = update.snapshot.meta.term;
      this.entries = [];
    }
    const es = (update.entries ?? []).filter((e) => e.index > this.compactedIndex);
    if (es.length > 0) {
      const keep = es[0]!.index - this.compactedIndex - 1;
      if (keep > this.entries.length) throw new Error(`gap: saving ${es[0]!.index} after ${this.compactedIndex + this.entries.length}`);
      this.entries = [...this.entries.slice(0, keep), ...es];
    }
    if (update.hardState) this.hardState = update.hardState;
  }

  async saveSnapshot(snapshot: Snapshot, compactTo: { index: number; term: number } | null): Promise<void> {
    this.snapshot = snapshot;
    if (compactTo && compactTo.index > this.compactedIndex) {
      this.entries = this.entries.slice(compactTo.index - this.compactedIndex);
      this.compactedIndex = compactTo.index;
      this.compactedTerm = compactTo.term;
    }
  }

  async isEmpty(): Promise<boolean> {
    return this.hardState.term === 0 && this.snapshot.meta.index === 0 && this.entries.length === 0;
  }

  async close(): Promise<void> {}
}
