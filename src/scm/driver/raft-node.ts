/**
 * The Raft driver: owns a RawNode and runs etcd's Ready loop against real ports (docs/raft.md).
 *
 *   for each Ready:  send eager leader messages → restore a received snapshot into the state machine →
 *                    persist (one batch, fsync'd when the Ready requires it: group commit) while applying
 *                    the committed entries (already durable locally) → update the in-memory log → send
 *                    the remaining messages → serve reads → advance → maybe snapshot and compact
 *   between Readys:  leader appends and heartbeats for new proposals leave at once (takeEagerMessages),
 *                    so followers persist in parallel with the leader
 *
 * Time comes from a Clock (ticks), randomness from a RandomSource, the network from a PeerTransport, the
 * log from a RaftLogStore, the application from a StateMachine. The driver owns none of them: the caller
 * opens them, and closes them after `close()` resolved (reverse order).
 *
 * Concurrency: a single loop processes Readys one at a time; messages, ticks and requests are stepped into
 * the core between them (while a Ready is being persisted), which is what batches many proposals into one
 * fsync. Proposals resolve with the state machine's result once applied on this node, or reject with a
 * RaftError (NOT_LEADER with the leader hint, PROPOSAL_DROPPED, PROPOSAL_UNKNOWN, RAFT_CLOSED, …).
 * A storage or state-machine failure is fatal: the node stops, emits a 'fatal' event, and rejects
 * everything pending and later; restart the process.
 */
import { randomInt } from 'node:crypto';
import { systemClock, type Clock, type TimerHandle } from '../../common/clock.js';
import { silentLogger, type Logger } from '../../common/logger.js';
import { decodeConfChange, memberOf, votersOf, type ConfChange } from '../raft/conf-change.js';
import { MemoryStorage } from '../raft/log-storage.js';
import { RaftError, notLeader, type PeerRef } from '../raft/raft-error.js';
import type { RandomSource } from '../raft/random.js';
import { RawNode, type Ready } from '../raft/raw-node.js';
import { emptyHardState, type ConfState, type Entry, type HardState, type LogIndex, type Message, type NodeId, type Snapshot, type Term } from '../raft/types.js';
import { REJOIN_HINT, RaftStorageError, type RaftLogStore } from '../storage/raft-log-store.js';
import type { PeerTransport } from './peer-transport.js';
import type { RaftEvent, RaftMetrics, RaftPeerStatus, RaftRole, RaftStatus } from './raft-status.js';
import type { SnapshotSource, StateMachine } from './state-machine.js';

export interface RaftNodeOptions<R> {
  readonly id: NodeId;
  readonly groupId: string;
  readonly store: RaftLogStore;
  readonly stateMachine: StateMachine<R>;
  readonly transport: PeerTransport;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly random?: RandomSource;
  /** Minimum election timeout. Default 5000 ms (ozone.scm.ha.ratis.leader.election.timeout). */
  readonly electionTimeoutMs?: number;
  /** The timeout is drawn from [electionTimeoutMs, electionTimeoutMs + electionJitterMs). Default: electionTimeoutMs. */
  readonly electionJitterMs?: number;
  /** Default electionTimeoutMs / 10. */
  readonly heartbeatIntervalMs?: number;
  /** Tick granularity. Default min(heartbeatIntervalMs / 4, 100). */
  readonly tickMs?: number;
  /** Take a snapshot after this many applied entries. Default 1000 (ozone.scm.ha.ratis.snapshot.threshold). */
  readonly snapshotThreshold?: number;
  /** Entries kept behind a snapshot so slightly lagging followers catch up from the log. Default 500. */
  readonly compactionMargin?: number;
  readonly maxSizePerMsg?: number;
  readonly maxInflightMsgs?: number;
  readonly preVote?: boolean;
  readonly checkQuorum?: boolean;
  /** Proposals are refused (PROPOSAL_DROPPED) while this many entries await a quorum. Default 50 000. */
  readonly maxUncommittedEntries?: number;
}

interface PendingProposal<R> {
  readonly term: Term;
  readonly resolve: (value: R) => void;
  readonly reject: (err: unknown) => void;
}

interface PendingRead {
  index: LogIndex | null;
  readonly resolve: (index: LogIndex) => void;
  readonly reject: (err: unknown) => void;
}

const cryptoRandom: RandomSource = { int: (n) => (n <= 1 ? 0 : randomInt(n)) };

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('aborted', 'AbortError');
}

