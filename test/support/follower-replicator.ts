/** A Replicator that is permanently FOLLOWER of a given leader: for testing leader gating and hints. */
import type { CommandResult } from '../../src/scm/state/commands.js';
import { NotLeaderError, type LeaderHint } from '../../src/scm/replication/replication-error.js';
import type { Replicator, ReplicatorStatus, RoleChange, ScmRole } from '../../src/scm/replication/replicator.js';

export class FollowerReplicator implements Replicator {
  readonly mode = 'raft' as const;
  constructor(private readonly leader: LeaderHint | undefined, private readonly currentTerm = 3) {}
  async start(): Promise<void> {}
  async submit(): Promise<CommandResult> {
    throw new NotLeaderError('FOLLOWER', this.leader);
  }
  role(): ScmRole {
    return 'FOLLOWER';
  }
  term(): number {
    return this.currentTerm;
  }
  isLeaderReady(): boolean {
    return false;
  }
  leaderHint(): LeaderHint | undefined {
    return this.leader;
  }
  status(): ReplicatorStatus {
    return { mode: 'raft', role: 'FOLLOWER', term: this.currentTerm, leader: this.leader, commitIndex: 0, appliedIndex: 0, peers: [] };
  }
  onRoleChange(_l: (c: RoleChange) => void): () => void {
    return () => {};
  }
  async addPeer(): Promise<void> {
    throw new NotLeaderError('FOLLOWER', this.leader);
  }
  async removePeer(): Promise<void> {
    throw new NotLeaderError('FOLLOWER', this.leader);
  }
  async transferLeadership(): Promise<void> {
    throw new NotLeaderError('FOLLOWER', this.leader);
  }
  async close(): Promise<void> {}
}
