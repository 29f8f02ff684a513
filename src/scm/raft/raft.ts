/**
 * The Raft protocol core (one node's view): roles, terms, votes, replication, commit, membership.
 *
 * Contract (etcd-io/raft model): synchronous and deterministic. Inputs are `tick()`, `step(message)` and
 * the local requests (`propose`, `proposeConfChange`, `transferLeader`, `readIndex`, `applyConfChange`,
 * `reportUnreachable`, `reportSnapshot`). Outputs accumulate in `msgs` and `readStates` and in the log's
 * unstable part; RawNode packages them as a Ready. Nothing here performs I/O or reads a clock: time is the
 * number of ticks, randomness comes from `config.random`.
 *
 * Features: randomized election timeouts, pre-vote, check-quorum (with the leader lease that makes voters
 * ignore disruptive campaigns), probe/replicate/snapshot flow control with an inflight window and
 * size-bounded batches, leader self-acknowledgement only after its own log is durable (so the leader may
 * send appends before its fsync, Raft thesis §10.2.1), commit by quorum of current-term entries, leader
 * transfer, ReadIndex, snapshots, single-server membership change with learner auto-promotion.
 */
import { applyConfChange as applyToConf, encodeConfChange, validateConfChange, type ConfChange } from './conf-change.js';
import type { LogStorage } from './log-storage.js';
import type { Progress } from './progress.js';
import { ProgressTracker } from './progress-tracker.js';
import { voteResult } from './quorum.js';
import { RaftLog } from './raft-log.js';
import { RaftError, internal, notLeader, type PeerRef } from './raft-error.js';
import type { RandomSource } from './random.js';
import { ReadOnly } from './read-only.js';
import {
  entryBytes,
  message,
  type ConfState,
  type Entry,
  type EntryType,
  type LogIndex,
  type Message,
  type MessageType,
  type NodeId,
  type ReadState,
  type StateType,
  type Term,
} from './types.js';

export interface RaftConfig {
  readonly id: NodeId;
  /** Ticks without hearing from a leader before a follower campaigns (lower bound). */
  readonly electionTick: number;
  /** The election timeout is drawn from [electionTick, electionTick + jitter). Default: electionTick. */
  readonly electionJitterTicks?: number;
  /** Ticks between leader heartbeats; must be < electionTick. */
  readonly heartbeatTick: number;
  readonly random: RandomSource;
  /** Index the applier has already applied (restart). Default: the last snapshot index. */
  readonly applied?: LogIndex;
  /** Upper bound of entry bytes in one append message (at least one entry is always sent). Default 1 MiB. */
  readonly maxSizePerMsg?: number;
  /** Append messages in flight per follower in replicate state. Default 256. */
  readonly maxInflightMsgs?: number;
  /** Entry bytes in flight per follower. Default 32 MiB (Ozone's appender byte limit). */
  readonly maxInflightBytes?: number;
  /** Upper bound of committed entry bytes handed out in one Ready. Default 16 MiB. */
  readonly maxApplyBytes?: number;
  /**
   * Leader ticks without an answer to a snapshot before it is considered lost and sent again (the
   * follower ignores duplicates). Default 2 × electionTick.
   */
  readonly snapshotRetryTicks?: number;
  /** Learners with autoPromote become voters when within this many entries of the commit index. Default 64. */
  readonly promoteLagEntries?: number;
  readonly checkQuorum?: boolean;
  readonly preVote?: boolean;
  /**
   * A leader refuses new proposals (PROPOSAL_DROPPED) while this many entries are appended but not yet
   * committed, so a leader without a quorum does not grow its log without bound. Default 50 000.
   */
  readonly maxUncommittedEntries?: number;
}

/** The context a transfer-triggered campaign carries: voters grant it despite a leader lease. */
export const TRANSFER_CONTEXT = new Uint8Array([0x74, 0x72, 0x61, 0x6e, 0x73, 0x66, 0x65, 0x72]);

type CampaignType = 'pre-election' | 'election' | 'transfer';

function isTransfer(ctx: Uint8Array | null): boolean {
  if (!ctx || ctx.length !== TRANSFER_CONTEXT.length) return false;
  return ctx.every((b, i) => b === TRANSFER_CONTEXT[i]);
}

function voteRespType(t: MessageType): MessageType {
  if (t === 'vote') return 'vote-resp';
  if (t === 'pre-vote') return 'pre-vote-resp';
  throw internal(`no response type for ${t}`);
}

