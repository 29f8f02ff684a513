/**
 * The apply side of a RaftNode (docs/raft.md §4): everything between "committed and durable here" and
 * "the applier has it".
 *
 *   apply queue   committed entries are applied by one sequential worker as soon as they are committed and
 *                 durable here, independently of the Ready loop's persistence (whose fsync of newer entries
 *                 they need not wait for); the core counts them applied only once the applier has
 *                 applied them. Each applied entry settles the request waiting for it (pending-requests.ts).
 *   snapshots     taken here, at an exact applied point, after enough entries (written and the log compacted
 *                 in the background, one at a time); installed here when the Ready loop receives a
 *                 leader's snapshot (restore retried until it succeeds or the node closes).
 *   start-up      recoverApplier brings the applier level with the log before the core starts.
 *
 * It owns what "applied" means on this node: the applied index, the applied membership (ConfState) and
 * the floor below which the applier already holds the entries (restart, checkpoint). The node
 * (raft-node.ts) reads them; what an applied batch changes outside (membership, events, reads, the Ready
 * loop's wake-up) goes through ApplyHost. Synchronous up to the applier's own awaits: pumping the
 * committed entries never waits.
 */
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { decodeConfChange, memberOf } from '../raft/conf-change.js';
import type { MemoryStorage } from '../raft/log-storage.js';
import type { RawNode } from '../raft/raw-node.js';
import type { ConfState, Entry, LogIndex, NodeId, Snapshot } from '../raft/types.js';
import { REJOIN_HINT, RaftStorageError, type RaftLogState, type RaftLogStore } from '../storage/raft-log-store.js';
import { asFatal, type NodeLifecycle } from './node-lifecycle.js';
import type { PendingRequests } from './pending-requests.js';
import type { RaftCounters } from './raft-status.js';
import type { SnapshotSource, RaftApplier } from './raft-applier.js';

/** What an applied batch changes outside the pipeline; implemented by raft-node.ts. */
export interface ApplyHost {
  /** A batch was applied (one holding a membership change if `membershipChanged`): update membership, announce, serve reads. */
  batchApplied(membershipChanged: boolean): void;
  /** The core moved (entries counted applied): wake the Ready loop. */
  notify(): void;
  /** Stop the node on a fatal error. */
  die(err: Error): void;
}

export interface ApplyPipelineOptions<R> {
  readonly applier: RaftApplier<R>;
  readonly store: RaftLogStore;
  readonly clock: Clock;
  readonly log: Logger;
  readonly counters: RaftCounters;
  readonly life: NodeLifecycle;
  readonly pending: PendingRequests<R>;
  /** Addresses learned from senders, to name a snapshot's sender when the membership does not. */
  readonly learned: ReadonlyMap<NodeId, string>;
  /** Aborted by close(): ends a snapshot restore and its retries. */
  readonly restoreSignal: AbortSignal;
  readonly snapshotThreshold: number;
  readonly compactionMargin: number;
  readonly host: ApplyHost;
}

/**
 * Brings the applier level with the log at start-up and returns the index up to which it holds the
 * entries. Entries reach the applier only after they are durable here, so an applier ahead of
 * the log means the log lost entries this node acknowledged (deleted, truncated, an old copy restored) —
 * unless it holds state installed from elsewhere (a leader's snapshot, a checkpoint newer than it), up to
 * the index the install marker records. Starting would let the leader count this node's lost
 * acknowledgements toward a quorum: RAFT_LOG_LOST instead. An applier behind the log's snapshot
 * restores it (`from: null`).
 */
