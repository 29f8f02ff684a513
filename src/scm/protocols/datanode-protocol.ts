/**
 * The datanode protocol (9861): what datanodes and SCMs exchange. Every SCM accepts registrations and
 * heartbeats with reports; only the leader returns commands, each stamped with the leader's term so a
 * datanode can drop commands of a stale leader (§6). In secure mode only datanode certificates may call
 * it, and a datanode certificate speaks for the datanodes of its own host (security/access-policy.ts).
 */
import type { ContainerState, DatanodeDetails } from '../state/records.js';
import { arr, bool, int, literal, obj, optional, str, type Infer } from '../transport/params-guard.js';
import { unary } from '../transport/protocol-definition.js';
import { datanodeDetailsGuard } from './record-guards.js';

/** container and pipeline reports: bounded by the datanode port's frame size as well */
const MAX_REPORTS = 2_000_000;

const containerReplicaReport = obj({
  containerID: int({ min: 1 }),
  state: literal('OPEN', 'CLOSING', 'QUASI_CLOSED', 'CLOSED', 'DELETING', 'DELETED'),
  usedBytes: int({ min: 0 }),
  keyCount: int({ min: 0 }),
});
const pipelineReport = obj({ pipelineID: str({ max: 64 }), isLeader: bool() });
const nodeReport = obj({ capacity: int({ min: 0 }), used: int({ min: 0 }) });

export const heartbeatRequest = obj({
  datanode: datanodeDetailsGuard,
  containers: optional(arr(containerReplicaReport, { max: MAX_REPORTS })),
  pipelines: optional(arr(pipelineReport, { max: MAX_REPORTS })),
  node: optional(nodeReport),
});

export type ContainerReplicaReport = Infer<typeof containerReplicaReport> & { readonly state: ContainerState };
export type PipelineReport = Infer<typeof pipelineReport>;
export type HeartbeatRequest = Infer<typeof heartbeatRequest>;

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

export const datanodeProtocol = {
  register: unary<RegisterResponse>()(obj({ datanode: datanodeDetailsGuard })),
  heartbeat: unary<HeartbeatResponse>()(heartbeatRequest),
} as const;
export type DatanodeProtocol = typeof datanodeProtocol;

export type { DatanodeDetails };
