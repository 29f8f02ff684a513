/**
 * Block and container allocation — leader only (§6). A block is (containerID, localID): the localID
 * comes from the replicated `localId` sequence, the container is an OPEN one on an OPEN pipeline of the
 * requested replication with room for the block. Each pipeline gets up to
 * `ozone.scm.pipeline.owner.container.count` open containers (new ids from the `containerId` sequence,
 * replicated `addContainer`); blocks go round-robin across them. When a container's allocated bytes reach
 * 90% of `ozone.scm.container.size` the leader finalizes it (replicated usedBytes/keys + FINALIZE →
 * CLOSING), tells the pipeline's datanodes to close it, and completes CLOSE when a datanode reports
 * it CLOSED. Allocated-byte counters are in memory and restart from the replicated usedBytes on a new
 * leader.
 */
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { NotLeaderError } from '../replication/replication-error.js';
import type { Replicator } from '../replication/replicator.js';
import { replicationKey, type ContainerInfo, type ReplicationConfig } from '../state/records.js';
import type { ScmState } from '../state/scm-state.js';
import { AsyncMutex } from './async-mutex.js';
import type { NodeManager } from './node-manager.js';
import type { PipelineManager } from './pipeline-manager.js';
import type { SequenceIdGenerator } from './sequence-id-generator.js';
import { ScmManagerError } from './manager-error.js';

export const CONTAINER_CLOSE_THRESHOLD = 0.9;
/** containers per replicated `addContainers` entry (≈330 KB of log entry) */
export const CONTAINERS_PER_ENTRY = 1000;

export interface AllocateBlockRequest {
  readonly size: number;
  readonly replication: ReplicationConfig;
  readonly owner: string;
}

export interface AllocatedBlock {
  readonly containerBlockID: { readonly containerID: number; readonly localID: number };
  readonly pipeline: { readonly id: string; readonly nodes: ReadonlyArray<{ readonly uuid: string; readonly hostName: string }> };
  readonly size: number;
}

interface Usage {
  bytes: number;
  blocks: number;
}