/** Opens a node from its store (creating an empty, joining node if the store is empty) and starts it. */
export async function startRaftNode<R>(options: RaftNodeOptions<R>, opts: { signal?: AbortSignal } = {}): Promise<RaftNode<R>> {
  opts.signal?.throwIfAborted();
  const node = new RaftNode<R>(options);
  await node.open(opts.signal);
  return node;
}

export class RaftNode<R = unknown> {
  readonly id: NodeId;
  readonly groupId: string;
  private readonly o: RaftNodeOptions<R>;
  private readonly clock: Clock;
  private readonly log: Logger;
  private raw!: RawNode;
  private mem!: MemoryStorage;
  private conf: ConfState = { members: [] };
  private learned = new Map<NodeId, string>();
  /** clock.now() of the last message from each member (or of its start / addition; see RaftPeerStatus) */
  private readonly heard = new Map<NodeId, number>();
  /** (time, commit index) samples of the last two election timeouts, for RaftPeerStatus.lagging */
  private readonly commitSamples: { at: number; commit: LogIndex }[] = [];
  /** Entries at or below this index are already reflected in the state machine (restart, checkpoint). */
  private smFloor: LogIndex = 0;
  private applied: LogIndex = 0;
  private readonly proposals = new Map<LogIndex, PendingProposal<R>>();
  private readonly confWaiters = new Map<LogIndex, PendingProposal<void>>();
  private readonly reads = new Map<string, PendingRead>();
  private readSeq = 0;
  private readonly listeners = new Set<(e: RaftEvent) => void>();
  private ticker: TimerHandle | null = null;
  private wake: (() => void) | null = null;
  private dirty = false;
  private eagerScheduled = false;
  private readonly applyQueue: Entry[] = [];
  private applyRunning = false;
  private applyDone: Promise<void> = Promise.resolve();
  private snapshotWrite: Promise<void> = Promise.resolve();
  private snapshotPending: LogIndex = 0;
  private savedHard: HardState = emptyHardState;
  private savedHardAt = 0;
  private unsavedHard: HardState | null = null;
  private readonly counters = { readys: 0, persistedEntries: 0, syncedBatches: 0, persistMs: 0, appliedEntries: 0, eagerFlushes: 0, snapshotsTaken: 0, snapshotsInstalled: 0, proposals: 0 };
  private closed = false;
  private fatal: Error | null = null;
  private loop: Promise<void> = Promise.resolve();
  private role: RaftRole = 'FOLLOWER';
  private leader: PeerRef | null = null;
  private readonly restoreAbort = new AbortController();
  private readonly electionTick: number;
  private readonly heartbeatTick: number;
  private readonly tickMs: number;

  constructor(options: RaftNodeOptions<R>) {
    this.o = options;
    this.id = options.id;
    this.groupId = options.groupId;
    this.clock = options.clock ?? systemClock;
    this.log = (options.logger ?? silentLogger).child({ raft: options.id });
    const election = options.electionTimeoutMs ?? 5000;
    const heartbeat = options.heartbeatIntervalMs ?? Math.max(1, Math.floor(election / 10));
    // Ticks are cheap; a fine grain keeps randomized timeouts (notably the short one after a leader's
    // connection drops) from colliding between followers.
    this.tickMs = options.tickMs ?? Math.max(1, Math.min(Math.floor(heartbeat / 4), 100));
    this.heartbeatTick = Math.max(1, Math.round(heartbeat / this.tickMs));
    this.electionTick = Math.max(this.heartbeatTick + 1, Math.round(election / this.tickMs));
    if (options.store.nodeId !== options.id || options.store.groupId !== options.groupId) {
      throw new RaftError('INVALID_ARGUMENT', `log store belongs to ${options.store.groupId}/${options.store.nodeId}, not ${options.groupId}/${options.id}`);
    }
  }

