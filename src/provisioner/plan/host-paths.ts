/**
 * Files scmctl itself keeps on hosts, next to the configuration it manages (never under data directories):
 *  - `<node config>/.scmctl-restart-pending`: written before a running SCM's config or runtime is replaced,
 *    removed once the SCM runs again on the new one. Facts report it (it is probed as a managed file), so a
 *    crash between the push and the restart is not forgotten by the next plan.
 *  - `<host config>/.scmctl-apply.lock`: the apply lock of the host (apply/cluster-lock.ts).
 */
import { posix } from 'node:path';

export const RESTART_MARKER_NAME = '.scmctl-restart-pending';
export const LOCK_FILE_NAME = '.scmctl-apply.lock';

export function restartMarkerPath(configDir: string): string {
  return posix.join(configDir, RESTART_MARKER_NAME);
}

export function lockFilePath(configDir: string): string {
  return posix.join(configDir, LOCK_FILE_NAME);
}
