/**
 * RawNode: the Ready/advance interface around the Raft core (etcd-io/raft's RawNode).
 *
 * Usage contract (the driver's loop; docs/raft.md §Ready loop):
 *   1. `if (node.hasReady()) rd = node.ready()`
 *   2. send `rd.eagerMessages` (leader appends/heartbeats whose term is already durable — may overlap
 *      the fsync, Raft thesis §10.2.1; the leader counts its own copy only after step 4's advance)
 *   3. restore `rd.snapshot` into the applier (if any), then persist `rd.hardState`, `rd.entries`,
 *      `rd.snapshot` in one synced batch (skip the sync when `!rd.mustSync`)
 *   4. update the in-memory LogStorage with the same
 *   5. send `rd.messages` (they may depend on what step 3 persisted: votes, append acknowledgements)
 *   6. apply `rd.committedEntries` (conf changes: `applyConfChange`), serve `rd.readStates`
 *   7. `node.advance(rd)`
 * `step`, `tick` and the local requests may be called at any time, also between ready() and advance().
 * At most one Ready is outstanding: ready() again before advance() is a bug (INTERNAL).
 */
import type { ConfChange } from './conf-change.js';
import type { LogStorage } from './log-storage.js';
import { Raft, type CoreStatus, type RaftConfig } from './raft.js';
import { internal } from './raft-error.js';
import type { ConfState, Entry, HardState, LogIndex, Message, NodeId, ReadState, Snapshot, StateType, Term } from './types.js';

export interface SoftState {
  readonly lead: NodeId | null;
  readonly state: StateType;
}

export interface Ready {
  /** Changed leader/role since the previous Ready, else null. */
  readonly softState: SoftState | null;
  /** Changed term/vote/commit to persist, else null. */
  readonly hardState: HardState | null;
  readonly entries: readonly Entry[];
  readonly snapshot: Snapshot | null;
  readonly committedEntries: readonly Entry[];
  /** Send after persisting this Ready. */
  readonly messages: readonly Message[];
  /** May be sent before persisting this Ready (see the contract above). */
  readonly eagerMessages: readonly Message[];
  readonly readStates: readonly ReadState[];
  /** True if term, vote or entries changed: the batch must be fsync'd. A commit-only change need not be. */
  readonly mustSync: boolean;
}

const EAGER_TYPES = new Set<Message['type']>(['app', 'heartbeat', 'snap', 'timeout-now']);

export class RawNode {
  readonly raft: Raft;
  private prevSoft: SoftState;
  private prevHard: HardState;
  /** Term and vote the driver has confirmed durable (advance). */
  private durableTerm: Term;
  private durableVote: NodeId | null;
  private outstanding: Ready | null = null;

  constructor(config: RaftConfig, storage: LogStorage) {
    this.raft = new Raft(config, storage);
    this.prevSoft = { lead: this.raft.lead, state: this.raft.state };
    this.prevHard = this.hardState();
    this.durableTerm = this.raft.term;
    this.durableVote = this.raft.vote;
  }

  private hardState(): HardState {
    return { term: this.raft.term, vote: this.raft.vote, commit: this.raft.log.committed };
  }

  tick(): void {
    this.raft.tick();
  }

  campaign(): void {
    this.raft.campaign();
  }

  step(m: Message): void {
    this.raft.step(m);
  }

  propose(data: Uint8Array): { index: LogIndex; term: Term } {
    return this.raft.propose(data);
  }

  proposeConfChange(cc: ConfChange): { index: LogIndex; term: Term } {
    return this.raft.proposeConfChange(cc);
  }

  applyConfChange(cc: ConfChange): ConfState {
    return this.raft.applyConfChange(cc);
  }

  transferLeader(to: NodeId): void {
    this.raft.transferLeader(to);
  }

  readIndex(context: Uint8Array): void {
    this.raft.readIndex(context);
  }

  reportUnreachable(id: NodeId): void {
    this.raft.reportUnreachable(id);
  }

  reportSnapshot(id: NodeId, ok: boolean): void {
    this.raft.reportSnapshot(id, ok);
  }

  status(): CoreStatus {
    return this.raft.status();
  }

  /** The current term, without building a status. */
  term(): Term {
    return this.raft.term;
  }

  hasReady(options: { committedEntries?: boolean } = {}): boolean {
    if (this.outstanding) return false;
    const r = this.raft;
    const hs = this.hardState();
    return (
      r.hasPendingFlush() ||
      r.msgs.length > 0 ||
      r.readStates.length > 0 ||
      r.log.unstable.entries.length > 0 ||
      r.log.unstable.snapshot !== null ||
      (options.committedEntries !== false && r.log.hasNextCommittedEntries()) ||
      r.lead !== this.prevSoft.lead ||
      r.state !== this.prevSoft.state ||
      !sameHardState(hs, this.prevHard)
    );
  }