  /** @internal used by startRaftNode */
  async open(signal?: AbortSignal): Promise<void> {
    const state = await this.o.store.load();
    this.mem = MemoryStorage.restore(state);
    this.savedHard = state.hardState;
    const sm = this.o.stateMachine;
    const snap = state.snapshot;
    let smApplied = (await sm.appliedIndex?.()) ?? 0;
    const logEnd = Math.max(snap.meta.index, state.compactedIndex + state.entries.length);
    // Entries reach the state machine only after they are durable here, so a state machine ahead of the log
    // means the log lost entries this node acknowledged (deleted, truncated, an old copy restored) — unless
    // it holds state installed from elsewhere (a leader's snapshot, a checkpoint newer than it), up to the
    // index the install marker records. Starting would let the leader count this node's lost
    // acknowledgements toward a quorum; refuse instead.
    if (smApplied > Math.max(logEnd, state.installing ?? 0)) {
      throw new RaftStorageError(
        'RAFT_LOG_LOST',
        `the Raft log at ${this.o.store.location} ends at index ${logEnd} but the state machine has applied ${smApplied}: the log lost entries this node had acknowledged`,
        { hint: REJOIN_HINT },
      );
    }
    if (smApplied < snap.meta.index) {
      const r = await sm.restore({ index: snap.meta.index, term: snap.meta.term, data: snap.data }, { from: null, signal: signal ?? new AbortController().signal });
      smApplied = Math.max(snap.meta.index, r ? r.appliedIndex : 0);
      // a checkpoint newer than the log: allowed at the next start too, until the log catches up
      if (smApplied > logEnd) await this.o.store.markInstalling(smApplied);
    }
    const commit = state.hardState.commit;
    this.smFloor = smApplied;
    const coreApplied = Math.max(snap.meta.index, Math.min(smApplied, commit));
    const jitterTicks = Math.max(1, Math.round((this.o.electionJitterMs ?? this.electionTick * this.tickMs) / this.tickMs));
    this.raw = new RawNode(
      {
        id: this.id,
        electionTick: this.electionTick,
        electionJitterTicks: jitterTicks,
        heartbeatTick: this.heartbeatTick,
        random: this.o.random ?? cryptoRandom,
        applied: coreApplied,
        maxSizePerMsg: this.o.maxSizePerMsg,
        maxInflightMsgs: this.o.maxInflightMsgs,
        preVote: this.o.preVote ?? true,
        checkQuorum: this.o.checkQuorum ?? true,
        maxUncommittedEntries: this.o.maxUncommittedEntries,
      },
      this.mem,
    );
    // Membership changes between the snapshot and what the state machine already holds reach the core now.
    if (coreApplied > snap.meta.index) {
      for (const e of this.mem.entries(snap.meta.index + 1, coreApplied + 1, Number.POSITIVE_INFINITY)) {
        if (e.type === 'conf-change') this.raw.applyConfChange(decodeConfChange(e.data));
      }
    }
    this.applied = coreApplied;
    this.conf = this.raw.status().conf;
    this.o.transport.setPeers(this.peerAddresses());
    this.o.transport.setHandler({
      onMessages: (msgs, sender) => this.onMessages(msgs, sender),
      onUnreachable: (peer) => this.guard(() => this.raw.reportUnreachable(peer)),
      onSnapshotStatus: (peer, ok) => this.guard(() => this.raw.reportSnapshot(peer, ok)),
    });
    this.updateRole();
    this.maybeCampaignAlone();
    this.ticker = this.clock.setInterval(() => {
      this.guard(() => this.raw.tick());
      this.sampleCommit();
    }, this.tickMs);
    this.log.info('raft node started', { group: this.groupId, term: state.hardState.term, commit, applied: coreApplied, lastIndex: this.mem.lastIndex(), members: this.conf.members.length });
    this.loop = this.run();
  }

  // ------------------------------------------------------------------ public API

