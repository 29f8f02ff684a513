/**
 * `ozone datanode [--count N]`: simulated datanodes in one process (§6 datanode behaviour). Each one
 * registers with EVERY configured SCM (datanode port 9861) and heartbeats to all of them every
 * `hdds.heartbeat.interval` with container, pipeline and node reports. Commands are executed only when
 *  - a majority of the SCM endpoints has answered a heartbeat (Ozone waits for that before acting),
 *  - the answering SCM says it is LEADER, and
 *  - the command's term is not below the highest term seen ("drop a command from a stale leader SCM").
 * After executing commands a datanode reports to every SCM at once. Datanode ids are derived from the
 * host prefix and index, so a restarted simulator comes back as the same datanodes — within one process
 * with the containers and pipelines they held (datanode-disk.ts), as real datanodes keep them on disk. On a
 * secure cluster the simulator authenticates with a datanode certificate for its host (`tls`), which speaks
 * for the datanodes `<host>-dn<N>` it simulates.
 */
import { createHash } from 'node:crypto';
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { ScmNode } from '../config/scm-topology.js';
import type { ContainerReplicaReport, DatanodeCommand, DatanodeProtocol, HeartbeatRequest } from '../protocols/datanode-protocol.js';
import type { ClientTls } from '../transport/tls-options.js';
import type { ContainerState, DatanodeDetails } from '../state/records.js';
import { RpcClient } from '../transport/rpc-client.js';
import { processDatanodeDisks, type DatanodeDisk, type DatanodeDisks } from './datanode-disk.js';

