/**
 * What a RaftNode knows about its peers' health, for RaftStatus.peers (raft-status.ts): when each member
 * was last heard from, and — on the leader — which members lag, i.e. have not yet replicated what was
 * committed one election timeout ago (stuck or falling behind even if they answer heartbeats). The commit
 * index is sampled on ticks (at most once per heartbeat interval, two election timeouts kept). Plain
 * bookkeeping over the node's clock: no I/O, nothing on the write path but one Map.set per message batch.
 */
import type { Clock } from '../../common/clock.js';
import type { CoreStatus } from '../raft/raft.js';
import type { ConfState, LogIndex, NodeId } from '../raft/types.js';
import type { RaftPeerStatus } from './raft-status.js';

export class PeerHealth {
  /** clock.now() of the last message from each member (or of its start / addition; see RaftPeerStatus) */
  private readonly heard = new Map<NodeId, number>();
  /** (time, commit index) samples of the last two election timeouts, for RaftPeerStatus.lagging */
  private readonly commitSamples: { at: number; commit: LogIndex }[] = [];

  constructor(
    private readonly self: NodeId,
    private readonly clock: Clock,
    private readonly timing: { readonly heartbeatMs: number; readonly electionMs: number },
  ) {}

  /** A message from `id` arrived now. */
  heardFrom(id: NodeId): void {
    this.heard.set(id, this.clock.now());
  }

  /** `id` is a member (at start or once added): its silence counts from `now` until it is heard from. */
  watch(id: NodeId, now: number): void {
    if (!this.heard.has(id)) this.heard.set(id, now);
  }

  /** Called on every tick: records the commit index once per heartbeat interval. */
  sampleCommit(commit: () => LogIndex): void {
    const now = this.clock.now();
    const last = this.commitSamples.at(-1);
    if (last && now - last.at < this.timing.heartbeatMs) return;
    this.commitSamples.push({ at: now, commit: commit() });
    const keep = 2 * this.timing.electionMs;
    while (this.commitSamples.length > 1 && now - this.commitSamples[1]!.at > keep) this.commitSamples.shift();
  }

  /** Each member of `conf` as RaftStatus.peers reports it, given the core's status `st`. */
  peers(conf: ConfState, st: CoreStatus): RaftPeerStatus[] {
    const now = this.clock.now();
    const behind = st.state === 'leader' ? this.commitOneTimeoutAgo() : 0;
    return conf.members.map((m) => {
      const match = st.progress?.get(m.id)?.match ?? null;
      const heard = this.heard.get(m.id);
      const self = m.id === this.self;
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

  /** The commit index as of one election timeout ago (0 when this node has not run that long). */
  private commitOneTimeoutAgo(): LogIndex {
    const cutoff = this.clock.now() - this.timing.electionMs;
    let commit = 0;
    for (const s of this.commitSamples) if (s.at <= cutoff) commit = s.commit;
    return commit;
  }
}
