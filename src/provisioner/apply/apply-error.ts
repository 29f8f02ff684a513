/**
 * Errors of apply, unlock and the runtime bundle cache. Every error about a host names it (`host NAME: …`,
 * and `host`). docs/plan-apply.md lists every code with its fix.
 */
import { CodedError } from '../../common/coded-error.js';

export type ApplyErrorCode =
  /** another apply holds the cluster lock */
  | 'APPLY_LOCKED'
  /** `scmctl unlock`: no host holds a lock with that id */
  | 'APPLY_LOCK_NOT_FOUND'
  /** there are changes, stdin is not a terminal and --yes was not given */
  | 'APPLY_NOT_CONFIRMED'
  /** the operator answered no */
  | 'APPLY_DECLINED'
  /** interrupted (SIGINT) or --timeout reached */
  | 'APPLY_INTERRUPTED'
  | 'APPLY_TIMEOUT'
  /** the plan cannot run: preflight failures or refused states */
  | 'APPLY_PLAN_BLOCKED'
  /** `mkdir` of managed directories failed */
  | 'APPLY_DIRECTORY_FAILED'
  /** `ozone scm --init` failed */
  | 'APPLY_SCM_INIT_FAILED'
  /** just before `--init`: another node of the service already has a VERSION (second cluster) */
  | 'APPLY_SECOND_CLUSTER'
  /** `ozone scm --bootstrap` failed (exit 255: the node belongs to another cluster) */
  | 'APPLY_SCM_BOOTSTRAP_FAILED'
  | 'APPLY_SCM_START_FAILED'
  | 'APPLY_SCM_STOP_FAILED'
  /** a step that needs the SCM stopped found it running */
  | 'APPLY_SCM_RUNNING'
  /** moving a node's data directories aside (repair) failed; nothing was deleted */
  | 'APPLY_SET_ASIDE_FAILED'
  /** the keytab on this machine is gone or differs from the one planned */
  | 'APPLY_KEYTAB_CHANGED'
  /** unpacking a backup onto a node failed, or the node already holds another cluster */
  | 'APPLY_RESTORE_FAILED'
  /** secure cluster: no join token could be minted on a running SCM (`ozone admin scm token create`) */
  | 'APPLY_TOKEN_FAILED'
  /** `ozone admin scm decommission` of a ring member the topology does not declare failed */
  | 'APPLY_DECOMMISSION_FAILED'
  /** `ozone admin scm transfer` failed */
  | 'APPLY_TRANSFER_FAILED'
  /** a health gate (leader, ring membership) was not reached in time */
  | 'APPLY_HEALTH_TIMEOUT'
  /** the final verification found more than one clusterID, no or several leaders, or a node outside the ring */
  | 'APPLY_VERIFY_FAILED'
  /** migrate: the backup of the existing SCM could not be made */
  | 'APPLY_BACKUP_FAILED'
  /** migrate: the nodes' container metadata differ, or a container recorded before the migration is missing */
  | 'APPLY_CONTAINERS_DIFFER'
  /** the runtime bundle is not the one the plan was made for */
  | 'APPLY_BUNDLE_MISMATCH'
  /** the journal or state directory cannot be written */
  | 'APPLY_STATE_FAILED';

export class ApplyError extends CodedError<ApplyErrorCode> {
  readonly host: string | undefined;
  constructor(code: ApplyErrorCode, message: string, options: { cause?: unknown; hint?: string; host?: string } = {}) {
    super(code, options.host ? `host ${options.host}: ${message}` : message, options);
    this.host = options.host;
  }
}
