/**
 * What a simulated datanode keeps across a restart of its simulator within one process: the containers and
 * Ratis pipelines it holds. A real datanode keeps both on its disks and reports them again when it comes
 * back — which a restarted SCM's safe mode waits for (container and pipeline rules) — so a simulator
 * restarted with the same prefix returns with the same replicas. Keyed by datanode uuid; a new process
 * starts with empty disks (an `ozone datanode` restart is a datanode that lost its disks).
 */
import type { ContainerState } from '../state/records.js';

export interface DatanodeDisk {
  readonly pipelines: Map<string, { isLeader: boolean }>;
  readonly containers: Map<number, { state: ContainerState; pipelineID: string }>;
}

export class DatanodeDisks {
  private readonly disks = new Map<string, DatanodeDisk>();

  of(uuid: string): DatanodeDisk {
    let d = this.disks.get(uuid);
    if (!d) this.disks.set(uuid, (d = { pipelines: new Map(), containers: new Map() }));
    return d;
  }
}

/** The disks of this process's simulated datanodes (the default of DatanodeSimulator). */
export const processDatanodeDisks = new DatanodeDisks();