  /** Replicates `data`; resolves with the state machine's result once applied here. Leader only. */
  propose(data: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<R> {
    const failure = this.precheck(options.signal);
    if (failure) return Promise.reject(failure);
    if (data.byteLength === 0) return Promise.reject(new RaftError('INVALID_ARGUMENT', 'a proposal must carry at least one byte'));
    let at: { index: LogIndex; term: Term };
    try {
      at = this.raw.propose(data);
    } catch (err) {
      return Promise.reject(this.enrich(err));
    }
    this.counters.proposals++;
    return this.track(this.proposals, at, options.signal);
  }

  /**
   * Adds a member: a learner that any leader promotes to voter once it has caught up. Resolves when this
   * node has applied the promotion. Idempotent for a member that is already a voter at that address.
   */
  async addMember(id: NodeId, address: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    const failure = this.precheck(options.signal);
    if (failure) throw failure;
    const existing = memberOf(this.conf, id);
    if (!existing || existing.address !== address) {
      await this.changeMembership({ type: 'add-learner', id, address, autoPromote: true }, options.signal);
    }
    await this.waitFor(() => memberOf(this.conf, id)?.role === 'voter', options.signal);
  }

  /** Removes a member (voter or learner). Resolves when this node has applied the removal. */
  async removeMember(id: NodeId, options: { signal?: AbortSignal } = {}): Promise<void> {
    const failure = this.precheck(options.signal);
    if (failure) throw failure;
    if (!memberOf(this.conf, id)) return;
    await this.changeMembership({ type: 'remove', id }, options.signal);
  }

  /** Hands leadership to voter `to`; resolves once `to` leads, rejects with TRANSFER_FAILED otherwise. */
  async transferLeadership(to: NodeId, options: { signal?: AbortSignal } = {}): Promise<void> {
    const failure = this.precheck(options.signal);
    if (failure) throw failure;
    if (this.leader?.id === to) return;
    try {
      this.raw.transferLeader(to);
    } catch (err) {
      throw this.enrich(err);
    }
    this.notify();
    let sawTransfer = false;
    await this.waitFor(() => {
      if (this.leader?.id === to) return true;
      const st = this.raw.status();
      if (st.leadTransferee === to) sawTransfer = true;
      if (st.state === 'leader' && st.leadTransferee === null && sawTransfer) {
        throw new RaftError('TRANSFER_FAILED', `leadership did not move to ${to} within an election timeout`, { hint: 'check that the target is up and caught up' });
      }
      if (st.state !== 'leader' && st.lead !== null && st.lead !== to && st.lead !== this.id) {
        throw new RaftError('TRANSFER_FAILED', `leadership moved to ${st.lead} instead of ${to}`, { leader: this.leader });
      }
      return false;
    }, options.signal);
  }

  /** Resolves with the leader as soon as one is known. */
  async waitForLeader(options: { signal?: AbortSignal } = {}): Promise<PeerRef> {
    await this.waitFor(() => this.leader !== null, options.signal);
    return this.leader!;
  }

  /**
   * A linearizable read barrier (ReadIndex): resolves with an index once this node (the leader) has
   * confirmed its leadership with a quorum and applied everything committed before the call. Reads of
   * the state machine after it observe every write acknowledged before the call.
   */
  readBarrier(options: { signal?: AbortSignal } = {}): Promise<LogIndex> {
    const failure = this.precheck(options.signal);
    if (failure) return Promise.reject(failure);
    const key = `${this.id}/${++this.readSeq}`;
    try {
      this.raw.readIndex(new TextEncoder().encode(key));
    } catch (err) {
      return Promise.reject(this.enrich(err));
    }
    this.notify();
    return new Promise<LogIndex>((resolve, reject) => {
      const onAbort = (): void => {
        this.reads.delete(key);
        reject(abortError(options.signal!));
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.reads.set(key, {
        index: null,
        resolve: (i) => {
          options.signal?.removeEventListener('abort', onAbort);
          resolve(i);
        },
        reject: (e) => {
          options.signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      });
    });
  }

  /** Starts an election now instead of waiting for the election timeout (no effect on a leader or non-voter). */
  campaign(): void {
    this.guard(() => this.raw.campaign());
  }

  status(): RaftStatus {
    const st = this.raw.status();
    const self = memberOf(this.conf, this.id);
    return {
      id: this.id,
      groupId: this.groupId,
      address: this.o.transport.address,
      role: this.role,
      membership: self ? self.role : 'none',
      term: st.term,
      leader: this.leader,
      commitIndex: st.commit,
      appliedIndex: this.applied,
      lastIndex: st.lastIndex,
      snapshotIndex: this.mem.snapshot().meta.index,
      leadTransferee: st.leadTransferee,
      peers: this.peerStatus(),
      fatal: this.fatal?.message ?? null,
    };
  }

  /** Work counters since start (monotonic). */
  metrics(): RaftMetrics {
    return { ...this.counters };
  }

  /** Subscribes to role, leader, membership, applied and fatal events; returns the unsubscribe function. */
  on(listener: (e: RaftEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops the node: no more ticks or Readys; pending requests reject with RAFT_CLOSED. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) {
      await this.loop;
      return;
    }
    this.closed = true;
    this.ticker?.cancel();
    this.ticker = null;
    this.restoreAbort.abort(new RaftError('RAFT_CLOSED', 'node closed'));
    this.notify();
    await this.loop;
    await this.applyIdle();
    await this.snapshotWrite;
    if (this.unsavedHard && !this.fatal) await this.o.store.save({ hardState: this.unsavedHard }, { sync: false }).catch(() => {});
    this.failAll(new RaftError('RAFT_CLOSED', `raft node ${this.id} is closed`));
    this.o.transport.setHandler({ onMessages: () => {}, onUnreachable: () => {}, onSnapshotStatus: () => {} });
    this.log.info('raft node stopped');
  }

  // ------------------------------------------------------------------ requests plumbing

  private precheck(signal?: AbortSignal): Error | null {
    if (signal?.aborted) return abortError(signal) as Error;
    if (this.fatal) return new RaftError('RAFT_CLOSED', `raft node ${this.id} stopped after a fatal error: ${this.fatal.message}`, { cause: this.fatal });
    if (this.closed) return new RaftError('RAFT_CLOSED', `raft node ${this.id} is closed`);
    return null;
  }

  /** Adds the known leader address to NOT_LEADER errors raised by the core. */
  private enrich(err: unknown): unknown {
    if (err instanceof RaftError && err.code === 'NOT_LEADER') {
      const leader = this.leader ?? (err.leader ? { id: err.leader.id, address: err.leader.address || (this.learned.get(err.leader.id as NodeId) ?? '') } : null);
      return notLeader(this.id, leader);
    }
    return err;
  }

  private track<T>(table: Map<LogIndex, PendingProposal<T>>, at: { index: LogIndex; term: Term }, signal?: AbortSignal): Promise<T> {
    const previous = table.get(at.index);
    if (previous) {
      table.delete(at.index);
      previous.reject(new RaftError('PROPOSAL_DROPPED', `the entry at index ${at.index} was replaced`, { hint: 'retry the request' }));
    }
    this.notify();
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

  private async changeMembership(cc: ConfChange, signal?: AbortSignal): Promise<void> {
    let at: { index: LogIndex; term: Term };
    try {
      at = this.raw.proposeConfChange(cc);
    } catch (err) {
      throw this.enrich(err);
    }
    await this.track(this.confWaiters, at, signal);
  }

  /** Resolves when `cond` holds (checked after every Ready and tick); `cond` may throw to reject. */
  private waitFor(cond: () => boolean, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const check = (): boolean => {
        try {
          const failure = this.precheck();
          if (failure) throw failure;
          if (cond()) {
            done();
            resolve();
            return true;
          }
        } catch (err) {
          done();
          reject(err);
          return true;
        }
        return false;
      };
      const timer = this.clock.setInterval(() => void check(), this.tickMs);
      const unsubscribe = this.on(() => void check());
      const onAbort = (): void => {
        done();
        reject(abortError(signal!));
      };
      const done = (): void => {
        timer.cancel();
        unsubscribe();
        signal?.removeEventListener('abort', onAbort);
      };
      if (signal?.aborted) {
        onAbort();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      check();
    });
  }

  private failAll(err: Error): void {
    for (const p of this.proposals.values()) p.reject(err);
    this.proposals.clear();
    for (const p of this.confWaiters.values()) p.reject(err);
    this.confWaiters.clear();
    for (const r of this.reads.values()) r.reject(err);
    this.reads.clear();
  }

  private emit(e: RaftEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch (err) {
        this.log.warn('raft event listener threw', { error: (err as Error).message });
      }
    }
  }

  // ------------------------------------------------------------------ inputs

  private onMessages(msgs: readonly Message[], sender: { id: NodeId; address: string }): void {
    if (sender.address) this.learned.set(sender.id, sender.address);
    this.heard.set(sender.id, this.clock.now());
    this.guard(() => {
      for (const m of msgs) this.raw.step(m);
    });
  }

  /** Runs a core input; an exception from the core is an invariant violation and stops the node. */
  private guard(f: () => void): void {
    if (this.closed || this.fatal) return;
    try {
      f();
    } catch (err) {
      this.die(err as Error);
      return;
    }
    // A step may have committed entries: apply them now rather than a macrotask later.
    this.pumpCommitted();
    this.notify();
  }

  private notify(): void {
    this.dirty = true;
    const w = this.wake;
    if (w) {
      this.wake = null;
      w();
    }
    this.scheduleEager();
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
      if (this.closed || this.fatal) return;
      let msgs: Message[];
      try {
        this.pumpCommitted();
        msgs = this.raw.takeEagerMessages();
      } catch (err) {
        this.die(err as Error);
        return;
      }
      if (msgs.length > 0) {
        this.counters.eagerFlushes++;
        this.o.transport.send(msgs);
      }
    });
  }

