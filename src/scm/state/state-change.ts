/**
 * What applying a command does to scm.db: a list of per-family puts/deletes (value null = delete). The
 * storage layer encodes them into one atomic batch together with `#TRANSACTIONINFO`; the in-memory state
 * folds the same list (scm-state.ts), so memory and disk cannot drift.
 */
import type { ContainerInfo, DeletedBlocksTransaction, PipelineInfo, SequenceIdType } from './records.js';

export type StateChange =
  | { readonly cf: 'containers'; readonly key: number; readonly value: ContainerInfo | null }
  | { readonly cf: 'pipelines'; readonly key: string; readonly value: PipelineInfo | null }
  | { readonly cf: 'sequenceId'; readonly key: SequenceIdType; readonly value: number }
  | { readonly cf: 'deletedBlocks'; readonly key: number; readonly value: DeletedBlocksTransaction | null }
  | { readonly cf: 'validCerts' | 'validSCMCerts'; readonly key: string; readonly value: string | null }
  | { readonly cf: 'meta'; readonly key: string; readonly value: string | null }
  | { readonly cf: 'statefulServiceConfig'; readonly key: string; readonly value: unknown };

export type StateFamily = StateChange['cf'];
