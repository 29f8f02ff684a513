/**
 * Errors of `scmctl migrate` (docs/migrate.md lists every code with its fix). The refusals found while
 * planning are also carried as PlanProblems with the same codes.
 */
import { CodedError } from '../../common/coded-error.js';

export type MigrateErrorCode =
  /** `--add-nodes` is malformed, names an existing node on another host, or the topology cannot take it */
  | 'MIGRATE_BAD_ADD_NODES'
  /** `--add-nodes` needs a YAML topology to extend (an imported ozone-site.xml cannot be rewritten) */
  | 'MIGRATE_NEEDS_YAML'
  /** the topology has several services and `--service-id` does not say which one grows */
  | 'MIGRATE_SERVICE_UNKNOWN'
  /** the target topology keeps Ratis off: there is nothing to migrate to */
  | 'MIGRATE_RATIS_OFF'
  /** no SCM of the service is initialised: there is nothing to migrate */
  | 'MIGRATE_NO_EXISTING_SCM'
  /** the ring has members the topology no longer lists: migrate only adds SCMs */
  | 'MIGRATE_SHRINK'
  /** the existing SCM's clusterID is not the one recorded when the migration began */
  | 'MIGRATE_CLUSTER_CHANGED'
  /** an unfinished migration exists: continue it with --resume */
  | 'MIGRATE_IN_PROGRESS'
  /** --resume, but no unfinished migration is recorded for this cluster */
  | 'MIGRATE_NOTHING_TO_RESUME'
  /** the migration record on the operator machine cannot be read or written */
  | 'MIGRATE_STATE_INVALID';

export class MigrateError extends CodedError<MigrateErrorCode> {}