  private die(err: Error): void {
    if (this.fatal) return;
    this.fatal = err;
    this.log.error('raft node stopped on a fatal error', { error: err.message, code: (err as { code?: string }).code });
    this.ticker?.cancel();
    this.ticker = null;
    this.failAll(new RaftError('RAFT_CLOSED', `raft node ${this.id} stopped: ${err.message}`, { cause: err }));
    this.emit({ type: 'fatal', error: err });
    this.notify();
  }

  // ------------------------------------------------------------------ the Ready loop

  private async run(): Promise<void> {
    while (!this.closed && !this.fatal) {
      this.pumpCommitted();
      if (!this.raw.hasReady({ committedEntries: false })) {
        if (!this.dirty) await new Promise<void>((resolve) => (this.wake = resolve));
        this.dirty = false;
        continue;
      }
      const rd = this.raw.ready({ committedEntries: false });
      try {
        await this.handleReady(rd);
      } catch (err) {
        if (this.closed) return;
        this.die(asFatal(err));
        return;
      }
    }
  }

  private async handleReady(rd: Ready): Promise<void> {
    if (rd.eagerMessages.length > 0) this.o.transport.send(rd.eagerMessages);
    if (rd.snapshot) {
      // Entries committed before the snapshot are applied first; a local snapshot still being written
      // must not land after (and over) the installed one.
      await this.applyIdle();
      await this.snapshotWrite;
      await this.installSnapshot(rd.snapshot);
      if (this.closed) return;
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
      await this.o.store.save({ hardState: hs, entries: rd.entries, snapshot: rd.snapshot }, { sync: rd.mustSync });
      this.counters.persistMs += this.clock.now() - persistStart;
      if (hs) {
        this.savedHard = hs;
        this.savedHardAt = this.clock.now();
        this.unsavedHard = null;
      }
    }
    if (this.closed) return;
    if (rd.snapshot) this.mem.applySnapshot(rd.snapshot);
    this.mem.append(rd.entries);
    if (rd.hardState) this.mem.setHardState(rd.hardState);
    if (rd.messages.length > 0) this.o.transport.send(rd.messages);
    if (rd.softState) this.updateRole();
    for (const rs of rd.readStates) {
      const r = this.reads.get(new TextDecoder().decode(rs.context));
      if (r) r.index = rs.index;
    }
    this.raw.advance(rd);
    if (rd.snapshot) {
      this.onMembershipChanged();
      this.emit({ type: 'applied', index: this.applied });
    }
    this.serveReads();
    // Entries just made durable may already be committed: hand them to the apply queue at once.
    this.pumpCommitted();
  }