export class BlockManager {
  private readonly usage = new Map<number, Usage>();
  private readonly mutexes = new Map<string, AsyncMutex>();
  private readonly closing = new Set<number>();
  private readonly closeSubmitted = new Set<number>();
  private rr = 0;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    private readonly replicator: Replicator,
    private readonly state: () => ScmState,
    private readonly seq: SequenceIdGenerator,
    private readonly pipelines: PipelineManager,
    private readonly nodes: NodeManager,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly sizing: { containerSizeBytes: number; blockSizeBytes: number; containersPerPipeline: number; pipelineWaitMs: number },
  ) {
    this.unsubscribe.push(replicator.onRoleChange(() => this.usage.clear()));
    this.unsubscribe.push(
      nodes.onReport((_dn, req) => {
        if (!req.containers || !this.replicator.isLeaderReady()) return;
        for (const r of req.containers) if (r.state === 'CLOSED') this.completeClose(r.containerID);
      }),
    );
  }

  private usageOf(c: ContainerInfo): Usage {
    let u = this.usage.get(c.containerID);
    if (!u) {
      u = { bytes: c.usedBytes, blocks: c.numberOfKeys };
      this.usage.set(c.containerID, u);
    }
    return u;
  }

  async allocateBlock(req: AllocateBlockRequest, options: { signal?: AbortSignal } = {}): Promise<AllocatedBlock> {
    if (!this.replicator.isLeaderReady()) throw new NotLeaderError(this.replicator.role(), this.replicator.leaderHint());
    if (!Number.isSafeInteger(req.size) || req.size <= 0 || req.size > this.sizing.blockSizeBytes) {
      throw new ScmManagerError('SCM_INVALID_ARGUMENT', `block size ${req.size} must be between 1 and ozone.scm.block.size (${this.sizing.blockSizeBytes})`);
    }
    const key = replicationKey(req.replication);
    let m = this.mutexes.get(key);
    if (!m) this.mutexes.set(key, (m = new AsyncMutex()));
    const container = await m.run(() => this.pickContainer(req, options));
    const localID = await this.seq.next('localId', options);
    const pipeline = this.state().pipeline(container.pipelineID)!;
    return {
      containerBlockID: { containerID: container.containerID, localID },
      pipeline: { id: pipeline.id, nodes: pipeline.nodes.map((n) => ({ uuid: n.uuid, hostName: n.hostName })) },
      size: req.size,
    };
  }

  /** Under the per-replication mutex: choose (or create) a container and account the block's bytes. */
  private async pickContainer(req: AllocateBlockRequest, options: { signal?: AbortSignal }): Promise<ContainerInfo> {
    const open = await this.pipelines.openPipelines(req.replication, { ...options, timeoutMs: this.sizing.pipelineWaitMs });
    const state = this.state();
    const openIds = new Set(open.map((p) => p.id));
    const containers = [...state.containers.values()].filter((c) => c.state === 'OPEN' && openIds.has(c.pipelineID) && !this.closing.has(c.containerID));
    const perPipeline = new Map<string, number>(open.map((p) => [p.id, 0]));
    for (const c of containers) perPipeline.set(c.pipelineID, (perPipeline.get(c.pipelineID) ?? 0) + 1);
    const fits = containers.filter((c) => this.usageOf(c).bytes + req.size <= this.sizing.containerSizeBytes);
    const sparse = [...perPipeline.entries()].filter(([, n]) => n < this.sizing.containersPerPipeline).sort((a, b) => a[1] - b[1])[0];
    let chosen: ContainerInfo;
    if (sparse) chosen = await this.newContainer(sparse[0], req, options);
    else if (fits.length > 0) chosen = fits[this.rr++ % fits.length]!;
    else {
      throw new ScmManagerError('SCM_ALLOCATION_FAILED', `all open ${replicationKey(req.replication)} containers are full and every pipeline has its ${this.sizing.containersPerPipeline} containers`, {
        hint: 'retry shortly (full containers are being closed) or add datanodes for more pipelines',
      });
    }
    const u = this.usageOf(chosen);
    u.bytes += req.size;
    u.blocks += 1;
    if (u.bytes >= this.sizing.containerSizeBytes * CONTAINER_CLOSE_THRESHOLD) this.finalize(chosen.containerID);
    return chosen;
  }

  private async newContainer(pipelineID: string, req: AllocateBlockRequest, options: { signal?: AbortSignal }): Promise<ContainerInfo> {
    const containerID = await this.seq.next('containerId', options);
    const container: ContainerInfo = {
      containerID,
      state: 'OPEN',
      pipelineID,
      replicationConfig: req.replication,
      usedBytes: 0,
      numberOfKeys: 0,
      stateEnterTime: this.clock.wallTime().getTime(),
      owner: req.owner,
      sequenceId: 0,
      deleteTransactionId: 0,
    };
    const res = await this.replicator.submit({ type: 'addContainer', container }, options);
    if (!res.ok) throw new ScmManagerError('SCM_ALLOCATION_FAILED', res.message);
    const term = this.replicator.term();
    for (const n of this.state().pipeline(pipelineID)?.nodes ?? []) this.nodes.queue(n.uuid, { type: 'createContainer', term, containerID, pipelineID });
    return this.state().container(containerID)!;
  }

  /**
   * Leader: `admin container create [--count N]` — N OPEN containers on an open pipeline of `replication`
   * (round-robin over the open pipelines), ids reserved in one replicated batch, added by replicated
   * `addContainers` entries of at most CONTAINERS_PER_ENTRY each; the pipelines' datanodes are asked to
   * create them. Returns the id range.
   */
  async createContainers(req: { count: number; replication: ReplicationConfig; owner: string }, options: { signal?: AbortSignal } = {}): Promise<{ first: number; last: number; count: number }> {
    if (!this.replicator.isLeaderReady()) throw new NotLeaderError(this.replicator.role(), this.replicator.leaderHint());
    if (!Number.isSafeInteger(req.count) || req.count < 1 || req.count > 10_000_000) throw new ScmManagerError('SCM_INVALID_ARGUMENT', `count must be 1..10000000, got ${String(req.count)}`);
    const open = await this.pipelines.openPipelines(req.replication, { ...options, timeoutMs: this.sizing.pipelineWaitMs });
    const { first, last } = await this.seq.reserve('containerId', req.count, options);
    const now = this.clock.wallTime().getTime();
    for (let start = first; start <= last; start += CONTAINERS_PER_ENTRY) {
      const containers: ContainerInfo[] = [];
      for (let id = start; id <= Math.min(last, start + CONTAINERS_PER_ENTRY - 1); id++) {
        containers.push({ containerID: id, state: 'OPEN', pipelineID: open[id % open.length]!.id, replicationConfig: req.replication, usedBytes: 0, numberOfKeys: 0, stateEnterTime: now, owner: req.owner, sequenceId: 0, deleteTransactionId: 0 });
      }
      const res = await this.replicator.submit({ type: 'addContainers', containers }, options);
      if (!res.ok) throw new ScmManagerError('SCM_ALLOCATION_FAILED', res.message);
      const term = this.replicator.term();
      for (const c of containers) for (const n of this.state().pipeline(c.pipelineID)?.nodes ?? []) this.nodes.queue(n.uuid, { type: 'createContainer', term, containerID: c.containerID, pipelineID: c.pipelineID });
    }
    this.logger.info('created containers', { first, last, owner: req.owner });
    return { first, last, count: req.count };
  }

  /** Leader: record usage, move to CLOSING and ask the datanodes to close (background, logged). */
  private finalize(containerID: number): void {
    if (this.closing.has(containerID)) return;
    this.closing.add(containerID);
    const u = this.usage.get(containerID) ?? { bytes: 0, blocks: 0 };
    void (async () => {
      const c = this.state().container(containerID);
      if (!c) return;
      await this.replicator.submit({ type: 'updateContainerInfo', containerID, usedBytes: u.bytes, numberOfKeys: u.blocks, sequenceId: c.sequenceId });
      const r = await this.replicator.submit({ type: 'updateContainerState', containerID, event: 'FINALIZE', at: this.clock.wallTime().getTime() });
      if (!r.ok) return;
      const term = this.replicator.term();
      for (const n of this.state().pipeline(c.pipelineID)?.nodes ?? []) this.nodes.queue(n.uuid, { type: 'closeContainer', term, containerID, pipelineID: c.pipelineID });
      this.logger.info('closing full container', { container: containerID, usedBytes: u.bytes, keys: u.blocks });
    })().catch((err: unknown) => {
      this.closing.delete(containerID);
      this.logger.warn('could not finalize container', { container: containerID, error: (err as Error).message });
    });
  }

  /** Leader: a datanode reported a CLOSING container CLOSED → replicate CLOSE. */
  private completeClose(containerID: number): void {
    const c = this.state().container(containerID);
    if (!c || c.state !== 'CLOSING' || this.closeSubmitted.has(containerID)) return;
    this.closeSubmitted.add(containerID);
    void this.replicator
      .submit({ type: 'updateContainerState', containerID, event: 'CLOSE', at: this.clock.wallTime().getTime() })
      .then((r) => {
        if (r.ok) {
          this.closing.delete(containerID);
          this.logger.info('container closed', { container: containerID });
        }
      })
      .catch((err: unknown) => this.logger.warn('could not close container', { container: containerID, error: (err as Error).message }))
      .finally(() => this.closeSubmitted.delete(containerID));
  }

  close(): void {
    for (const u of this.unsubscribe) u();
  }
}
