/**
 * The leader's part of Ozone's ReplicationManager that closes containers (ClosingContainerHandler): every
 * `hdds.scm.replication.thread.interval`, and at once whenever this SCM becomes a ready leader, each
 * CLOSING container gets a close command queued for every datanode of its pipeline (or, when the pipeline
 * is gone, every datanode that reports a replica) whose last report does not already show the replica CLOSED. A close asked by an earlier leader whose commands died with it (a
 * failover between FINALIZE and the datanodes' next heartbeat) is therefore asked again; the move to CLOSED
 * itself happens when a datanode reports the replica CLOSED (BlockManager).
 *
 * Bounded: at most `maxPerRun` containers per run, continuing where the previous run stopped.
 */
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { Replicator } from '../replication/replicator.js';
import type { ScmState } from '../state/scm-state.js';
import type { NodeManager } from './node-manager.js';

export interface ClosingContainerOptions {
  readonly intervalMs: number;
  /** containers handled per run (default 10,000) */
  readonly maxPerRun?: number;
  /** how often readiness is checked (default min(intervalMs, 500 ms)) */
  readonly checkMs?: number;
}

export class ClosingContainerHandler {
  private readonly timer: TimerHandle;
  private lastRunTerm = -1;
  private lastRunAt = 0;
  private resumeAfter = 0;

  constructor(
    private readonly replicator: Replicator,
    private readonly state: () => ScmState,
    private readonly nodes: NodeManager,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: ClosingContainerOptions,
  ) {
    this.timer = clock.setInterval(() => this.tick(), options.checkMs ?? Math.min(options.intervalMs, 500));
  }

  /** Runs when due: once per leadership term as soon as the leader is ready, then every interval. */
  tick(): void {
    if (!this.replicator.isLeaderReady()) return;
    const term = this.replicator.term();
    if (term === this.lastRunTerm && this.clock.now() - this.lastRunAt < this.options.intervalMs) return;
    this.lastRunTerm = term;
    this.lastRunAt = this.clock.now();
    this.run(term);
  }

  private run(term: number): void {
    const state = this.state();
    const max = this.options.maxPerRun ?? 10_000;
    const closing = [...state.containers.values()].filter((c) => c.state === 'CLOSING').sort((a, b) => a.containerID - b.containerID);
    if (closing.length === 0) return;
    const start = closing.findIndex((c) => c.containerID > this.resumeAfter);
    const batch = [...closing.slice(Math.max(0, start)), ...(start > 0 ? closing.slice(0, start) : [])].slice(0, max);
    let sent = 0;
    const closedOn = new Map<string, Set<number>>();
    const closedReplicas = (uuid: string): Set<number> => {
      let set = closedOn.get(uuid);
      if (!set) {
        set = new Set((this.nodes.get(uuid)?.containers ?? []).filter((r) => r.state === 'CLOSED').map((r) => r.containerID));
        closedOn.set(uuid, set);
      }
      return set;
    };
    let holders: Map<number, string[]> | null = null;
    /** datanodes whose reports hold the container (for a container whose pipeline is gone, as Ozone's RM uses replicas) */
    const replicasOf = (id: number): string[] => {
      if (!holders) {
        holders = new Map();
        for (const dn of this.nodes.all()) for (const r of dn.containers) holders.set(r.containerID, [...(holders.get(r.containerID) ?? []), dn.details.uuid]);
      }
      return holders.get(id) ?? [];
    };
    for (const c of batch) {
      const targets = state.pipeline(c.pipelineID)?.nodes.map((m) => m.uuid) ?? replicasOf(c.containerID);
      for (const uuid of targets) {
        if (closedReplicas(uuid).has(c.containerID)) continue;
        if (this.nodes.queue(uuid, { type: 'closeContainer', term, containerID: c.containerID, pipelineID: c.pipelineID })) sent++;
      }
    }
    this.resumeAfter = batch.length < closing.length ? batch[batch.length - 1]!.containerID : 0;
    this.logger.info('re-sent close commands for CLOSING containers', { containers: batch.length, of: closing.length, commands: sent, term });
  }

  close(): void {
    this.timer.cancel();
  }
}
