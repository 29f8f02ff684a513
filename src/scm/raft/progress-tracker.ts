/**
 * The membership as the core currently applies it (ConfState) together with the leader's per-member
 * Progress and the votes of the current election. Progress exists for every member (voter or learner),
 * including this node when it is a member.
 */
import { memberOf, votersOf } from './conf-change.js';
import { Progress } from './progress.js';
import { committedIndex, voteResult, type VoteResult } from './quorum.js';
import type { ConfState, LogIndex, Member, NodeId } from './types.js';

export class ProgressTracker {
  conf: ConfState;
  voters: NodeId[];
  readonly progress = new Map<NodeId, Progress>();
  readonly votes = new Map<NodeId, boolean>();

  constructor(
    readonly maxInflight: number,
    readonly maxInflightBytes: number,
    conf: ConfState,
  ) {
    this.conf = conf;
    this.voters = votersOf(conf);
  }

  member(id: NodeId): Member | undefined {
    return memberOf(this.conf, id);
  }

  isVoter(id: NodeId): boolean {
    return this.member(id)?.role === 'voter';
  }

  /** Switches to a new membership: keeps progress of remaining members, creates it for new ones (returned). */
  setConf(conf: ConfState, lastIndex: LogIndex): NodeId[] {
    const added: NodeId[] = [];
    this.conf = conf;
    this.voters = votersOf(conf);
    const ids = new Set(conf.members.map((m) => m.id));
    for (const id of [...this.progress.keys()]) if (!ids.has(id)) this.progress.delete(id);
    for (const m of conf.members) {
      if (!this.progress.has(m.id)) {
        // A member that was just added counts as recently active so that check-quorum does not depose
        // the leader before it had a chance to hear from it.
        this.progress.set(m.id, new Progress(lastIndex + 1, this.maxInflight, this.maxInflightBytes, true));
        added.push(m.id);
      }
    }
    return added;
  }

  resetProgress(lastIndex: LogIndex): void {
    for (const id of [...this.progress.keys()]) {
      this.progress.set(id, new Progress(lastIndex + 1, this.maxInflight, this.maxInflightBytes, false));
    }
  }

  committed(): LogIndex {
    return committedIndex(this.voters, (id) => this.progress.get(id)?.match ?? 0);
  }

  resetVotes(): void {
    this.votes.clear();
  }

  recordVote(id: NodeId, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  tallyVotes(): { granted: number; rejected: number; result: VoteResult } {
    let granted = 0;
    let rejected = 0;
    for (const v of this.voters) {
      const g = this.votes.get(v);
      if (g === true) granted++;
      else if (g === false) rejected++;
    }
    return { granted, rejected, result: voteResult(this.voters, this.votes) };
  }

  /** True if a majority of voters (counting `self`) was recently active. */
  quorumActive(self: NodeId): boolean {
    const active = new Map<NodeId, boolean>();
    for (const v of this.voters) {
      const pr = this.progress.get(v);
      if (v === self || pr?.recentActive) active.set(v, true);
      else active.set(v, false);
    }
    return voteResult(this.voters, active) === 'won';
  }
}