  // ------------------------------------------------------------------ the apply queue

  /**
   * Committed entries are applied by one sequential worker as soon as they are committed and durable
   * here, independently of the Ready loop's persistence (whose fsync of newer entries they need not
   * wait for). The core counts them applied only once the state machine has applied them.
   */
  private pumpCommitted(): void {
    if (this.closed || this.fatal) return;
    const ents = this.raw.takeCommittedEntries();
    if (ents.length === 0) return;
    for (const e of ents) this.applyQueue.push(e);
    if (!this.applyRunning) this.applyDone = this.applyWorker();
  }

  private async applyWorker(): Promise<void> {
    this.applyRunning = true;
    try {
      while (this.applyQueue.length > 0 && !this.closed && !this.fatal) {
        const batch = this.applyQueue.splice(0, this.applyQueue.length);
        let membershipChanged = false;
        for (const e of batch) {
          if (this.closed || this.fatal) return;
          membershipChanged = (await this.applyEntry(e)) || membershipChanged;
          this.raw.appliedTo(e.index);
        }
        this.counters.appliedEntries += batch.length;
        if (membershipChanged) this.onMembershipChanged();
        this.emit({ type: 'applied', index: this.applied });
        this.serveReads();
        this.maybeSnapshot();
        this.notify();
        if (this.applyQueue.length === 0) this.pumpMore();
      }
    } catch (err) {
      if (!this.closed) this.die(asFatal(err));
    } finally {
      this.applyRunning = false;
    }
  }

  /** Takes newly committed entries into the running worker's queue (without starting another worker). */
  private pumpMore(): void {
    const ents = this.raw.takeCommittedEntries();
    for (const e of ents) this.applyQueue.push(e);
  }

  private async applyIdle(): Promise<void> {
    while (this.applyRunning) await this.applyDone;
  }

  private async installSnapshot(snap: Snapshot): Promise<void> {
    const from = this.snapshotSource(snap);
    await this.o.store.markInstalling(snap.meta.index);
    let delay = 100;
    for (;;) {
      try {
        const r = await this.o.stateMachine.restore({ index: snap.meta.index, term: snap.meta.term, data: snap.data }, { from, signal: this.restoreAbort.signal });
        this.smFloor = Math.max(snap.meta.index, r ? r.appliedIndex : 0);
        // the state machine may now be ahead of the snapshot (a newer checkpoint): record how far
        if (this.smFloor > snap.meta.index) await this.o.store.markInstalling(this.smFloor);
        break;
      } catch (err) {
        if (this.closed) return;
        this.log.error('restoring a snapshot failed; retrying', { index: snap.meta.index, from: from?.id, error: (err as Error).message, retryInMs: delay });
        await this.clock.sleep(delay, { signal: this.restoreAbort.signal }).catch(() => {});
        delay = Math.min(delay * 2, 10_000);
      }
    }
    this.counters.snapshotsInstalled++;
    this.applied = snap.meta.index;
    this.conf = snap.meta.confState;
    const outcome = new RaftError('PROPOSAL_UNKNOWN', 'this node installed a snapshot covering the proposal; its outcome is unknown here', { hint: 'retry only if the command is idempotent' });
    for (const [index, p] of this.proposals) {
      if (index <= snap.meta.index) {
        this.proposals.delete(index);
        p.reject(outcome);
      }
    }
    for (const [index, p] of this.confWaiters) {
      if (index <= snap.meta.index) {
        this.confWaiters.delete(index);
        p.resolve();
      }
    }
    this.log.info('installed snapshot', { index: snap.meta.index, term: snap.meta.term, from: from?.id, stateMachineAt: this.smFloor });
  }

