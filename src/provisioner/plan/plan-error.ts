/**
 * Errors of planning (docs/plan-apply.md lists every code with its fix). The three dangerous states are
 * also carried as PlanProblems inside a plan, with the same codes.
 */
import { CodedError } from '../../common/coded-error.js';

export type PlanErrorCode =
  /** the SCMs of one service carry different clusterIDs in their VERSION files */
  | 'PLAN_CLUSTER_ID_CONFLICT'
  /** `--init` would create a second cluster: the primordial node has no VERSION but another node does */
  | 'PLAN_SECOND_CLUSTER'
  /** a host's SCM identity changed: its scmUuid (or its missing data) differs from the ring's member for that address */
  | 'PLAN_IDENTITY_CHANGED'
  /** a running standalone SCM would get Raft nodes: that is `scmctl migrate`'s job */
  | 'PLAN_NEEDS_MIGRATE'
  /** one or more hosts could not be read (SSH, sudo, facts) */
  | 'PLAN_HOSTS_UNREACHABLE'
  /** a preflight check failed and was not ignored */
  | 'PLAN_PREFLIGHT_FAILED'
  /** `--ignore-preflight-errors` names a check that does not exist */
  | 'PLAN_UNKNOWN_CHECK'
  /** a saved plan's hosts changed since it was made */
  | 'PLAN_STALE'
  /** a saved plan is not what scmctl plans from its own inputs (edited, or an embedded topology that does not validate) */
  | 'PLAN_TAMPERED'
  /** a saved plan file is unreadable or not a plan of this scmctl */
  | 'PLAN_FILE_INVALID'
  /** a command-line option has an unusable value */
  | 'PLAN_INVALID_OPTION';

export class PlanError extends CodedError<PlanErrorCode> {
  /** the hosts concerned, first = the one to look at */
  readonly hosts: readonly string[];
  constructor(code: PlanErrorCode, message: string, options: { cause?: unknown; hint?: string; hosts?: readonly string[] } = {}) {
    super(code, message, options);
    this.hosts = options.hosts ?? [];
  }
}