export async function recoverApplier<R>(state: RaftLogState, sm: RaftApplier<R>, store: RaftLogStore, signal?: AbortSignal): Promise<LogIndex> {
  const snap = state.snapshot;
  let smApplied = (await sm.appliedIndex?.()) ?? 0;
  const logEnd = Math.max(snap.meta.index, state.compactedIndex + state.entries.length);
  if (smApplied > Math.max(logEnd, state.installing ?? 0)) {
    throw new RaftStorageError(
      'RAFT_LOG_LOST',
      `the Raft log at ${store.location} ends at index ${logEnd} but the state machine has applied ${smApplied}: the log lost entries this node had acknowledged`,
      { hint: REJOIN_HINT },
    );
  }
  if (smApplied < snap.meta.index) {
    const r = await sm.restore({ index: snap.meta.index, term: snap.meta.term, data: snap.data }, { from: null, signal: signal ?? new AbortController().signal });
    smApplied = Math.max(snap.meta.index, r ? r.appliedIndex : 0);
    // a checkpoint newer than the log: allowed at the next start too, until the log catches up
    if (smApplied > logEnd) await store.markInstalling(smApplied);
  }
  return smApplied;
}

export class ApplyPipeline<R> {
  private readonly o: ApplyPipelineOptions<R>;
  private readonly counters: RaftCounters;
  private readonly life: NodeLifecycle;
  private readonly host: ApplyHost;
  private raw!: RawNode;
  private mem!: MemoryStorage;
  private appliedIndex: LogIndex = 0;
  private confState: ConfState = { members: [] };
  /** Entries at or below this index are already reflected in the applier (restart, checkpoint). */
  private smFloor: LogIndex = 0;
  private readonly queue: Entry[] = [];
  private running = false;
  private done: Promise<void> = Promise.resolve();
  private snapshotWrite: Promise<void> = Promise.resolve();
  private snapshotPending: LogIndex = 0;

  constructor(options: ApplyPipelineOptions<R>) {
    this.o = options;
    this.counters = options.counters;
    this.life = options.life;
    this.host = options.host;
  }

  /** Called once the core exists: `applied` is where the core starts, `smFloor` what recoverApplier returned. */
  start(raw: RawNode, mem: MemoryStorage, at: { applied: LogIndex; smFloor: LogIndex }): void {
    this.raw = raw;
    this.mem = mem;
    this.appliedIndex = at.applied;
    this.smFloor = at.smFloor;
    this.confState = raw.status().conf;
  }

  /** The highest index applied here (applier and membership). */
  get applied(): LogIndex {
    return this.appliedIndex;
  }

  /** The membership as applied here. */
  get conf(): ConfState {
    return this.confState;
  }

  /** Settles once the local snapshot being written (if any) is written. */
  get snapshotWritten(): Promise<void> {
    return this.snapshotWrite;
  }

  /** Hands newly committed (and locally durable) entries to the apply queue, starting the worker if idle. */
  pumpCommitted(): void {
    if (this.life.closed || this.life.fatal) return;
    const ents = this.raw.takeCommittedEntries();
    if (ents.length === 0) return;
    for (const e of ents) this.queue.push(e);
    if (!this.running) this.done = this.worker();
  }

  /** Resolves once the queue is drained and the worker stopped. */
  async idle(): Promise<void> {
    while (this.running) await this.done;
  }

