/**
 * Datanodes as this SCM sees them (not replicated — every SCM receives every datanode's reports, §6):
 * registration, last heartbeat, health (HEALTHY → STALE → DEAD by `ozone.scm.stale/dead.node.interval`),
 * the latest container/pipeline reports, and — on the leader only — the queue of commands per datanode.
 * Queues are dropped on every role change; commands carry the term they were queued in.
 */
import type { Clock } from '../../common/clock.js';
import type { Replicator } from '../replication/replicator.js';
import type { DatanodeDetails } from '../state/records.js';
import type { ContainerReplicaReport, DatanodeCommand, HeartbeatRequest, PipelineReport } from '../protocols/datanode-protocol.js';

export type NodeHealth = 'HEALTHY' | 'STALE' | 'DEAD';

export interface DatanodeRecord {
  readonly details: DatanodeDetails;
  lastHeartbeat: number;
  containers: readonly ContainerReplicaReport[];
  pipelines: readonly PipelineReport[];
}

export interface ReportListener {
  (dn: DatanodeRecord, req: HeartbeatRequest): void;
}

export class NodeManager {
  private readonly nodes = new Map<string, DatanodeRecord>();
  /** per datanode: its commands in order, and their keys (a command already queued is not queued twice) */
  private readonly queues = new Map<string, { readonly list: DatanodeCommand[]; readonly keys: Set<string> }>();
  private readonly listeners = new Set<ReportListener>();
  private readonly registerListeners = new Set<(details: DatanodeDetails) => void>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly replicator: Replicator,
    private readonly clock: Clock,
    private readonly intervals: { staleMs: number; deadMs: number },
  ) {
    this.unsubscribe = replicator.onRoleChange(() => this.queues.clear());
  }

  register(details: DatanodeDetails): void {
    const existing = this.nodes.get(details.uuid);
    if (existing) existing.lastHeartbeat = this.clock.now();
    else this.nodes.set(details.uuid, { details, lastHeartbeat: this.clock.now(), containers: [], pipelines: [] });
    for (const l of this.registerListeners) l(details);
  }

  /** Records a heartbeat with its reports; returns (and removes) the commands queued for it. */
  heartbeat(req: HeartbeatRequest): DatanodeCommand[] {
    this.register(req.datanode);
    const rec = this.nodes.get(req.datanode.uuid)!;
    rec.lastHeartbeat = this.clock.now();
    if (req.containers) rec.containers = req.containers;
    if (req.pipelines) rec.pipelines = req.pipelines;
    for (const l of this.listeners) l(rec, req);
    if (!this.replicator.isLeaderReady()) return [];
    const q = this.queues.get(req.datanode.uuid);
    this.queues.delete(req.datanode.uuid);
    const term = this.replicator.term();
    return (q?.list ?? []).filter((c) => c.term === term);
  }

  /** Leader only: queue a command for a datanode, stamped with the current term (a command already queued is not queued twice). */
  queue(uuid: string, command: DatanodeCommand): boolean {
    if (!this.replicator.isLeaderReady()) return false;
    let q = this.queues.get(uuid);
    if (!q) {
      q = { list: [], keys: new Set() };
      this.queues.set(uuid, q);
    }
    const key = JSON.stringify(command);
    if (q.keys.has(key)) return true;
    q.keys.add(key);
    q.list.push(command);
    return true;
  }

  /** Told about every registration (explicit, or implied by a heartbeat) — safe mode counts datanodes here. */
  onRegister(listener: (details: DatanodeDetails) => void): () => void {
    this.registerListeners.add(listener);
    return () => this.registerListeners.delete(listener);
  }

  onReport(listener: ReportListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  health(rec: DatanodeRecord): NodeHealth {
    const age = this.clock.now() - rec.lastHeartbeat;
    return age >= this.intervals.deadMs ? 'DEAD' : age >= this.intervals.staleMs ? 'STALE' : 'HEALTHY';
  }

  all(): DatanodeRecord[] {
    return [...this.nodes.values()];
  }

  healthy(): DatanodeRecord[] {
    return this.all().filter((n) => this.health(n) === 'HEALTHY');
  }

  get(uuid: string): DatanodeRecord | undefined {
    return this.nodes.get(uuid);
  }

  counts(): Record<NodeHealth, number> {
    const c: Record<NodeHealth, number> = { HEALTHY: 0, STALE: 0, DEAD: 0 };
    for (const n of this.nodes.values()) c[this.health(n)]++;
    return c;
  }

  close(): void {
    this.unsubscribe();
    this.queues.clear();
    this.listeners.clear();
    this.registerListeners.clear();
  }
}