  private snapshotSource(snap: Snapshot): SnapshotSource | null {
    const lead = this.raw.status().lead;
    if (!lead) return null;
    const address = memberOf(snap.meta.confState, lead)?.address ?? memberOf(this.conf, lead)?.address ?? this.learned.get(lead);
    return address ? { id: lead, address } : null;
  }

  /** Applies one committed entry; returns true if it changed the membership. */
  private async applyEntry(e: Entry): Promise<boolean> {
    let result: R | undefined;
    let changed = false;
    if (e.type === 'conf-change') {
      const cc = decodeConfChange(e.data);
      this.conf = this.raw.applyConfChange(cc);
      changed = true;
      this.log.info('applied membership change', { index: e.index, change: cc.type, member: cc.id });
    } else if (e.data.byteLength > 0 && e.index > this.smFloor) {
      result = await this.o.stateMachine.apply({ index: e.index, term: e.term, data: e.data });
    }
    this.applied = e.index;
    const p = this.proposals.get(e.index);
    if (p) {
      this.proposals.delete(e.index);
      if (p.term === e.term) p.resolve(result as R);
      else p.reject(new RaftError('PROPOSAL_DROPPED', `the proposal at index ${e.index} was replaced by a newer leader's entry`, { hint: 'retry the request' }));
    }
    const c = this.confWaiters.get(e.index);
    if (c) {
      this.confWaiters.delete(e.index);
      if (c.term === e.term) c.resolve();
      else c.reject(new RaftError('PROPOSAL_DROPPED', `the membership change at index ${e.index} was replaced by a newer leader's entry`, { hint: 'retry the change' }));
    }
    return changed;
  }

  private serveReads(): void {
    for (const [key, r] of this.reads) {
      if (r.index !== null && r.index <= this.applied) {
        this.reads.delete(key);
        r.resolve(r.index);
      }
    }
  }

  /**
   * Takes a snapshot once enough entries were applied since the last one. The state machine is asked at
   * an exact applied point (the apply worker is between entries); writing it and compacting the log run
   * in the background, one at a time, so neither the Ready loop nor the apply queue waits for them.
   */
  private maybeSnapshot(): void {
    const threshold = this.o.snapshotThreshold ?? 1000;
    const snapIndex = Math.max(this.mem.snapshot().meta.index, this.snapshotPending);
    // A state machine that is ahead of the log (restart, downloaded checkpoint) cannot describe `applied`.
    if (this.applied - snapIndex < threshold || this.applied < this.smFloor || this.closed) return;
    const index = this.applied;
    const term = this.mem.term(index);
    if (term === null) return;
    const conf = this.conf;
    this.snapshotPending = index;
    const taken = Promise.resolve(this.o.stateMachine.snapshot({ index, term }));
    this.snapshotWrite = this.snapshotWrite
      .then(async () => {
        const data = await taken;
        if (this.closed) return;
        const snap: Snapshot = { meta: { index, term, confState: conf }, data };
        const margin = this.o.compactionMargin ?? 500;
        const compactIndex = Math.min(index - margin, this.mem.lastIndex());
        const compactTo = compactIndex >= this.mem.firstIndex() ? { index: compactIndex, term: this.mem.term(compactIndex)! } : null;
        await this.o.store.saveSnapshot(snap, compactTo);
        if (this.mem.snapshot().meta.index >= index) return;
        this.mem.setSnapshot(snap);
        if (compactTo && compactTo.index >= this.mem.firstIndex()) this.mem.compact(compactTo.index);
        this.counters.snapshotsTaken++;
        this.log.debug('took snapshot', { index, term, compactedTo: compactTo?.index ?? null });
      })
      .catch((err: unknown) => {
        if (!this.closed) this.die(asFatal(err));
      });
  }

