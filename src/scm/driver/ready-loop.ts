/**
 * etcd's Ready loop for a RaftNode (docs/raft.md §4): one loop takes the core's Readys one at a time.
 *
 *   for each Ready:  send eager leader messages → restore a received snapshot into the applier →
 *                    persist (one batch, fsync'd when the Ready requires it: group commit) while the apply
 *                    pipeline applies committed entries (already durable locally) → update the in-memory
 *                    log → send the remaining messages → record confirmed reads → advance → serve reads
 *   between Readys:  notify() wakes the loop after any input; leader appends and heartbeats for new
 *                    proposals leave at once (takeEagerMessages, one flush per macrotask), so followers
 *                    persist in parallel with the leader
 *
 * Messages, ticks and requests are stepped into the core between Readys (while one is being persisted),
 * which is what batches many proposals into one fsync. The commit index is volatile: a Ready that only
 * moves it is held back (the next write carries it, or a later one within a second, or close()).
 * A failure here is fatal for the node (ReadyLoopHost.die). The loop owns no port: the node hands it the
 * store and transport it was given.
 */
import type { Clock } from '../../common/clock.js';
import type { MemoryStorage } from '../raft/log-storage.js';
import type { RawNode, Ready } from '../raft/raw-node.js';
import { emptyHardState, type HardState, type Message } from '../raft/types.js';
import type { RaftLogStore } from '../storage/raft-log-store.js';
import type { ApplyPipeline } from './apply-pipeline.js';
import { asFatal, type NodeLifecycle } from './node-lifecycle.js';
import type { PeerTransport } from './peer-transport.js';
import type { PendingRequests } from './pending-requests.js';
import type { RaftCounters } from './raft-status.js';

/** What a Ready changes outside the loop; implemented by raft-node.ts. */
export interface ReadyLoopHost {
  /** The Ready carried a soft state: role or leader may have changed. */
  roleChanged(): void;
  /** The Ready's snapshot was installed and the core advanced past it: membership and applied index moved. */
  snapshotInstalled(): void;
  /** Stop the node on a fatal error. */
  die(err: Error): void;
}

export interface ReadyLoopOptions<R> {
  readonly store: RaftLogStore;
  readonly transport: PeerTransport;
  readonly clock: Clock;
  readonly counters: RaftCounters;
  readonly life: NodeLifecycle;
  readonly apply: ApplyPipeline<R>;
  readonly pending: PendingRequests<R>;
  readonly host: ReadyLoopHost;
}

/** R: the applier's result type (the loop only passes it through). */
export class ReadyLoop<R> {
  private readonly store: RaftLogStore;
  private readonly transport: PeerTransport;
  private readonly clock: Clock;
  private readonly counters: RaftCounters;
  private readonly life: NodeLifecycle;
  private readonly apply: ApplyPipeline<R>;
  private readonly pending: PendingRequests<R>;
  private readonly host: ReadyLoopHost;
  private raw!: RawNode;
  private mem!: MemoryStorage;
  private wake: (() => void) | null = null;
  private dirty = false;
  private eagerScheduled = false;
  private savedHard: HardState = emptyHardState;
  private savedHardAt = 0;
  private unsavedHard: HardState | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(options: ReadyLoopOptions<R>) {
    this.store = options.store;
    this.transport = options.transport;
    this.clock = options.clock;
    this.counters = options.counters;
    this.life = options.life;
    this.apply = options.apply;
    this.pending = options.pending;
    this.host = options.host;
  }

  /** Starts the loop over `raw`; `savedHard` is the hard state the store loaded. */
  start(raw: RawNode, mem: MemoryStorage, savedHard: HardState): void {
    this.raw = raw;
    this.mem = mem;
    this.savedHard = savedHard;
    this.running = this.run();
  }

  /** Settles when the loop has ended (after close() or a fatal error). */
  get finished(): Promise<void> {
    return this.running;
  }

  /** Something was stepped into the core: take the next Ready, and flush eager messages this macrotask. */
  notify(): void {
    this.dirty = true;
    const w = this.wake;
    if (w) {
      this.wake = null;
      w();
    }
    this.scheduleEager();
  }