export function datanodeUuid(prefix: string, index: number): string {
  const h = createHash('sha1').update(`${prefix}#${index}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface SimulatorStats {
  executed: number;
  droppedStale: number;
  droppedNotLeader: number;
  droppedNoMajority: number;
  heartbeats: number;
  failedHeartbeats: number;
}

class SimDatanode {
  readonly pipelines: Map<string, { isLeader: boolean }>;
  readonly containers: Map<number, { state: ContainerState; pipelineID: string }>;
  maxTerm = 0;
  readonly healthyEndpoints = new Set<string>();
  /** a heartbeat round of this datanode is in flight; `again` = run another one right after it */
  busy = false;
  again = false;
  constructor(
    readonly details: DatanodeDetails,
    disk: DatanodeDisk,
  ) {
    this.pipelines = disk.pipelines;
    this.containers = disk.containers;
  }

  report(): HeartbeatRequest {
    const containers: ContainerReplicaReport[] = [...this.containers].map(([containerID, c]) => ({ containerID, state: c.state, usedBytes: 0, keyCount: 0 }));
    return {
      datanode: this.details,
      containers,
      pipelines: [...this.pipelines].map(([pipelineID, p]) => ({ pipelineID, isLeader: p.isLeader })),
      node: { capacity: 1024 ** 4, used: 0 },
    };
  }
}

export class DatanodeSimulator {
  private readonly datanodes: SimDatanode[];
  private readonly clients: Array<{ node: ScmNode; client: RpcClient<DatanodeProtocol> }>;
  private timer: TimerHandle | undefined;
  private stopped = false;
  private readonly inflight = new Set<Promise<void>>();
  readonly stats: SimulatorStats = { executed: 0, droppedStale: 0, droppedNotLeader: 0, droppedNoMajority: 0, heartbeats: 0, failedHeartbeats: 0 };

  constructor(
    scms: readonly ScmNode[],
    private readonly options: { count: number; prefix: string; intervalMs: number; clock: Clock; logger: Logger; tls?: ClientTls; disks?: DatanodeDisks },
  ) {
    const disks = options.disks ?? processDatanodeDisks;
    this.datanodes = Array.from({ length: options.count }, (_, i) => {
      const uuid = datanodeUuid(options.prefix, i + 1);
      return new SimDatanode({ uuid, hostName: `${options.prefix}-dn${i + 1}`, ipAddress: '127.0.0.1' }, disks.of(uuid));
    });
    this.clients = scms.map((node) => ({ node, client: new RpcClient<DatanodeProtocol>(node.host, node.ports.datanode, { timeoutMs: Math.max(5000, options.intervalMs * 3), connectTimeoutMs: 2000, ...(options.tls ? { tls: options.tls } : {}) }) }));
  }

  get uuids(): string[] {
    return this.datanodes.map((d) => d.details.uuid);
  }

  start(): void {
    this.round();
    this.timer = this.options.clock.setInterval(() => this.round(), this.options.intervalMs);
  }

  /** One heartbeat from every datanode to every SCM; what the last round changed goes to the disks first. */
  private round(): void {
    this.flushDisks();
    for (const dn of this.datanodes) this.track(this.beat(dn));
  }

  private flushDisks(): void {
    try {
      (this.options.disks ?? processDatanodeDisks).flush();
    } catch (err) {
      this.options.logger.warn('cannot write the simulated datanodes\' state', { error: (err as Error).message });
    }
  }

  private track(p: Promise<void>): void {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  private async beat(dn: SimDatanode): Promise<void> {
    if (this.stopped) return;
    if (dn.busy) {
      dn.again = true;
      return;
    }
    dn.busy = true;
    try {
      await this.beatOnce(dn);
    } finally {
      dn.busy = false;
    }
    if (dn.again && !this.stopped) {
      dn.again = false;
      this.track(this.beat(dn));
    }
  }

  private async beatOnce(dn: SimDatanode): Promise<void> {
    const majority = Math.floor(this.clients.length / 2) + 1;
    const responses = await Promise.all(
      this.clients.map(async ({ node, client }) => {
        try {
          if (!dn.healthyEndpoints.has(node.nodeId)) await client.call('register', { datanode: dn.details });
          const res = await client.call('heartbeat', dn.report());
          dn.healthyEndpoints.add(node.nodeId);
          this.stats.heartbeats++;
          return { node, res };
        } catch {
          dn.healthyEndpoints.delete(node.nodeId);
          this.stats.failedHeartbeats++;
          return undefined;
        }
      }),
    );
    let executed = false;
    for (const r of responses) {
      if (!r || r.res.commands.length === 0) continue;
      for (const cmd of r.res.commands) {
        if (dn.healthyEndpoints.size < majority) {
          this.stats.droppedNoMajority++;
          continue;
        }
        if (r.res.role !== 'LEADER') {
          this.stats.droppedNotLeader++;
          continue;
        }
        if (cmd.term < dn.maxTerm) {
          this.stats.droppedStale++;
          this.options.logger.warn('Detect and drop a SCMCommand from stale leader SCM', { datanode: dn.details.hostName, command: cmd.type, term: cmd.term, maxTerm: dn.maxTerm, scm: r.node.nodeId });
          continue;
        }
        dn.maxTerm = Math.max(dn.maxTerm, cmd.term);
        this.execute(dn, cmd);
        executed = true;
      }
    }
    if (executed) dn.again = true; // report the new state to every SCM right away
  }

  private execute(dn: SimDatanode, cmd: DatanodeCommand): void {
    this.stats.executed++;
    switch (cmd.type) {
      case 'createPipeline':
        dn.pipelines.set(cmd.pipelineID, { isLeader: cmd.members[0] === dn.details.uuid });
        break;
      case 'closePipeline':
        dn.pipelines.delete(cmd.pipelineID);
        break;
      case 'createContainer':
        if (!dn.containers.has(cmd.containerID)) dn.containers.set(cmd.containerID, { state: 'OPEN', pipelineID: cmd.pipelineID });
        break;
      case 'closeContainer':
        dn.containers.set(cmd.containerID, { state: 'CLOSED', pipelineID: cmd.pipelineID });
        break;
      default: {
        const never: never = cmd;
        this.options.logger.warn('unknown command', { command: JSON.stringify(never) });
      }
    }
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    // closing the clients ends calls still waiting on an SCM that does not answer; then nothing is left
    await Promise.all(this.clients.map((c) => c.client.close()));
    await Promise.allSettled([...this.inflight]);
    this.flushDisks();
  }
}
