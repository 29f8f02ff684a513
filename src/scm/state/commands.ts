/**
 * Replicated SCM commands (the `@Replicate` methods of Ozone's state managers, §6). A command carries every
 * input its effect depends on — ids, timestamps and choices are made by the leader before proposing — so
 * applying it is deterministic on every SCM. Grouped by Ozone's RequestType in `requestType`.
 */
import type { CertRole, ContainerInfo, DeletedBlocksTransaction, LifeCycleEvent, PipelineInfo, PipelineState, SequenceIdType } from './records.js';

export type ScmCommand =
  /** CAS of an id batch (SIG allocateBatch): succeeds iff the stored last id is `expectedLastId`. */
  | { readonly type: 'allocateBatch'; readonly sequence: SequenceIdType; readonly expectedLastId: number; readonly newLastId: number }
  | { readonly type: 'addContainer'; readonly container: ContainerInfo }
  /** Many containers in one entry (bulk `admin container create --count`): all are added or none. */
  | { readonly type: 'addContainers'; readonly containers: readonly ContainerInfo[] }
  | { readonly type: 'updateContainerState'; readonly containerID: number; readonly event: LifeCycleEvent; readonly at: number }
  | { readonly type: 'updateContainerInfo'; readonly containerID: number; readonly usedBytes: number; readonly numberOfKeys: number; readonly sequenceId: number }
  | { readonly type: 'addPipeline'; readonly pipeline: PipelineInfo }
  | { readonly type: 'updatePipelineState'; readonly pipelineID: string; readonly state: PipelineState; readonly leaderId?: string | null }
  | { readonly type: 'removePipeline'; readonly pipelineID: string }
  | { readonly type: 'addTransactionsToDB'; readonly transactions: readonly DeletedBlocksTransaction[] }
  | { readonly type: 'removeTransactionsFromDB'; readonly txIDs: readonly number[] }
  | { readonly type: 'storeValidCertificate'; readonly serial: string; readonly pem: string; readonly role: CertRole }
  | { readonly type: 'saveConfiguration'; readonly serviceName: string; readonly config: unknown }
  | { readonly type: 'deleteConfiguration'; readonly serviceName: string }
  | { readonly type: 'finalizeLayoutFeature'; readonly layoutVersion: number };

export type ScmCommandType = ScmCommand['type'];

export type RequestType = 'SEQUENCE_ID' | 'CONTAINER' | 'PIPELINE' | 'BLOCK' | 'CERT_STORE' | 'STATEFUL_SERVICE_CONFIG' | 'FINALIZE';

export function requestType(c: ScmCommand): RequestType {
  switch (c.type) {
    case 'allocateBatch':
      return 'SEQUENCE_ID';
    case 'addContainer':
    case 'addContainers':
    case 'updateContainerState':
    case 'updateContainerInfo':
      return 'CONTAINER';
    case 'addPipeline':
    case 'updatePipelineState':
    case 'removePipeline':
      return 'PIPELINE';
    case 'addTransactionsToDB':
    case 'removeTransactionsFromDB':
      return 'BLOCK';
    case 'storeValidCertificate':
      return 'CERT_STORE';
    case 'saveConfiguration':
    case 'deleteConfiguration':
      return 'STATEFUL_SERVICE_CONFIG';
    case 'finalizeLayoutFeature':
      return 'FINALIZE';
    default: {
      const never: never = c;
      return never;
    }
  }
}

/** Deterministic outcome of applying a command. A rejection still consumes the log index. */
export type CommandResult =
  | { readonly ok: true; readonly value?: unknown }
  | { readonly ok: false; readonly code: RejectionCode; readonly message: string };

export type RejectionCode =
  | 'SEQUENCE_CONFLICT'
  | 'CONTAINER_EXISTS'
  | 'CONTAINER_NOT_FOUND'
  | 'INVALID_CONTAINER_TRANSITION'
  | 'PIPELINE_EXISTS'
  | 'PIPELINE_NOT_FOUND'
  | 'INVALID_PIPELINE_TRANSITION'
  | 'CERT_EXISTS'
  | 'INVALID_COMMAND';