  /**
   * Takes the next Ready. With `committedEntries: false` the Ready carries no committed entries: the
   * caller takes them with `takeCommittedEntries()` and reports progress with `appliedTo()` instead
   * (an apply pipeline independent of persistence).
   */
  ready(options: { committedEntries?: boolean } = {}): Ready {
    if (this.outstanding) throw internal('ready() called twice without advance()');
    const r = this.raft;
    r.flush();
    const soft: SoftState = { lead: r.lead, state: r.state };
    const hs = this.hardState();
    const termDurable = r.term === this.durableTerm && r.vote === this.durableVote;
    const eager: Message[] = [];
    const after: Message[] = [];
    for (const m of r.msgs) {
      if (termDurable && r.state === 'leader' && m.term === r.term && EAGER_TYPES.has(m.type)) eager.push(m);
      else after.push(m);
    }
    const entries = [...r.log.unstable.entries];
    const committedEntries = options.committedEntries === false ? [] : r.log.nextCommittedEntries();
    const hardChanged = !sameHardState(hs, this.prevHard);
    const rd: Ready = {
      softState: soft.lead !== this.prevSoft.lead || soft.state !== this.prevSoft.state ? soft : null,
      hardState: hardChanged ? hs : null,
      entries,
      snapshot: r.log.unstable.snapshot,
      committedEntries,
      messages: after,
      eagerMessages: eager,
      readStates: r.readStates,
      mustSync: entries.length > 0 || hs.term !== this.prevHard.term || hs.vote !== this.prevHard.vote || r.log.unstable.snapshot !== null,
    };
    r.msgs = [];
    r.readStates = [];
    this.prevSoft = soft;
    this.prevHard = hs;
    if (committedEntries.length > 0) r.log.acceptApplying(committedEntries[committedEntries.length - 1]!.index);
    this.outstanding = rd;
    return rd;
  }

  /**
   * Leader messages that may leave now, before the next Ready: appends, heartbeats, snapshots and
   * timeout-now of the current term, provided that term (and vote) are already durable. The leader counts
   * its own copy of the entries they carry only after persisting them, so sending early is safe (Raft
   * thesis §10.2.1) and lets followers persist in parallel with the leader. Callable at any time, also
   * while a Ready is outstanding; the messages taken are not repeated in the next Ready.
   */
  takeEagerMessages(): Message[] {
    const r = this.raft;
    if (r.state !== 'leader' || r.term !== this.durableTerm || r.vote !== this.durableVote) return [];
    r.flush();
    if (r.msgs.length === 0) return [];
    const out: Message[] = [];
    const keep: Message[] = [];
    for (const m of r.msgs) (m.term === r.term && EAGER_TYPES.has(m.type) ? out : keep).push(m);
    r.msgs = keep;
    return out;
  }

  /**
   * Committed entries that are durable locally and not yet handed out, in order (at most about
   * maxApplyBytes). They count as being applied from now on; report completion with `appliedTo`.
   */
  takeCommittedEntries(): Entry[] {
    const ents = this.raft.log.nextCommittedEntries();
    if (ents.length > 0) this.raft.log.acceptApplying(ents[ents.length - 1]!.index);
    return ents;
  }

  /** The applier has applied everything up to `index` (taken with takeCommittedEntries). */
  appliedTo(index: LogIndex): void {
    this.raft.onApplied(index);
  }

  /** The driver finished everything the Ready asked for (persisted, sent, applied). */
  advance(rd: Ready): void {
    if (this.outstanding !== rd) throw internal('advance() with a Ready that is not the outstanding one');
    this.outstanding = null;
    const r = this.raft;
    if (rd.hardState) {
      this.durableTerm = rd.hardState.term;
      this.durableVote = rd.hardState.vote;
    }
    if (rd.snapshot) r.log.stableSnapTo(rd.snapshot.meta.index);
    if (rd.entries.length > 0) {
      const last = rd.entries[rd.entries.length - 1]!;
      r.onStable(last.index, last.term);
    }
    let applied = rd.snapshot ? rd.snapshot.meta.index : 0;
    if (rd.committedEntries.length > 0) applied = Math.max(applied, rd.committedEntries[rd.committedEntries.length - 1]!.index);
    if (applied > 0) r.onApplied(applied);
  }

  /** True while a Ready is out (between ready() and advance()). */
  hasOutstandingReady(): boolean {
    return this.outstanding !== null;
  }
}

function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}
