/**
 * Pipelines (§6 leader-only work). The leader creates a pipeline from the least-loaded healthy datanodes
 * (replicated `addPipeline` in state ALLOCATED), asks its members to create it (commands stamped with
 * the term), and opens it (replicated `updatePipelineState OPEN`) once every member reported it.
 * Followers only observe. Choices (ids, members, timestamps) are made here, before proposing.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { NotLeaderError } from '../replication/replication-error.js';
import type { Replicator } from '../replication/replicator.js';
import { factorCount, replicationKey, type PipelineInfo, type ReplicationConfig } from '../state/records.js';
import type { ScmState } from '../state/scm-state.js';
import type { NodeManager } from './node-manager.js';
import { ScmManagerError } from './manager-error.js';

/** at most this many non-closed pipelines per datanode (Ozone `ozone.datanode.pipeline.limit` default 2) */
export const PIPELINES_PER_DATANODE = 2;

export class PipelineManager {
  private readonly opening = new Set<string>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly replicator: Replicator,
    private readonly state: () => ScmState,
    private readonly nodes: NodeManager,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.unsubscribe = nodes.onReport((_dn, req) => {
      if (req.pipelines && req.pipelines.length > 0) this.maybeOpen(req.pipelines.map((p) => p.pipelineID));
    });
  }

  pipelines(rep?: ReplicationConfig, state?: PipelineInfo['state']): PipelineInfo[] {
    const key = rep ? replicationKey(rep) : undefined;
    return [...this.state().pipelines.values()].filter((p) => (key === undefined || replicationKey(p.replicationConfig) === key) && (state === undefined || p.state === state));
  }

  /** Leader: create one pipeline of `rep` on the least-loaded healthy datanodes. */
  async create(rep: ReplicationConfig, options: { signal?: AbortSignal } = {}): Promise<PipelineInfo> {
    if (!this.replicator.isLeaderReady()) throw new NotLeaderError(this.replicator.role(), this.replicator.leaderHint());
    const need = factorCount(rep.replicationFactor);
    const load = new Map<string, number>();
    for (const p of this.state().pipelines.values()) if (p.state !== 'CLOSED') for (const n of p.nodes) load.set(n.uuid, (load.get(n.uuid) ?? 0) + 1);
    const healthy = this.nodes.healthy();
    const usable = healthy
      .filter((n) => (load.get(n.details.uuid) ?? 0) < PIPELINES_PER_DATANODE)
      .sort((a, b) => (load.get(a.details.uuid) ?? 0) - (load.get(b.details.uuid) ?? 0) || a.details.uuid.localeCompare(b.details.uuid));
    if (usable.length < need) {
      throw new ScmManagerError(
        'SCM_NOT_ENOUGH_DATANODES',
        `Cannot create pipeline of factor ${need} using ${usable.length} nodes. Healthy nodes ${healthy.length}, pipeline limit per datanode ${PIPELINES_PER_DATANODE}`,
        { hint: `start at least ${need} datanodes (ozone datanode --count ${need}) reporting to this SCM` },
      );
    }
    const members = usable.slice(0, need).map((n) => n.details);
    const pipeline: PipelineInfo = { id: randomUUID(), replicationConfig: rep, state: 'ALLOCATED', nodes: members, leaderId: null, creationTimestamp: this.clock.wallTime().getTime() };
    const res = await this.replicator.submit({ type: 'addPipeline', pipeline }, options);
    if (!res.ok) throw new ScmManagerError('SCM_ALLOCATION_FAILED', res.message);
    const term = this.replicator.term();
    for (const m of members) this.nodes.queue(m.uuid, { type: 'createPipeline', term, pipelineID: pipeline.id, members: members.map((x) => x.uuid) });
    this.logger.info('created pipeline', { pipeline: pipeline.id, replication: replicationKey(rep), members: members.map((m) => m.hostName).join(',') });
    return pipeline;
  }

  /** Leader: open ALLOCATED pipelines that every member has reported. */
  private maybeOpen(ids: readonly string[]): void {
    if (!this.replicator.isLeaderReady()) return;
    for (const id of ids) {
      const p = this.state().pipelines.get(id);
      if (!p || p.state !== 'ALLOCATED' || this.opening.has(id)) continue;
      const reporters = p.nodes.map((n) => this.nodes.get(n.uuid)?.pipelines.find((r) => r.pipelineID === id));
      if (reporters.some((r) => r === undefined)) continue;
      const leader = p.nodes.find((n, i) => reporters[i]!.isLeader)?.uuid ?? p.nodes[0]!.uuid;
      this.opening.add(id);
      this.replicator
        .submit({ type: 'updatePipelineState', pipelineID: id, state: 'OPEN', leaderId: leader })
        .then((r) => {
          if (r.ok) this.logger.info('pipeline open', { pipeline: id });
        })
        .catch((err: unknown) => this.logger.warn('could not open pipeline', { pipeline: id, error: (err as Error).message }))
        .finally(() => this.opening.delete(id));
    }
  }

  /** Leader: an OPEN pipeline of `rep`, creating one and waiting for it to open if there is none. */
  async openPipelines(rep: ReplicationConfig, options: { signal?: AbortSignal; timeoutMs: number }): Promise<PipelineInfo[]> {
    let open = this.pipelines(rep, 'OPEN');
    if (open.length > 0) return open;
    if (this.pipelines(rep, 'ALLOCATED').length === 0) await this.create(rep, options);
    const deadline = this.clock.now() + options.timeoutMs;
    while ((open = this.pipelines(rep, 'OPEN')).length === 0) {
      if (!this.replicator.isLeaderReady()) throw new NotLeaderError(this.replicator.role(), this.replicator.leaderHint());
      if (this.clock.now() >= deadline) {
        throw new ScmManagerError('SCM_PIPELINE_TIMEOUT', `no ${replicationKey(rep)} pipeline became OPEN within ${options.timeoutMs} ms`, {
          hint: 'check that the pipeline members are heartbeating (ozone datanode) and executing commands from the leader',
        });
      }
      await this.clock.sleep(50, options.signal ? { signal: options.signal } : {});
    }
    return open;
  }

  close(): void {
    this.unsubscribe();
  }
}
