/**
 * A fake Replicator for deterministic tests: several "nodes" share one perfectly replicated in-memory
 * state (what Raft guarantees once an entry commits); the test decides who leads in which term.
 * In addition to, never instead of, the real StandaloneReplicator/Raft tests.
 */
import type { CommandResult, ScmCommand } from '../../src/scm/state/commands.js';
import { reduce } from '../../src/scm/state/reducer.js';
import { ScmState } from '../../src/scm/state/scm-state.js';
import { NotLeaderError, type LeaderHint } from '../../src/scm/replication/replication-error.js';
import type { Replicator, ReplicatorStatus, RoleChange, ScmRole } from '../../src/scm/replication/replicator.js';

export class SharedLog {
  readonly state = new ScmState();
  index = 0;
  term = 0;
  leader: FakeNode | undefined;
  readonly nodes: FakeNode[] = [];

  node(id: string): FakeNode {
    const n = new FakeNode(this, id);
    this.nodes.push(n);
    return n;
  }

  elect(node: FakeNode | undefined): void {
    this.term++;
    this.leader = node;
    for (const n of this.nodes) n.notify();
  }

  apply(command: ScmCommand): CommandResult {
    this.index++;
    const e = reduce(this.state, command, { term: this.term, index: this.index });
    this.state.apply(e.changes);
    return e.result;
  }
}

export class FakeNode implements Replicator {
  readonly mode = 'raft' as const;
  private readonly listeners = new Set<(c: RoleChange) => void>();
  constructor(private readonly log: SharedLog, readonly id: string) {}
  notify(): void {
    const c: RoleChange = { role: this.role(), term: this.log.term, leader: this.leaderHint() };
    for (const l of this.listeners) l(c);
  }
  async start(): Promise<void> {}
  async submit(command: ScmCommand): Promise<CommandResult> {
    if (this.log.leader !== this) throw new NotLeaderError(this.role(), this.leaderHint());
    await Promise.resolve();
    return this.log.apply(command);
  }
  role(): ScmRole {
    return this.log.leader === this ? 'LEADER' : 'FOLLOWER';
  }
  term(): number {
    return this.log.term;
  }
  isLeaderReady(): boolean {
    return this.log.leader === this;
  }
  leaderHint(): LeaderHint | undefined {
    return this.log.leader ? { scmUuid: this.log.leader.id, host: this.log.leader.id } : undefined;
  }
  status(): ReplicatorStatus {
    return { mode: 'raft', role: this.role(), term: this.log.term, leader: this.leaderHint(), commitIndex: this.log.index, appliedIndex: this.log.index, peers: [] };
  }
  onRoleChange(l: (c: RoleChange) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  async addPeer(): Promise<void> {}
  async removePeer(): Promise<void> {}
  async transferLeadership(): Promise<void> {}
  async close(): Promise<void> {}
}