  /** close(): writes a commit index still held back (best effort, unsynced; not after a fatal error). */
  async flushHeldCommit(): Promise<void> {
    if (this.unsavedHard && !this.life.fatal) await this.store.save({ hardState: this.unsavedHard }, { sync: false }).catch(() => {});
  }

  /**
   * Sends the leader's eager messages (appends for new proposals, heartbeats) without waiting for the
   * Ready loop, which may be busy persisting: followers then persist in parallel with the leader. One
   * flush per macrotask batches every proposal that arrived meanwhile into one append per follower.
   */
  private scheduleEager(): void {
    if (this.eagerScheduled) return;
    this.eagerScheduled = true;
    setImmediate(() => {
      this.eagerScheduled = false;
      if (this.life.closed || this.life.fatal) return;
      let msgs: Message[];
      try {
        this.apply.pumpCommitted();
        msgs = this.raw.takeEagerMessages();
      } catch (err) {
        this.host.die(err as Error);
        return;
      }
      if (msgs.length > 0) {
        this.counters.eagerFlushes++;
        this.transport.send(msgs);
      }
    });
  }

  private async run(): Promise<void> {
    while (!this.life.closed && !this.life.fatal) {
      this.apply.pumpCommitted();
      if (!this.raw.hasReady({ committedEntries: false })) {
        if (!this.dirty) await new Promise<void>((resolve) => (this.wake = resolve));
        this.dirty = false;
        continue;
      }
      const rd = this.raw.ready({ committedEntries: false });
      try {
        await this.handleReady(rd);
      } catch (err) {
        if (this.life.closed) return;
        this.host.die(asFatal(err));
        return;
      }
    }
  }

  private async handleReady(rd: Ready): Promise<void> {
    if (rd.eagerMessages.length > 0) this.transport.send(rd.eagerMessages);
    if (rd.snapshot) {
      // Entries committed before the snapshot are applied first; a local snapshot still being written
      // must not land after (and over) the installed one.
      await this.apply.idle();
      await this.apply.snapshotWritten;
      await this.apply.installSnapshot(rd.snapshot);
      if (this.life.closed) return;
    }
    this.counters.readys++;
    this.counters.persistedEntries += rd.entries.length;
    // The commit index is volatile in Raft: a Ready that only moves it is not written on its own (the next
    // write carries it, and at most a second later it is written anyway), sparing a write per entry.
    const hs = rd.hardState ?? this.unsavedHard;
    const commitOnly = rd.entries.length === 0 && !rd.snapshot && hs !== null && hs.term === this.savedHard.term && hs.vote === this.savedHard.vote;
    if (commitOnly && this.clock.now() - this.savedHardAt < 1000) {
      this.unsavedHard = hs;
    } else if (hs !== null || rd.entries.length > 0 || rd.snapshot) {
      if (rd.mustSync) this.counters.syncedBatches++;
      const persistStart = this.clock.now();
      await this.store.save({ hardState: hs, entries: rd.entries, snapshot: rd.snapshot }, { sync: rd.mustSync });
      this.counters.persistMs += this.clock.now() - persistStart;
      if (hs) {
        this.savedHard = hs;
        this.savedHardAt = this.clock.now();
        this.unsavedHard = null;
      }
    }
    if (this.life.closed) return;
    if (rd.snapshot) this.mem.applySnapshot(rd.snapshot);
    this.mem.append(rd.entries);
    if (rd.hardState) this.mem.setHardState(rd.hardState);
    if (rd.messages.length > 0) this.transport.send(rd.messages);
    if (rd.softState) this.host.roleChanged();
    for (const rs of rd.readStates) this.pending.confirmRead(rs.context, rs.index);
    this.raw.advance(rd);
    if (rd.snapshot) this.host.snapshotInstalled();
    this.pending.serveReads(this.apply.applied);
    // Entries just made durable may already be committed: hand them to the apply queue at once.
    this.apply.pumpCommitted();
  }
}