export interface ProgressView {
  readonly match: LogIndex;
  readonly next: LogIndex;
  readonly state: Progress['state'];
  readonly recentActive: boolean;
}

export interface CoreStatus {
  readonly id: NodeId;
  readonly term: Term;
  readonly vote: NodeId | null;
  readonly lead: NodeId | null;
  readonly state: StateType;
  readonly commit: LogIndex;
  readonly applied: LogIndex;
  readonly lastIndex: LogIndex;
  readonly firstIndex: LogIndex;
  readonly leadTransferee: NodeId | null;
  readonly conf: ConfState;
  /** Per-member replication progress; only on the leader. */
  readonly progress: ReadonlyMap<NodeId, ProgressView> | null;
}

export class Raft {
  readonly id: NodeId;
  term: Term = 0;
  vote: NodeId | null = null;
  lead: NodeId | null = null;
  state: StateType = 'follower';
  readonly log: RaftLog;
  readonly tracker: ProgressTracker;
  msgs: Message[] = [];
  readStates: ReadState[] = [];

  private readonly electionTimeout: number;
  private readonly electionJitter: number;
  private readonly heartbeatTimeout: number;
  private readonly random: RandomSource;
  private readonly checkQuorum: boolean;
  private readonly preVote: boolean;
  private readonly maxSizePerMsg: number;
  private readonly promoteLag: number;
  private readonly snapshotRetryTicks: number;
  private readonly maxUncommitted: number;

  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;
  /**
   * Set on a follower when the transport reports its leader unreachable (connection refused or closed:
   * the leader process is gone). The follower then gives up its leader lease once a heartbeat interval
   * passes in silence and campaigns after a short randomized timeout instead of a full election timeout.
   * Cleared by any message from the leader.
   */
  private leaderSuspectTimeout: number | null = null;
  leadTransferee: NodeId | null = null;
  /** Index of the last conf change appended by this leader (or lastIndex at election); blocks a second one until applied. */
  pendingConfIndex: LogIndex = 0;
  private readonly readOnly = new ReadOnly();
  /** Read requests that arrived before this leader committed an entry of its term. */
  private pendingReadIndex: Uint8Array[] = [];
  /** A read round whose heartbeat goes out with the next Ready (batches concurrent reads). */
  private pendingReadBroadcast: Uint8Array | null = null;
  /** Proposals appended since the last broadcast; flushed as one append per follower by `flush()`. */
  private pendingBroadcast = false;

  constructor(config: RaftConfig, storage: LogStorage) {
    if (config.heartbeatTick <= 0 || config.electionTick <= config.heartbeatTick) {
      throw new RaftError('INVALID_ARGUMENT', `electionTick (${config.electionTick}) must exceed heartbeatTick (${config.heartbeatTick}) > 0`);
    }
    this.id = config.id;
    this.electionTimeout = config.electionTick;
    this.electionJitter = Math.max(1, config.electionJitterTicks ?? config.electionTick);
    this.heartbeatTimeout = config.heartbeatTick;
    this.random = config.random;
    this.checkQuorum = config.checkQuorum ?? true;
    this.preVote = config.preVote ?? true;
    this.maxSizePerMsg = config.maxSizePerMsg ?? 1024 * 1024;
    this.promoteLag = config.promoteLagEntries ?? 64;
    this.snapshotRetryTicks = config.snapshotRetryTicks ?? 2 * config.electionTick;
    this.maxUncommitted = config.maxUncommittedEntries ?? 50_000;
    this.log = new RaftLog(storage, config.maxApplyBytes ?? 16 * 1024 * 1024);
    const { hardState, confState } = storage.initialState();
    this.tracker = new ProgressTracker(config.maxInflightMsgs ?? 256, config.maxInflightBytes ?? 32 * 1024 * 1024, { members: [] });
    this.tracker.setConf(confState, this.log.lastIndex());
    if (hardState.term > 0 || hardState.commit > 0 || hardState.vote !== null) {
      // The commit index is written lazily and may lag; everything up to the latest snapshot (and the
      // compaction point) is known committed. Beyond the last entry it would mean a lost log tail.
      if (hardState.commit > this.log.lastIndex()) {
        throw internal(`hard state commit ${hardState.commit} is beyond the last index ${this.log.lastIndex()} (lost log tail?)`);
      }
      this.log.committed = Math.max(hardState.commit, this.log.committed, Math.min(storage.snapshot().meta.index, this.log.lastIndex()));
      this.term = hardState.term;
      this.vote = hardState.vote;
    }
    if (config.applied !== undefined && config.applied > this.log.applied) this.log.appliedTo(config.applied);
    this.becomeFollower(this.term, null);
  }

