/**
 * `ozone.scm.ratis.enable=false`: one SCM, always LEADER in term 0, applying commands locally.
 * Group commit: commands submitted while a write is in flight are applied together in the next batch
 * (one fsync'd LevelDB write for many commands), in submission order, indexes consecutive after the
 * applied index found in scm.db — so a later conversion to a one-node Raft ring can start its log after
 * an initial snapshot at exactly that `0#index`.
 */
import type { CommandResult, ScmCommand } from '../state/commands.js';
import { NotLeaderError, ReplicationError, type LeaderHint } from './replication-error.js';
import type { Replicator, ReplicatorStatus, RingPeer, RoleChange, ScmRole } from './replicator.js';
import type { ScmStateStore } from './scm-state-store.js';

export const STANDALONE_TERM = 0;

interface Pending {
  readonly command: ScmCommand;
  readonly resolve: (r: CommandResult) => void;
  readonly reject: (e: unknown) => void;
}

export class StandaloneReplicator implements Replicator {
  readonly mode = 'standalone' as const;
  private queue: Pending[] = [];
  private draining: Promise<void> | undefined;
  private started = false;
  private closed = false;
  private readonly listeners = new Set<(c: RoleChange) => void>();

  constructor(
    private readonly sm: ScmStateStore,
    private readonly self: { scmUuid: string; host: string; ratisPort: number; nodeId?: string },
  ) {}

  async start(): Promise<void> {
    if (this.closed) throw new ReplicationError('REPLICATION_CLOSED', 'replicator is closed');
    if (this.started) return;
    this.started = true;
    const change: RoleChange = { role: 'LEADER', term: STANDALONE_TERM, leader: this.leaderHint() };
    for (const l of this.listeners) l(change);
  }

  submit(command: ScmCommand, options: { signal?: AbortSignal } = {}): Promise<CommandResult> {
    if (this.closed) return Promise.reject(new ReplicationError('REPLICATION_CLOSED', 'replicator is closed'));
    if (!this.started) return Promise.reject(new NotLeaderError('FOLLOWER', undefined, 'SCM is starting; not the leader yet'));
    if (options.signal?.aborted) return Promise.reject(new ReplicationError('REPLICATION_ABORTED', 'submit aborted', { cause: options.signal.reason }));
    return new Promise<CommandResult>((resolve, reject) => {
      this.queue.push({ command, resolve, reject });
      this.draining ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, 512);
        const base = this.sm.lastApplied()?.index ?? 0;
        const entries = batch.map((p, i) => ({ term: STANDALONE_TERM, index: base + 1 + i, command: p.command }));
        try {
          const results = await this.sm.apply(entries, { sync: true });
          batch.forEach((p, i) => p.resolve(results[i]!));
        } catch (err) {
          for (const p of batch) p.reject(err);
        }
      }
    } finally {
      this.draining = undefined;
    }
  }

  role(): ScmRole {
    return this.started && !this.closed ? 'LEADER' : 'FOLLOWER';
  }

  term(): number {
    return STANDALONE_TERM;
  }

  isLeaderReady(): boolean {
    return this.started && !this.closed;
  }

  leaderHint(): LeaderHint | undefined {
    return { scmUuid: this.self.scmUuid, host: this.self.host, ...(this.self.nodeId === undefined ? {} : { nodeId: this.self.nodeId }) };
  }

  status(): ReplicatorStatus {
    const applied = this.sm.lastApplied()?.index ?? 0;
    const peer: RingPeer = { scmUuid: this.self.scmUuid, host: this.self.host, ratisPort: this.self.ratisPort, role: this.role(), ...(this.self.nodeId === undefined ? {} : { nodeId: this.self.nodeId }) };
    return { mode: this.mode, role: this.role(), term: STANDALONE_TERM, leader: this.leaderHint(), commitIndex: applied, appliedIndex: applied, peers: [peer] };
  }

  onRoleChange(listener: (c: RoleChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async addPeer(): Promise<void> {
    throw new ReplicationError('REPLICATION_UNSUPPORTED', 'adding an SCM requires Ratis (ozone.scm.ratis.enable=true); this SCM runs standalone', {
      hint: 'enable Ratis on the existing SCM first (it converts to a one-node ring), then bootstrap new SCMs',
    });
  }

  async removePeer(): Promise<void> {
    throw new ReplicationError('REPLICATION_UNSUPPORTED', 'this SCM runs standalone (no Raft ring): there is no member to remove');
  }

  async transferLeadership(): Promise<void> {
    throw new ReplicationError('REPLICATION_UNSUPPORTED', 'leadership transfer requires Ratis (ozone.scm.ratis.enable=true); this SCM runs standalone and is the only leader', {
      hint: 'enable Ratis and add SCMs before transferring leadership',
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true; // new submissions fail; queued ones are still applied by the running drain
    await this.draining;
    for (const p of this.queue.splice(0)) p.reject(new ReplicationError('REPLICATION_CLOSED', 'replicator closed'));
  }
}
