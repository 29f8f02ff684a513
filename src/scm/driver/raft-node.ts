/**
 * The Raft driver: owns a RawNode and runs etcd's Ready loop against real ports (docs/raft.md). This file
 * is the node's public API and composition; its parts are one concept each:
 *
 *   ready-loop.ts        the Ready loop: persist (group commit), send, advance; eager leader messages
 *   apply-pipeline.ts    the apply queue, snapshots taken and installed, state-machine recovery at start
 *   pending-requests.ts  proposals, membership changes and reads waiting for the log, their failures
 *   peer-health.ts       last contact and lag of each member, for status()
 *   node-lifecycle.ts    closed / fatal, shared by the parts
 *
 * Here: open (load the store, recover the applier, build the core), the requests (propose,
 * membership, transfer, ReadIndex), inputs from the transport and the ticker (stepped into the core
 * between Readys: that batches many proposals into one fsync), roles and membership, status and events.
 *
 * Time comes from a Clock (ticks), randomness from a RandomSource, the network from a PeerTransport, the
 * log from a RaftLogStore, the application from a RaftApplier. The driver owns none of them: the caller
 * opens them, and closes them after `close()` resolved (reverse order).
 *
 * Proposals resolve with the applier's result once applied on this node, or reject with a
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
import { RawNode } from '../raft/raw-node.js';
import type { ConfState, LogIndex, Message, NodeId, Term } from '../raft/types.js';
import type { RaftLogStore } from '../storage/raft-log-store.js';
import { ApplyPipeline, recoverApplier } from './apply-pipeline.js';
import type { NodeLifecycle } from './node-lifecycle.js';
import { PeerHealth } from './peer-health.js';
import type { PeerTransport } from './peer-transport.js';
import { PendingRequests, abortError } from './pending-requests.js';
import type { RaftCounters, RaftEvent, RaftMetrics, RaftRole, RaftStatus } from './raft-status.js';
import { ReadyLoop } from './ready-loop.js';
import type { RaftApplier } from './raft-applier.js';

export interface RaftNodeOptions<R> {
  readonly id: NodeId;
  readonly groupId: string;
  readonly store: RaftLogStore;
  readonly applier: RaftApplier<R>;
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

const cryptoRandom: RandomSource = { int: (n) => (n <= 1 ? 0 : randomInt(n)) };

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
  private readonly life: NodeLifecycle = { closed: false, fatal: null };
  private readonly counters: RaftCounters = { readys: 0, persistedEntries: 0, syncedBatches: 0, persistMs: 0, appliedEntries: 0, eagerFlushes: 0, snapshotsTaken: 0, snapshotsInstalled: 0, proposals: 0 };
  private readonly pending: PendingRequests<R>;
  private readonly apply: ApplyPipeline<R>;
  private readonly loop: ReadyLoop<R>;
  private readonly health: PeerHealth;
  private readonly learned = new Map<NodeId, string>();
  private readonly listeners = new Set<(e: RaftEvent) => void>();
  private ticker: TimerHandle | null = null;
  private role: RaftRole = 'FOLLOWER';
  private leader: PeerRef | null = null;
  private readonly restoreAbort = new AbortController();
  private readonly commitIndex = (): LogIndex => this.raw.status().commit;
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
    this.health = new PeerHealth(this.id, this.clock, { heartbeatMs: this.heartbeatTick * this.tickMs, electionMs: this.electionTick * this.tickMs });
    this.pending = new PendingRequests<R>(this.id);
    this.apply = new ApplyPipeline<R>({
      applier: options.applier,
      store: options.store,
      clock: this.clock,
      log: this.log,
      counters: this.counters,
      life: this.life,
      pending: this.pending,
      learned: this.learned,
      restoreSignal: this.restoreAbort.signal,
      snapshotThreshold: options.snapshotThreshold ?? 1000,
      compactionMargin: options.compactionMargin ?? 500,
      host: {
        batchApplied: (membershipChanged) => {
          if (membershipChanged) this.onMembershipChanged();
          this.emit({ type: 'applied', index: this.apply.applied });
          this.pending.serveReads(this.apply.applied);
        },
        notify: () => this.notify(),
        die: (err) => this.die(err),
      },
    });
    this.loop = new ReadyLoop<R>({
      store: options.store,
      transport: options.transport,
      clock: this.clock,
      counters: this.counters,
      life: this.life,
      apply: this.apply,
      pending: this.pending,
      host: {
        roleChanged: () => this.updateRole(),
        snapshotInstalled: () => {
          this.onMembershipChanged();
          this.emit({ type: 'applied', index: this.apply.applied });
        },
        die: (err) => this.die(err),
      },
    });
  }

  /** @internal used by startRaftNode */
  async open(signal?: AbortSignal): Promise<void> {
    const state = await this.o.store.load();
    this.mem = MemoryStorage.restore(state);
    const snap = state.snapshot;
    const smApplied = await recoverApplier(state, this.o.applier, this.o.store, signal);
    const commit = state.hardState.commit;
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
    // Membership changes between the snapshot and what the applier already holds reach the core now.
    if (coreApplied > snap.meta.index) {
      for (const e of this.mem.entries(snap.meta.index + 1, coreApplied + 1, Number.POSITIVE_INFINITY)) {
        if (e.type === 'conf-change') this.raw.applyConfChange(decodeConfChange(e.data));
      }
    }
    this.apply.start(this.raw, this.mem, { applied: coreApplied, smFloor: smApplied });
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
      if (!this.life.closed && !this.life.fatal) this.health.sampleCommit(this.commitIndex);
    }, this.tickMs);
    this.log.info('raft node started', { group: this.groupId, term: state.hardState.term, commit, applied: coreApplied, lastIndex: this.mem.lastIndex(), members: this.conf.members.length });
    this.loop.start(this.raw, this.mem, state.hardState);
  }

  /** The membership as applied here. */
  private get conf(): ConfState {
    return this.apply.conf;
  }

  // ------------------------------------------------------------------ public API

  /** Replicates `data`; resolves with the applier's result once applied here. Leader only. */
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
    const applied = this.pending.proposal(at, options.signal);
    this.notify();
    return applied;
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
   * the applier after it observe every write acknowledged before the call.
   */
  readBarrier(options: { signal?: AbortSignal } = {}): Promise<LogIndex> {
    const failure = this.precheck(options.signal);
    if (failure) return Promise.reject(failure);
    const key = this.pending.nextReadKey();
    try {
      this.raw.readIndex(new TextEncoder().encode(key));
    } catch (err) {
      return Promise.reject(this.enrich(err));
    }
    const served = this.pending.read(key, options.signal);
    this.notify();
    return served;
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
      appliedIndex: this.apply.applied,
      lastIndex: st.lastIndex,
      snapshotIndex: this.mem.snapshot().meta.index,
      leadTransferee: st.leadTransferee,
      peers: this.health.peers(this.conf, st),
      fatal: this.life.fatal?.message ?? null,
    };
  }

  /**
   * Role, term and whether the core failed, without building the peers' status as status() does: cheap
   * enough to check on every request (the SCM's leader gate does).
   */
  leadership(): { readonly role: RaftRole; readonly term: Term; readonly failed: boolean } {
    return { role: this.role, term: this.raw.term(), failed: this.life.fatal !== null };
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
    if (this.life.closed) {
      await this.loop.finished;
      return;
    }
    this.life.closed = true;
    this.ticker?.cancel();
    this.ticker = null;
    this.restoreAbort.abort(new RaftError('RAFT_CLOSED', 'node closed'));
    this.notify();
    await this.loop.finished;
    await this.apply.idle();
    await this.apply.snapshotWritten;
    await this.loop.flushHeldCommit();
    this.pending.failAll(new RaftError('RAFT_CLOSED', `raft node ${this.id} is closed`));
    this.o.transport.setHandler({ onMessages: () => {}, onUnreachable: () => {}, onSnapshotStatus: () => {} });
    this.log.info('raft node stopped');
  }

  // ------------------------------------------------------------------ requests

  private precheck(signal?: AbortSignal): Error | null {
    if (signal?.aborted) return abortError(signal) as Error;
    if (this.life.fatal) return new RaftError('RAFT_CLOSED', `raft node ${this.id} stopped after a fatal error: ${this.life.fatal.message}`, { cause: this.life.fatal });
    if (this.life.closed) return new RaftError('RAFT_CLOSED', `raft node ${this.id} is closed`);
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

  private async changeMembership(cc: ConfChange, signal?: AbortSignal): Promise<void> {
    let at: { index: LogIndex; term: Term };
    try {
      at = this.raw.proposeConfChange(cc);
    } catch (err) {
      throw this.enrich(err);
    }
    const applied = this.pending.confChange(at, signal);
    this.notify();
    await applied;
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
    this.health.heardFrom(sender.id);
    this.guard(() => {
      for (const m of msgs) this.raw.step(m);
    });
  }

  /** Runs a core input; an exception from the core is an invariant violation and stops the node. */
  private guard(f: () => void): void {
    if (this.life.closed || this.life.fatal) return;
    try {
      f();
    } catch (err) {
      this.die(err as Error);
      return;
    }
    // A step may have committed entries: apply them now rather than a macrotask later.
    this.apply.pumpCommitted();
    this.notify();
  }

  private notify(): void {
    this.loop.notify();
  }

  private die(err: Error): void {
    if (this.life.fatal) return;
    this.life.fatal = err;
    this.log.error('raft node stopped on a fatal error', { error: err.message, code: (err as { code?: string }).code });
    this.ticker?.cancel();
    this.ticker = null;
    this.pending.failAll(new RaftError('RAFT_CLOSED', `raft node ${this.id} stopped: ${err.message}`, { cause: err }));
    this.emit({ type: 'fatal', error: err });
    this.notify();
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
      // A leader that steps down (check-quorum, a higher term, a transfer) answers everything it still
      // holds at once with NOT_LEADER and the hint it knows, as Ratis's LeaderStateImpl.stop does, so
      // clients fail over now instead of waiting for their call timeout. A failed proposal may still
      // commit under the new leader (its entry may have reached a quorum): callers treat NOT_LEADER after
      // proposing as "unknown, retry", exactly as Ozone's clients do. Reads already confirmed by a quorum
      // are still served.
      if (wasLeader) this.pending.failOnStepDown(notLeader(this.id, leader));
    }
    if (leader?.id !== this.leader?.id || leader?.address !== this.leader?.address) {
      this.leader = leader;
      this.emit({ type: 'leader', leader, term: st.term });
    }
  }

  private onMembershipChanged(): void {
    this.o.transport.setPeers(this.peerAddresses());
    this.updateRole();
    this.emit({ type: 'membership', peers: this.health.peers(this.conf, this.raw.status()) });
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
      this.health.watch(p.id, now);
    }
    return m;
  }
}