  private async worker(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0 && !this.life.closed && !this.life.fatal) {
        const batch = this.queue.splice(0, this.queue.length);
        let membershipChanged = false;
        for (const e of batch) {
          if (this.life.closed || this.life.fatal) return;
          membershipChanged = (await this.applyEntry(e)) || membershipChanged;
          this.raw.appliedTo(e.index);
        }
        this.counters.appliedEntries += batch.length;
        this.host.batchApplied(membershipChanged);
        this.maybeSnapshot();
        this.host.notify();
        if (this.queue.length === 0) this.pumpMore();
      }
    } catch (err) {
      if (!this.life.closed) this.host.die(asFatal(err));
    } finally {
      this.running = false;
    }
  }

  /** Takes newly committed entries into the running worker's queue (without starting another worker). */
  private pumpMore(): void {
    const ents = this.raw.takeCommittedEntries();
    for (const e of ents) this.queue.push(e);
  }

  /** Applies one committed entry; returns true if it changed the membership. */
  private async applyEntry(e: Entry): Promise<boolean> {
    let result: R | undefined;
    let changed = false;
    if (e.type === 'conf-change') {
      const cc = decodeConfChange(e.data);
      this.confState = this.raw.applyConfChange(cc);
      changed = true;
      this.o.log.info('applied membership change', { index: e.index, change: cc.type, member: cc.id });
    } else if (e.data.byteLength > 0 && e.index > this.smFloor) {
      result = await this.o.applier.apply({ index: e.index, term: e.term, data: e.data });
    }
    this.appliedIndex = e.index;
    this.o.pending.applied(e.index, e.term, result);
    return changed;
  }

  /**
   * Restores a leader's snapshot into the applier (the Ready loop calls it with the apply queue
   * drained and no local snapshot being written), retrying with backoff until it succeeds or the node
   * closes; requests the snapshot covers are settled.
   */
  async installSnapshot(snap: Snapshot): Promise<void> {
    const from = this.snapshotSource(snap);
    await this.o.store.markInstalling(snap.meta.index);
    let delay = 100;
    for (;;) {
      try {
        const r = await this.o.applier.restore({ index: snap.meta.index, term: snap.meta.term, data: snap.data }, { from, signal: this.o.restoreSignal });
        this.smFloor = Math.max(snap.meta.index, r ? r.appliedIndex : 0);
        // the applier may now be ahead of the snapshot (a newer checkpoint): record how far
        if (this.smFloor > snap.meta.index) await this.o.store.markInstalling(this.smFloor);
        break;
      } catch (err) {
        if (this.life.closed) return;
        this.o.log.error('restoring a snapshot failed; retrying', { index: snap.meta.index, from: from?.id, error: (err as Error).message, retryInMs: delay });
        await this.o.clock.sleep(delay, { signal: this.o.restoreSignal }).catch(() => {});
        delay = Math.min(delay * 2, 10_000);
      }
    }
    this.counters.snapshotsInstalled++;
    this.appliedIndex = snap.meta.index;
    this.confState = snap.meta.confState;
    this.o.pending.coveredBySnapshot(snap.meta.index);
    this.o.log.info('installed snapshot', { index: snap.meta.index, term: snap.meta.term, from: from?.id, stateMachineAt: this.smFloor });
  }

  private snapshotSource(snap: Snapshot): SnapshotSource | null {
    const lead = this.raw.status().lead;
    if (!lead) return null;
    const address = memberOf(snap.meta.confState, lead)?.address ?? memberOf(this.confState, lead)?.address ?? this.o.learned.get(lead);
    return address ? { id: lead, address } : null;
  }

  /**
   * Takes a snapshot once enough entries were applied since the last one. The applier is asked at
   * an exact applied point (the apply worker is between entries); writing it and compacting the log run
   * in the background, one at a time, so neither the Ready loop nor the apply queue waits for them.
   */
  private maybeSnapshot(): void {
    const snapIndex = Math.max(this.mem.snapshot().meta.index, this.snapshotPending);
    // An applier that is ahead of the log (restart, downloaded checkpoint) cannot describe `applied`.
    if (this.appliedIndex - snapIndex < this.o.snapshotThreshold || this.appliedIndex < this.smFloor || this.life.closed) return;
    const index = this.appliedIndex;
    const term = this.mem.term(index);
    if (term === null) return;
    const conf = this.confState;
    this.snapshotPending = index;
    const taken = Promise.resolve(this.o.applier.snapshot({ index, term }));
    this.snapshotWrite = this.snapshotWrite
      .then(async () => {
        const data = await taken;
        if (this.life.closed) return;
        const snap: Snapshot = { meta: { index, term, confState: conf }, data };
        const margin = this.o.compactionMargin;
        const compactIndex = Math.min(index - margin, this.mem.lastIndex());
        const compactTo = compactIndex >= this.mem.firstIndex() ? { index: compactIndex, term: this.mem.term(compactIndex)! } : null;
        await this.o.store.saveSnapshot(snap, compactTo);
        if (this.mem.snapshot().meta.index >= index) return;
        this.mem.setSnapshot(snap);
        if (compactTo && compactTo.index >= this.mem.firstIndex()) this.mem.compact(compactTo.index);
        this.counters.snapshotsTaken++;
        this.o.log.debug('took snapshot', { index, term, compactedTo: compactTo?.index ?? null });
      })
      .catch((err: unknown) => {
        if (!this.life.closed) this.host.die(asFatal(err));
      });
  }
}
