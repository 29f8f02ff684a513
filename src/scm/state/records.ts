/**
 * The SCM's replicated records (what scm.db holds), with the field names Ozone's Jackson dump shows in
 * `ozone debug ldb scan` (ContainerInfo, Pipeline, DeletedBlocksTransaction). Plain JSON data, readonly.
 */

export type ReplicationType = 'RATIS' | 'STAND_ALONE' | 'EC';
export type ReplicationFactor = 'ONE' | 'THREE';

export interface ReplicationConfig {
  readonly replicationType: ReplicationType;
  readonly replicationFactor: ReplicationFactor;
}

export function replicationKey(r: ReplicationConfig): string {
  return `${r.replicationType}/${r.replicationFactor}`;
}

export function factorCount(f: ReplicationFactor): number {
  return f === 'THREE' ? 3 : 1;
}

export type ContainerState = 'OPEN' | 'CLOSING' | 'QUASI_CLOSED' | 'CLOSED' | 'DELETING' | 'DELETED';
export type LifeCycleEvent = 'FINALIZE' | 'QUASI_CLOSE' | 'CLOSE' | 'FORCE_CLOSE' | 'DELETE' | 'CLEANUP';

export interface ContainerInfo {
  readonly containerID: number;
  readonly state: ContainerState;
  readonly pipelineID: string;
  readonly replicationConfig: ReplicationConfig;
  readonly usedBytes: number;
  readonly numberOfKeys: number;
  readonly stateEnterTime: number;
  readonly owner: string;
  readonly sequenceId: number;
  readonly deleteTransactionId: number;
}

export type PipelineState = 'ALLOCATED' | 'OPEN' | 'DORMANT' | 'CLOSED';

export interface DatanodeDetails {
  readonly uuid: string;
  readonly hostName: string;
  readonly ipAddress: string;
}

export interface PipelineInfo {
  readonly id: string;
  readonly replicationConfig: ReplicationConfig;
  readonly state: PipelineState;
  readonly nodes: readonly DatanodeDetails[];
  readonly leaderId: string | null;
  readonly creationTimestamp: number;
}

export interface DeletedBlocksTransaction {
  readonly txID: number;
  readonly containerID: number;
  readonly localID: readonly number[];
  readonly count: number;
}

/** SequenceIdType names as stored in the sequenceId family (SIT). */
export const SEQUENCE_ID_TYPES = ['localId', 'delTxnId', 'containerId', 'CertificateId'] as const;
export type SequenceIdType = (typeof SEQUENCE_ID_TYPES)[number];

export type CertRole = 'SCM' | 'OM' | 'DATANODE' | 'ADMIN';

/** Revoked certificates, kept replicated in `statefulServiceConfig` under `CertificateRevocations`. */
export interface CertificateRevocations {
  readonly serials: Readonly<Record<string, { readonly reason: string; readonly at: number }>>;
}
export const CERT_REVOCATIONS_SERVICE = 'CertificateRevocations';

/** Container lifecycle (Ozone ContainerStateManager): event → allowed source states → target. */
export const CONTAINER_TRANSITIONS: Readonly<Record<LifeCycleEvent, { readonly from: readonly ContainerState[]; readonly to: ContainerState }>> = {
  FINALIZE: { from: ['OPEN'], to: 'CLOSING' },
  QUASI_CLOSE: { from: ['CLOSING'], to: 'QUASI_CLOSED' },
  CLOSE: { from: ['CLOSING', 'QUASI_CLOSED'], to: 'CLOSED' },
  FORCE_CLOSE: { from: ['QUASI_CLOSED'], to: 'CLOSED' },
  DELETE: { from: ['CLOSED'], to: 'DELETING' },
  CLEANUP: { from: ['DELETING'], to: 'DELETED' },
};

export const PIPELINE_TRANSITIONS: Readonly<Record<PipelineState, readonly PipelineState[]>> = {
  ALLOCATED: ['OPEN', 'CLOSED'],
  OPEN: ['DORMANT', 'CLOSED'],
  DORMANT: ['OPEN', 'CLOSED'],
  CLOSED: [],
};
