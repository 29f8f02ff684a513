/**
 * One handler per task kind (apply/tasks/<kind>.ts), in a map typed by kind: adding a task kind is its plan
 * type in plan-model.ts, its file, and one line here (the compiler refuses a missing one).
 */
import type { Task, TaskKind } from '../plan/plan-model.js';
import type { TaskContext } from './task-context.js';
import { runBackupScm } from './tasks/backup-scm.js';
import { runBootstrapScm } from './tasks/bootstrap-scm.js';
import { runCreateDirectories } from './tasks/create-directories.js';
import { runDecommissionScm } from './tasks/decommission-scm.js';
import { runInitScm } from './tasks/init-scm.js';
import { runInstallKeytab } from './tasks/install-keytab.js';
import { runInstallRuntime } from './tasks/install-runtime.js';
import { runMarkRestartPending } from './tasks/mark-restart-pending.js';
import { runRestartScm } from './tasks/restart-scm.js';
import { runRestoreScm } from './tasks/restore-scm.js';
import { runSetAsideScmData } from './tasks/set-aside-scm-data.js';
import { runStartScm } from './tasks/start-scm.js';
import { runStopScm } from './tasks/stop-scm.js';
import { runVerifyContainers } from './tasks/verify-containers.js';
import { runVerifyService } from './tasks/verify-service.js';
import { runWaitRing } from './tasks/wait-ring.js';
import { runWriteFile } from './tasks/write-file.js';

export type TaskHandler<K extends TaskKind> = (t: Extract<Task, { kind: K }>, ctx: TaskContext, progress: (m: string) => void) => Promise<string | undefined>;

export const TASK_HANDLERS: { readonly [K in TaskKind]: TaskHandler<K> } = {
  'install-runtime': runInstallRuntime,
  'create-directories': runCreateDirectories,
  'mark-restart-pending': runMarkRestartPending,
  'write-file': runWriteFile,
  'install-keytab': runInstallKeytab,
  'init-scm': runInitScm,
  'bootstrap-scm': runBootstrapScm,
  'decommission-scm': runDecommissionScm,
  'start-scm': runStartScm,
  'wait-ring': runWaitRing,
  'restart-scm': runRestartScm,
  'verify-service': runVerifyService,
  'stop-scm': runStopScm,
  'backup-scm': runBackupScm,
  'verify-containers': runVerifyContainers,
  'set-aside-scm-data': runSetAsideScmData,
  'restore-scm': runRestoreScm,
};

export function runTask(t: Task, ctx: TaskContext, progress: (m: string) => void): Promise<string | undefined> {
  const handler = TASK_HANDLERS[t.kind] as TaskHandler<TaskKind>;
  return handler(t as never, ctx, progress);
}
