/**
 * Replicated SCM commands (the `@Replicate` methods of Ozone's state managers, §6). A command carries every
 * input its effect depends on — ids, timestamps and choices are made by the leader before proposing — so
 * applying it is deterministic on every SCM. Grouped by Ozone's RequestType in `requestType`.
 */
import type { JoinTokenRecord } from './join-token-records.js';
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
  /** a certificate no longer proves anything (decommissioned SCM, revoked identity); `at` = leader's time */
  | { readonly type: 'revokeCertificate'; readonly serial: string; readonly reason: string; readonly at: number }
  /** a new join token (hashed); records that ended more than a day before `token.createdAt` are dropped */
  | { readonly type: 'addJoinToken'; readonly token: JoinTokenRecord }
  /** one use of a token at `at` (the leader's time): rejected when unknown, revoked, expired or used up */
  | { readonly type: 'useJoinToken'; readonly id: string; readonly at: number }
  | { readonly type: 'revokeJoinToken'; readonly id: string; readonly at: number }
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
    case 'revokeCertificate':
      return 'CERT_STORE';
    case 'addJoinToken':
    case 'useJoinToken':
    case 'revokeJoinToken':
      return 'STATEFUL_SERVICE_CONFIG';
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
  | 'CERT_NOT_FOUND'
  | 'TOKEN_EXISTS'
  | 'TOKEN_INVALID'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_EXHAUSTED'
  | 'TOKEN_REVOKED'
  | 'INVALID_COMMAND';
