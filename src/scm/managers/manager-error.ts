/** Errors of the SCM's leader-side managers (allocation, pipelines, cluster membership). */
import { CodedError } from '../../common/coded-error.js';

export type ScmManagerErrorCode =
  | 'SCM_NOT_ENOUGH_DATANODES'
  | 'SCM_PIPELINE_TIMEOUT'
  | 'SCM_INVALID_ARGUMENT'
  | 'SCM_ALLOCATION_FAILED'
  | 'SCM_CLUSTER_ID_MISMATCH'
  | 'SCM_SECURITY_DISABLED';

export class ScmManagerError extends CodedError<ScmManagerErrorCode> {}
