/**
 * What datanodes and SCMs exchange on the datanode port (9861). Every SCM accepts registrations and
 * heartbeats with reports; only the leader returns commands, each stamped with the leader's term so a
 * datanode can drop commands of a stale leader (§6).
 */
import type { ContainerState, DatanodeDetails } from '../state/records.js';

export interface ContainerReplicaReport {
  readonly containerID: number;
  readonly state: ContainerState;
  readonly usedBytes: number;
  readonly keyCount: number;
}

export interface PipelineReport {
  readonly pipelineID: string;
  readonly isLeader: boolean;
}

export interface NodeReport {
  readonly capacity: number;
  readonly used: number;
}

export interface HeartbeatRequest {
  readonly datanode: DatanodeDetails;
  readonly containers?: readonly ContainerReplicaReport[];
  readonly pipelines?: readonly PipelineReport[];
  readonly node?: NodeReport;
}

export type DatanodeCommand =
  | { readonly type: 'createPipeline'; readonly term: number; readonly pipelineID: string; readonly members: readonly string[] }
  | { readonly type: 'closePipeline'; readonly term: number; readonly pipelineID: string }
  | { readonly type: 'createContainer'; readonly term: number; readonly containerID: number; readonly pipelineID: string }
  | { readonly type: 'closeContainer'; readonly term: number; readonly containerID: number; readonly pipelineID: string };

export interface HeartbeatResponse {
  /** role of the answering SCM and its view of the term */
  readonly role: string;
  readonly term: number;
  readonly scmUuid: string;
  readonly commands: readonly DatanodeCommand[];
}

export interface RegisterResponse {
  readonly clusterId: string;
  readonly scmUuid: string;
}