  // ---------------------------------------------------------------- queries

  member(id: NodeId): { address: string; role: 'voter' | 'learner' } | undefined {
    return this.tracker.member(id);
  }

  leaderRef(): PeerRef | null {
    if (this.lead === null) return null;
    return { id: this.lead, address: this.tracker.member(this.lead)?.address ?? '' };
  }

  /** A voter with no snapshot pending may campaign. */
  promotable(): boolean {
    return this.tracker.isVoter(this.id) && this.tracker.progress.has(this.id) && this.log.unstable.snapshot === null;
  }

  status(): CoreStatus {
    let progress: Map<NodeId, ProgressView> | null = null;
    if (this.state === 'leader') {
      progress = new Map();
      for (const [id, pr] of this.tracker.progress) progress.set(id, { match: pr.match, next: pr.next, state: pr.state, recentActive: pr.recentActive });
    }
    return {
      id: this.id,
      term: this.term,
      vote: this.vote,
      lead: this.lead,
      state: this.state,
      commit: this.log.committed,
      applied: this.log.applied,
      lastIndex: this.log.lastIndex(),
      firstIndex: this.log.firstIndex(),
      leadTransferee: this.leadTransferee,
      conf: this.tracker.conf,
      progress,
    };
  }

  // ---------------------------------------------------------------- role transitions

