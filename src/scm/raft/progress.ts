/**
 * The leader's view of one follower's log (etcd's flow-control states):
 *
 *  probe      one AppendEntries at a time until the follower's match point is found; paused after each
 *             send until a response or heartbeat response arrives.
 *  replicate  the match point is known; entries stream optimistically (next advances on send), bounded
 *             by the inflight window.
 *  snapshot   a snapshot is on its way; nothing else is sent until the follower reports back.
 *
 * Invariant: match < next. `recentActive` is set by any response and cleared by each check-quorum round.
 */
import { Inflights } from './inflights.js';
import type { LogIndex } from './types.js';

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

export class Progress {
  match: LogIndex = 0;
  next: LogIndex;
  state: ProgressState = 'probe';
  pendingSnapshot: LogIndex = 0;
  recentActive: boolean;
  probeSent = false;
  /** Leader ticks spent in snapshot state (a lost snapshot is retried after a timeout). */
  snapshotTicks = 0;
  readonly inflights: Inflights;

  constructor(next: LogIndex, maxInflight: number, maxInflightBytes: number, recentActive: boolean) {
    this.next = next;
    this.inflights = new Inflights(maxInflight, maxInflightBytes);
    this.recentActive = recentActive;
  }

  private resetState(state: ProgressState): void {
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.state = state;
    this.inflights.reset();
  }

  becomeProbe(): void {
    if (this.state === 'snapshot') {
      const pending = this.pendingSnapshot;
      this.resetState('probe');
      this.next = Math.max(this.match + 1, pending + 1);
    } else {
      this.resetState('probe');
      this.next = this.match + 1;
    }
  }

  becomeReplicate(): void {
    this.resetState('replicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshotIndex: LogIndex): void {
    this.resetState('snapshot');
    this.pendingSnapshot = snapshotIndex;
    this.snapshotTicks = 0;
  }

  /** Records an acknowledgement up to `n`; false when it is stale. */
  maybeUpdate(n: LogIndex): boolean {
    let updated = false;
    if (this.match < n) {
      this.match = n;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, n + 1);
    return updated;
  }

  /**
   * Handles a rejection of the append whose preceding index was `rejected`; `matchHint` is the follower's
   * guess of its last matching index. False when the rejection is stale (already superseded).
   */
  maybeDecrTo(rejected: LogIndex, matchHint: LogIndex): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }

  /** Updates flow control after an append carrying `count` entries ending at `lastIndex` was sent. */
  sentEntries(count: number, lastIndex: LogIndex, bytes: number): void {
    if (this.state === 'replicate') {
      if (count > 0) {
        this.next = lastIndex + 1;
        this.inflights.add(lastIndex, bytes);
      }
    } else if (this.state === 'probe') {
      this.probeSent = true;
    }
  }

  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflights.full();
      case 'snapshot':
        return true;
      default: {
        const _: never = this.state;
        return _;
      }
    }
  }

  describe(): string {
    const extra = this.state === 'snapshot' ? ` pendingSnap=${this.pendingSnapshot}` : this.probeSent ? ' paused' : '';
    return `${this.state} match=${this.match} next=${this.next}${extra}${this.state === 'replicate' ? ` inflight=${this.inflights.count()}` : ''}`;
  }
}