  // ------------------------------------------------------------------ roles and membership

  private updateRole(): void {
    const st = this.raw.status();
    const self = memberOf(this.conf, this.id);
    const role: RaftRole =
      st.state === 'leader' ? 'LEADER' : st.state === 'candidate' || st.state === 'pre-candidate' ? 'CANDIDATE' : self?.role === 'learner' ? 'LEARNER' : 'FOLLOWER';
    const leaderId = st.lead;
    const leader = leaderId ? { id: leaderId, address: memberOf(this.conf, leaderId)?.address ?? this.learned.get(leaderId) ?? '' } : null;
    if (role !== this.role) {
      const wasLeader = this.role === 'LEADER';
      this.role = role;
      this.emit({ type: 'role', role, term: st.term });
      if (wasLeader) this.failLeaderRequests(leader);
    }
    if (leader?.id !== this.leader?.id || leader?.address !== this.leader?.address) {
      this.leader = leader;
      this.emit({ type: 'leader', leader, term: st.term });
    }
  }

  /**
   * A leader that steps down (check-quorum, a higher term, a transfer) answers everything it still holds at
   * once with NOT_LEADER and the hint it knows, as Ratis's LeaderStateImpl.stop does, so clients fail over
   * now instead of waiting for their call timeout. A failed proposal may still commit under the new
   * leader (its entry may have reached a quorum): callers treat NOT_LEADER after proposing as "unknown,
   * retry", exactly as Ozone's clients do. Reads already confirmed by a quorum are still served.
   */
  private failLeaderRequests(leader: PeerRef | null): void {
    const err = notLeader(this.id, leader);
    for (const [key, r] of this.reads) {
      if (r.index === null) {
        this.reads.delete(key);
        r.reject(err);
      }
    }
    for (const p of this.proposals.values()) p.reject(err);
    this.proposals.clear();
    for (const p of this.confWaiters.values()) p.reject(err);
    this.confWaiters.clear();
  }

  private onMembershipChanged(): void {
    this.o.transport.setPeers(this.peerAddresses());
    this.updateRole();
    this.emit({ type: 'membership', peers: this.peerStatus() });
    this.maybeCampaignAlone();
  }

  /** A group whose only voter is this node elects it at once instead of waiting for a timeout. */
  private maybeCampaignAlone(): void {
    const voters = votersOf(this.conf);
    if (voters.length === 1 && voters[0] === this.id && this.raw.status().state !== 'leader') this.raw.campaign();
  }

  private peerAddresses(): Map<NodeId, string> {
    const m = new Map<NodeId, string>();
    const now = this.clock.now();
    for (const p of this.conf.members) {
      if (p.id === this.id) continue;
      m.set(p.id, p.address);
      if (!this.heard.has(p.id)) this.heard.set(p.id, now);
    }
    return m;
  }

  private sampleCommit(): void {
    if (this.closed || this.fatal) return;
    const now = this.clock.now();
    const last = this.commitSamples.at(-1);
    if (last && now - last.at < this.heartbeatTick * this.tickMs) return;
    this.commitSamples.push({ at: now, commit: this.raw.status().commit });
    const keep = 2 * this.electionTick * this.tickMs;
    while (this.commitSamples.length > 1 && now - this.commitSamples[1]!.at > keep) this.commitSamples.shift();
  }

  /** The commit index as of one election timeout ago (0 when this node has not run that long). */
  private commitOneTimeoutAgo(): LogIndex {
    const cutoff = this.clock.now() - this.electionTick * this.tickMs;
    let commit = 0;
    for (const s of this.commitSamples) if (s.at <= cutoff) commit = s.commit;
    return commit;
  }

  private peerStatus(): RaftPeerStatus[] {
    const st = this.raw.status();
    const now = this.clock.now();
    const behind = st.state === 'leader' ? this.commitOneTimeoutAgo() : 0;
    return this.conf.members.map((m) => {
      const match = st.progress?.get(m.id)?.match ?? null;
      const heard = this.heard.get(m.id);
      const self = m.id === this.id;
      return {
        id: m.id,
        address: m.address,
        role: m.role,
        isSelf: self,
        isLeader: m.id === st.lead,
        matchIndex: match,
        lastContactMs: self ? null : now - (heard ?? now),
        lagging: st.state !== 'leader' ? null : self ? false : (match ?? 0) < behind,
      };
    });
  }
}

function asFatal(err: unknown): Error {
  if (err instanceof RaftError || typeof (err as { code?: unknown })?.code === 'string') return err as Error;
  return new RaftError('STATE_MACHINE_FAILED', `state machine failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}