  private reset(term: Term): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = null;
    }
    this.lead = null;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = this.electionTimeout + this.random.int(this.electionJitter);
    this.leaderSuspectTimeout = null;
    this.leadTransferee = null;
    this.tracker.resetVotes();
    this.tracker.resetProgress(this.log.lastIndex());
    this.pendingConfIndex = 0;
    this.readOnly.reset();
    this.pendingReadIndex = [];
    this.pendingReadBroadcast = null;
    this.pendingBroadcast = false;
  }

  /** Current randomized election timeout in ticks (exposed for tests of §5.2). */
  electionTimeoutTicks(): number {
    return this.randomizedElectionTimeout;
  }

  becomeFollower(term: Term, lead: NodeId | null): void {
    this.reset(term);
    this.state = 'follower';
    this.lead = lead;
  }

  private becomePreCandidate(): void {
    if (this.state === 'leader') throw internal('a leader cannot become a pre-candidate');
    // Pre-candidacy changes neither term nor vote.
    this.state = 'pre-candidate';
    this.tracker.resetVotes();
    this.lead = null;
  }

  private becomeCandidate(): void {
    if (this.state === 'leader') throw internal('a leader cannot become a candidate');
    this.reset(this.term + 1);
    this.vote = this.id;
    this.state = 'candidate';
  }

  private becomeLeader(): void {
    if (this.state === 'follower') throw internal('a follower cannot become leader without an election');
    this.reset(this.term);
    this.lead = this.id;
    this.state = 'leader';
    const self = this.tracker.progress.get(this.id);
    if (self) {
      self.becomeReplicate();
      // Count only what is durable here; the rest is acknowledged by advance().
      self.match = this.log.stableLastIndex();
      self.next = this.log.lastIndex() + 1;
      self.recentActive = true;
    }
    // Conservatively assume the log tail holds an unapplied conf change: none may be proposed until the
    // entry below (of this term) is applied, which also means the leader has committed in its term.
    this.pendingConfIndex = this.log.lastIndex();
    this.appendEntries([{ type: 'normal', data: new Uint8Array(0) }]);
  }

  // ---------------------------------------------------------------- ticks

  tick(): void {
    if (this.state === 'leader') this.tickHeartbeat();
    else this.tickElection();
  }

  private tickElection(): void {
    this.electionElapsed++;
    const timeout = Math.min(this.randomizedElectionTimeout, this.leaderSuspectTimeout ?? Number.POSITIVE_INFINITY);
    if (this.promotable() && this.electionElapsed >= timeout) {
      this.electionElapsed = 0;
      this.hup(this.preVote ? 'pre-election' : 'election');
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.electionTimeout) {
      this.electionElapsed = 0;
      if (this.checkQuorum) this.checkQuorumActive();
      if (this.state === 'leader' && this.leadTransferee !== null) this.leadTransferee = null;
    }
    if (this.state !== 'leader') return;
    for (const pr of this.tracker.progress.values()) {
      if (pr.state === 'snapshot' && ++pr.snapshotTicks > this.snapshotRetryTicks) {
        // No answer: the snapshot (or the answer) was lost. Probe again, which re-sends it if needed.
        pr.pendingSnapshot = 0;
        pr.becomeProbe();
      }
    }
    if (this.heartbeatElapsed >= this.heartbeatTimeout) {
      this.heartbeatElapsed = 0;
      this.bcastHeartbeat(this.readOnly.lastPendingContext());
      for (const m of this.tracker.conf.members) this.maybeAutoPromote(m.id);
    }
  }

  private checkQuorumActive(): void {
    if (!this.tracker.quorumActive(this.id)) {
      this.becomeFollower(this.term, null);
      return;
    }
    for (const [id, pr] of this.tracker.progress) if (id !== this.id) pr.recentActive = false;
  }

  // ---------------------------------------------------------------- elections

  /** Starts an election now (test and bootstrap aid; a running node campaigns by itself on timeout). */
  campaign(): void {
    this.hup(this.preVote ? 'pre-election' : 'election');
  }

  private hup(type: CampaignType): void {
    if (this.state === 'leader') return;
    if (!this.promotable()) return;
    if (this.hasUnappliedConfChanges()) return;
    this.startCampaign(type);
  }

  private hasUnappliedConfChanges(): boolean {
    if (this.log.committed <= this.log.applied) return false;
    const ents = this.log.slice(this.log.applied + 1, this.log.committed + 1, Number.POSITIVE_INFINITY);
    if (ents === null) return true;
    return ents.some((e) => e.type === 'conf-change');
  }

  private startCampaign(type: CampaignType): void {
    let voteType: MessageType;
    let term: Term;
    if (type === 'pre-election') {
      this.becomePreCandidate();
      voteType = 'pre-vote';
      term = this.term + 1;
    } else {
      this.becomeCandidate();
      voteType = 'vote';
      term = this.term;
    }
    this.tracker.recordVote(this.id, true);
    if (this.tracker.tallyVotes().result === 'won') {
      // A single voter wins at once.
      if (type === 'pre-election') this.startCampaign('election');
      else this.becomeLeader();
      return;
    }
    for (const id of this.tracker.voters) {
      if (id === this.id) continue;
      this.send(
        message({
          type: voteType,
          from: this.id,
          to: id,
          term,
          index: this.log.lastIndex(),
          logTerm: this.log.lastTerm(),
          context: type === 'transfer' ? TRANSFER_CONTEXT : null,
        }),
      );
    }
  }

  // ---------------------------------------------------------------- step

  private send(m: Message): void {
    this.msgs.push(m);
  }

  private reply(to: NodeId, type: MessageType, fields: Partial<Message> = {}): void {
    this.send(message({ type, from: this.id, to, term: this.term, ...fields }));
  }

  /** Feeds one message received from a peer. Messages for another node are ignored. */
  step(m: Message): void {
    if (m.to !== this.id || m.from === this.id) return;
    if (m.term > this.term) {
      if (m.type === 'vote' || m.type === 'pre-vote') {
        const force = isTransfer(m.context);
        // A node that heard from a live leader within the election timeout ignores campaigns: this is
        // what keeps a partitioned-then-rejoining node from deposing a healthy leader. One whose transport
        // reported the leader unreachable keeps the lease only while it heard the leader within a heartbeat
        // interval: an alarm that the next heartbeat disproves deposes no one, even when every follower
        // raised it.
        const suspected = this.leaderSuspectTimeout !== null && this.electionElapsed >= this.heartbeatTimeout;
        const inLease = this.checkQuorum && this.lead !== null && !suspected && this.electionElapsed < this.electionTimeout;
        if (!force && inLease) return;
      }
      if (m.type === 'pre-vote') {
        // Never change term in response to a pre-vote.
      } else if (m.type === 'pre-vote-resp' && !m.reject) {
        // The term is raised once the pre-vote wins, not by each grant.
      } else if (m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap') {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, null);
      }
    } else if (m.term < this.term) {
      if ((this.checkQuorum || this.preVote) && (m.type === 'heartbeat' || m.type === 'app')) {
        // A stale leader (e.g. after a partition) learns the new term from this response and steps down.
        this.reply(m.from, 'app-resp');
      } else if (m.type === 'pre-vote') {
        this.reply(m.from, 'pre-vote-resp', { reject: true });
      }
      return;
    }

    if (m.type === 'vote' || m.type === 'pre-vote') {
      const canVote = this.vote === m.from || (this.vote === null && this.lead === null) || (m.type === 'pre-vote' && m.term > this.term);
      if (canVote && this.log.isUpToDate(m.index, m.logTerm)) {
        // The response carries the request's term so a pre-candidate does not discard it as stale.
        this.send(message({ type: voteRespType(m.type), from: this.id, to: m.from, term: m.term }));
        if (m.type === 'vote') {
          this.electionElapsed = 0;
          this.vote = m.from;
        }
      } else {
        this.reply(m.from, voteRespType(m.type), { reject: true });
      }
      return;
    }

    switch (this.state) {
      case 'leader':
        this.stepLeader(m);
        return;
      case 'candidate':
      case 'pre-candidate':
        this.stepCandidate(m);
        return;
      case 'follower':
        this.stepFollower(m);
        return;
      default: {
        const _: never = this.state;
        return _;
      }
    }
  }

  private stepLeader(m: Message): void {
    const pr = this.tracker.progress.get(m.from);
    if (!pr) return;
    switch (m.type) {
      case 'app-resp': {
        pr.recentActive = true;
        if (m.reject) {
          let nextProbe = m.rejectHint;
          if (m.logTerm > 0) nextProbe = this.log.findConflictByTerm(m.rejectHint, m.logTerm)[0];
          if (pr.maybeDecrTo(m.index, nextProbe)) {
            if (pr.state === 'replicate') pr.becomeProbe();
            this.sendAppend(m.from);
          }
          return;
        }
        const wasPaused = pr.isPaused();
        const updated = pr.maybeUpdate(m.index);
        // A probe confirming the match we already knew also proves the follower is in sync.
        if (!updated && !(pr.match === m.index && pr.state === 'probe')) return;
        if (pr.state === 'probe') pr.becomeReplicate();
        else if (pr.state === 'snapshot' && pr.match + 1 >= this.log.firstIndex()) {
          pr.becomeProbe();
          pr.becomeReplicate();
        } else if (pr.state === 'replicate') pr.inflights.freeLE(m.index);
        if (!this.maybeCommitAndPropagate()) this.sendAppendLoop(m.from, wasPaused);
        if (m.from === this.leadTransferee && pr.match === this.log.lastIndex()) this.sendTimeoutNow(m.from);
        this.maybeAutoPromote(m.from);
        return;
      }
      case 'heartbeat-resp': {
        pr.recentActive = true;
        pr.probeSent = false;
        // Appends may have been lost with a broken connection: reopen one slot of a full window so the
        // next append (or its rejection) resynchronises the follower.
        if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirstOne();
        if (pr.match < this.log.lastIndex()) this.sendAppendLoop(m.from);
        if (m.context && m.context.length > 0) {
          const acks = this.readOnly.recvAck(m.from, m.context);
          if (acks && voteResult(this.tracker.voters, acks) === 'won') {
            for (const rs of this.readOnly.advance(m.context)) this.readStates.push(rs);
          }
        }
        return;
      }
      default:
        return;
    }
  }

  private stepCandidate(m: Message): void {
    const myResp: MessageType = this.state === 'pre-candidate' ? 'pre-vote-resp' : 'vote-resp';
    switch (m.type) {
      case 'app':
        this.becomeFollower(m.term, m.from);
        this.handleAppend(m);
        return;
      case 'heartbeat':
        this.becomeFollower(m.term, m.from);
        this.handleHeartbeat(m);
        return;
      case 'snap':
        this.becomeFollower(m.term, m.from);
        this.handleSnapshot(m);
        return;
      default:
        break;
    }
    if (m.type !== myResp) return;
    this.tracker.recordVote(m.from, !m.reject);
    const { result } = this.tracker.tallyVotes();
    if (result === 'won') {
      if (this.state === 'pre-candidate') this.startCampaign('election');
      else {
        this.becomeLeader();
        this.bcastAppend();
      }
    } else if (result === 'lost') {
      this.becomeFollower(this.term, null);
    }
  }

  private stepFollower(m: Message): void {
    if (m.from === this.lead && (m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap')) this.leaderSuspectTimeout = null;
    switch (m.type) {
      case 'app':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleAppend(m);
        return;
      case 'heartbeat':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleHeartbeat(m);
        return;
      case 'snap':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleSnapshot(m);
        return;
      case 'timeout-now':
        // Transfers skip pre-vote: the leader asked for it, so no partition is being healed.
        this.hup('transfer');
        return;
      default:
        return;
    }
  }

  private handleAppend(m: Message): void {
    if (m.index < this.log.committed) {
      this.reply(m.from, 'app-resp', { index: this.log.committed });
      return;
    }
    const lastNew = this.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
    if (lastNew !== null) {
      this.reply(m.from, 'app-resp', { index: lastNew });
      return;
    }
    const [hintIndex, hintTerm] = this.log.findConflictByTerm(Math.min(m.index, this.log.lastIndex()), m.logTerm);
    this.reply(m.from, 'app-resp', { index: m.index, reject: true, rejectHint: hintIndex, logTerm: hintTerm });
  }

  private handleHeartbeat(m: Message): void {
    // The leader sends min(our match, its commit): we hold those entries durably.
    this.log.commitTo(m.commit);
    this.reply(m.from, 'heartbeat-resp', { context: m.context });
  }

  private handleSnapshot(m: Message): void {
    const snap = m.snapshot;
    if (!snap) return;
    if (this.restore(snap)) this.reply(m.from, 'app-resp', { index: this.log.lastIndex() });
    else this.reply(m.from, 'app-resp', { index: this.log.committed });
  }

  /** Installs a leader's snapshot; false if it is not newer than what this node already committed. */
  private restore(snap: NonNullable<Message['snapshot']>): boolean {
    const { index, term } = snap.meta;
    if (index <= this.log.committed) return false;
    if (this.log.matchTerm(index, term)) {
      // We already hold the entry the snapshot ends at: just fast-forward the commit index.
      this.log.commitTo(index);
      return false;
    }
    this.log.restore(snap);
    this.tracker.setConf(snap.meta.confState, this.log.lastIndex());
    this.tracker.resetProgress(this.log.lastIndex());
    return true;
  }

  // ---------------------------------------------------------------- replication (leader)

  private appendEntries(entries: ReadonlyArray<{ type: EntryType; data: Uint8Array }>): LogIndex {
    let index = this.log.lastIndex();
    const full: Entry[] = entries.map((e) => ({ term: this.term, index: ++index, type: e.type, data: e.data }));
    this.log.append(full);
    this.pendingBroadcast = true;
    return index;
  }

  /**
   * Advances the commit index if a quorum allows. The new commit index reaches followers with the next
   * append or heartbeat rather than in extra messages (halving the traffic of a lone writer), except when
   * the newly committed entries change the membership: that is broadcast at once. True if it broadcast.
   */
  private maybeCommitAndPropagate(): boolean {
    const before = this.log.committed;
    if (!this.maybeCommit()) return false;
    const ents = this.log.slice(before + 1, this.log.committed + 1, Number.POSITIVE_INFINITY) ?? [];
    if (!ents.some((e) => e.type === 'conf-change')) return false;
    this.bcastAppend();
    return true;
  }

  private maybeCommit(): boolean {
    const committed = this.log.maybeCommit(this.tracker.committed(), this.term);
    if (committed) this.releasePendingReadIndex();
    return committed;
  }

  /** Sends what `to` needs next; false if nothing was sent (paused, or nothing new and !sendIfEmpty). */
  private sendAppend(to: NodeId, sendIfEmpty = true): boolean {
    const pr = this.tracker.progress.get(to);
    if (!pr || to === this.id || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.log.term(prevIndex);
    const entries = prevTerm === null ? null : this.log.entriesFrom(pr.next, this.maxSizePerMsg);
    if (prevTerm === null || entries === null) return this.sendSnapshot(to, pr);
    if (entries.length === 0 && !sendIfEmpty) return false;
    this.send(
      message({ type: 'app', from: this.id, to, term: this.term, index: prevIndex, logTerm: prevTerm, entries, commit: this.log.committed }),
    );
    const last = entries.length > 0 ? entries[entries.length - 1]!.index : prevIndex;
    pr.sentEntries(entries.length, last, entries.reduce((n, e) => n + entryBytes(e), 0));
    return true;
  }

  /** In replicate state keeps the pipeline full; in probe state sends one probe. */
  private sendAppendLoop(to: NodeId, sendIfEmpty = true): void {
    const pr = this.tracker.progress.get(to);
    if (!pr) return;
    let sent = this.sendAppend(to, sendIfEmpty);
    while (sent && pr.state === 'replicate') sent = this.sendAppend(to, false);
  }

  private sendSnapshot(to: NodeId, pr: Progress): boolean {
    if (!pr.recentActive) return false;
    const snap = this.log.snapshot();
    if (snap.meta.index === 0) throw internal(`follower ${to} needs a snapshot but none exists (first index ${this.log.firstIndex()})`);
    pr.becomeSnapshot(snap.meta.index);
    this.send(message({ type: 'snap', from: this.id, to, term: this.term, snapshot: snap }));
    return true;
  }

  private bcastAppend(): void {
    this.pendingBroadcast = false;
    for (const id of this.tracker.progress.keys()) if (id !== this.id) this.sendAppendLoop(id);
  }

  private bcastHeartbeat(context: Uint8Array | null): void {
    for (const [id, pr] of this.tracker.progress) {
      if (id === this.id) continue;
      this.send(
        message({ type: 'heartbeat', from: this.id, to: id, term: this.term, commit: Math.min(pr.match, this.log.committed), context }),
      );
    }
  }

  private sendTimeoutNow(to: NodeId): void {
    this.send(message({ type: 'timeout-now', from: this.id, to, term: this.term }));
  }

  /**
   * Emits the batched work: one append per follower for all proposals since the last flush, one heartbeat
   * round for pending reads. RawNode calls it before building a Ready.
   */
  flush(): void {
    if (this.state !== 'leader') {
      this.pendingBroadcast = false;
      this.pendingReadBroadcast = null;
      return;
    }
    if (this.pendingBroadcast) this.bcastAppend();
    if (this.pendingReadBroadcast) {
      const ctx = this.pendingReadBroadcast;
      this.pendingReadBroadcast = null;
      this.bcastHeartbeat(ctx);
    }
  }

  hasPendingFlush(): boolean {
    return this.state === 'leader' && (this.pendingBroadcast || this.pendingReadBroadcast !== null);
  }

  /** The driver made entries up to (index, term) durable. A leader now counts its own copy. */
  onStable(index: LogIndex, term: Term): void {
    this.log.stableTo(index, term);
    if (this.state !== 'leader') return;
    const self = this.tracker.progress.get(this.id);
    if (self && self.maybeUpdate(this.log.stableLastIndex())) this.maybeCommitAndPropagate();
  }

  onApplied(index: LogIndex): void {
    this.log.appliedTo(index);
    if (this.state === 'leader') for (const m of this.tracker.conf.members) this.maybeAutoPromote(m.id);
  }

  // ---------------------------------------------------------------- local requests

  propose(data: Uint8Array): { index: LogIndex; term: Term } {
    this.checkCanPropose();
    const index = this.appendEntries([{ type: 'normal', data }]);
    return { index, term: this.term };
  }

  proposeConfChange(cc: ConfChange): { index: LogIndex; term: Term } {
    this.checkCanPropose();
    if (this.pendingConfIndex > this.log.applied) {
      throw new RaftError('CONF_CHANGE_IN_PROGRESS', `a membership change at index ${this.pendingConfIndex} is not applied yet (applied ${this.log.applied})`, {
        hint: 'retry once the previous change is applied',
      });
    }
    validateConfChange(this.tracker.conf, cc);
    const index = this.appendEntries([{ type: 'conf-change', data: encodeConfChange(cc) }]);
    this.pendingConfIndex = index;
    return { index, term: this.term };
  }

  private checkCanPropose(): void {
    if (this.state !== 'leader') throw notLeader(this.id, this.leaderRef());
    if (this.leadTransferee !== null) {
      throw new RaftError('PROPOSAL_DROPPED', `${this.id} is transferring leadership to ${this.leadTransferee}`, {
        hint: 'retry against the new leader',
      });
    }
    if (!this.tracker.isVoter(this.id)) throw notLeader(this.id, null);
    if (this.log.lastIndex() - this.log.committed >= this.maxUncommitted) {
      throw new RaftError('PROPOSAL_DROPPED', `${this.log.lastIndex() - this.log.committed} entries are waiting for a quorum`, {
        hint: 'a majority of voters is unreachable or slow; retry later',
      });
    }
  }

  private maybeAutoPromote(id: NodeId): void {
    if (this.state !== 'leader' || this.leadTransferee !== null || this.pendingConfIndex > this.log.applied) return;
    const m = this.tracker.conf.members.find((x) => x.id === id);
    if (!m || m.role !== 'learner' || !m.autoPromote) return;
    const pr = this.tracker.progress.get(id);
    if (!pr || !pr.recentActive || pr.state !== 'replicate' || pr.match + this.promoteLag < this.log.committed) return;
    const index = this.appendEntries([{ type: 'conf-change', data: encodeConfChange({ type: 'promote', id }) }]);
    this.pendingConfIndex = index;
  }

  /** Applies a committed membership change (the driver calls this when it applies the entry). */
  applyConfChange(cc: ConfChange): ConfState {
    const conf = applyToConf(this.tracker.conf, cc);
    if (conf === this.tracker.conf) return conf;
    const added = this.tracker.setConf(conf, this.log.lastIndex());
    if (this.state !== 'leader') return conf;
    if (!this.tracker.isVoter(this.id)) {
      // This leader removed itself: hand over to the most caught-up voter, then step down.
      let best: NodeId | null = null;
      let bestMatch = -1;
      for (const v of this.tracker.voters) {
        const pr = this.tracker.progress.get(v);
        if (pr && pr.match > bestMatch) {
          best = v;
          bestMatch = pr.match;
        }
      }
      if (best !== null && bestMatch === this.log.lastIndex()) this.sendTimeoutNow(best);
      this.becomeFollower(this.term, null);
      return conf;
    }
    if (this.leadTransferee !== null && !this.tracker.isVoter(this.leadTransferee)) this.leadTransferee = null;
    if (!this.maybeCommitAndPropagate()) for (const id of this.tracker.progress.keys()) if (id !== this.id) this.sendAppend(id, added.includes(id));
    return conf;
  }

  /** Asks the leader to hand leadership to `to` (a voter); it stops accepting proposals meanwhile. */
  transferLeader(to: NodeId): void {
    if (this.state !== 'leader') throw notLeader(this.id, this.leaderRef());
    if (to === this.id) {
      this.leadTransferee = null;
      return;
    }
    if (!this.tracker.isVoter(to)) throw new RaftError('INVALID_ARGUMENT', `${to} is not a voter of this group`);
    if (this.leadTransferee === to) return;
    this.leadTransferee = to;
    this.electionElapsed = 0;
    const pr = this.tracker.progress.get(to)!;
    if (pr.match === this.log.lastIndex()) this.sendTimeoutNow(to);
    else this.sendAppend(to);
  }

  /** Starts a linearizable read: a ReadState with `context` appears once leadership is confirmed. */
  readIndex(context: Uint8Array): void {
    if (this.state !== 'leader') throw notLeader(this.id, this.leaderRef());
    if (this.tracker.voters.length === 1 && this.tracker.isVoter(this.id)) {
      if (this.log.term(this.log.committed) === this.term) this.readStates.push({ index: this.log.committed, context });
      else this.pendingReadIndex.push(context);
      return;
    }
    if (this.log.term(this.log.committed) !== this.term) {
      this.pendingReadIndex.push(context);
      return;
    }
    this.readOnly.add(this.log.committed, context);
    this.readOnly.recvAck(this.id, context);
    this.pendingReadBroadcast = context;
  }

  private releasePendingReadIndex(): void {
    if (this.pendingReadIndex.length === 0 || this.log.term(this.log.committed) !== this.term) return;
    const pending = this.pendingReadIndex;
    this.pendingReadIndex = [];
    for (const ctx of pending) this.readIndex(ctx);
  }

  /**
   * The transport could not reach `id`. On the leader that follower falls back to probing. On a follower
   * whose leader it is, the leader is suspected gone: a campaign starts after one and a half heartbeats
   * plus a random share of a quarter of an election timeout (counted from the leader's last message;
   * the spread keeps the two survivors of a 3-node group from campaigning at once) unless the leader is
   * heard from again, and the lease is given up once a heartbeat interval passes without word
   * from the leader. The leader's next on-time heartbeat thus arrives before the earliest campaign and
   * clears the alarm. Timing only: election safety does not change. A false alarm that outlives a
   * heartbeat costs pre-vote rounds (repeated each suspect interval) that voters still in their lease
   * ignore.
   */
  reportUnreachable(id: NodeId): void {
    const pr = this.tracker.progress.get(id);
    if (this.state === 'leader') {
      if (pr && pr.state === 'replicate') pr.becomeProbe();
      return;
    }
    if (this.state === 'follower' && this.lead === id && this.leaderSuspectTimeout === null) {
      this.leaderSuspectTimeout = this.heartbeatTimeout + Math.ceil(this.heartbeatTimeout / 2) + this.random.int(Math.max(1, Math.floor(this.electionTimeout / 4)));
    }
  }

  reportSnapshot(id: NodeId, ok: boolean): void {
    const pr = this.tracker.progress.get(id);
    if (this.state !== 'leader' || !pr || pr.state !== 'snapshot') return;
    if (!ok) pr.pendingSnapshot = 0;
    // Wait for the follower's response (or a heartbeat response) before sending more.
    pr.becomeProbe();
    pr.probeSent = true;
  }
}

