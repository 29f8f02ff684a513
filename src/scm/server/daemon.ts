/**
 * `ozone --daemon start|stop|status scm` (docs/design.md §4.3, Hadoop's daemon wrapper semantics):
 * pid file `$OZONE_PID_DIR/ozone-<user>-scm.pid` (default /tmp), output appended to
 * `$OZONE_LOG_DIR/ozone-<user>-scm.out` (default `<install>/logs`).
 *  - start: when the SCM already runs, `scm is running as process N.  Stop it first.` on stderr and exit 1
 *    (hadoop_start_daemon_wrapper in Ozone's ozone-functions.sh); else spawn `ozone scm` detached, write the
 *    pid file, wait until the server logs "SCM started" (exit 0) or dies (exit 1 with the tail of the .out file);
 *  - stop: SIGTERM, wait up to `OZONE_STOP_TIMEOUT` seconds (default 30), then SIGKILL; pid file removed;
 *  - status: prints nothing; exit 0 when the pid file names a live `ozone scm` process, 1 when a pid file
 *    names a dead one, 3 when there is no pid file (hadoop_status_daemon, the LSB status codes).
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../common/clock.js';
import { ToolError } from '../tools/tool-error.js';
import type { ToolIo } from '../tools/tool-io.js';

export interface DaemonPaths {
  readonly pidFile: string;
  readonly outFile: string;
}

export function daemonPaths(env: Readonly<Record<string, string | undefined>>, installRoot: string, command = 'scm'): DaemonPaths {
  let user = env.USER ?? 'root';
  try {
    user = userInfo().username;
  } catch {
    /* keep USER */
  }
  const pidDir = env.OZONE_PID_DIR || '/tmp';
  const logDir = env.OZONE_LOG_DIR || join(env.OZONE_HOME || installRoot, 'logs');
  return { pidFile: join(pidDir, `ozone-${user}-${command}.pid`), outFile: join(logDir, `ozone-${user}-${command}.out`) };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // Guard against pid reuse: on Linux the process must be a node running our entry point.
  const cmdline = `/proc/${pid}/cmdline`;
  if (existsSync('/proc/self/cmdline')) {
    try {
      const args = readFileSync(cmdline, 'utf8').split('\0');
      return args.some((a) => a.endsWith('main.js')) && args.includes('scm');
    } catch {
      return false;
    }
  }
  return true;
}

export function runningPid(paths: DaemonPaths): number | undefined {
  if (!existsSync(paths.pidFile)) return undefined;
  const pid = Number(readFileSync(paths.pidFile, 'utf8').trim());
  return Number.isSafeInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
}

export async function daemonStart(
  paths: DaemonPaths,
  launch: { execPath: string; args: readonly string[]; env: NodeJS.ProcessEnv },
  clock: Clock,
  io: ToolIo,
  options: { readyTimeoutMs?: number; signal?: AbortSignal } = {},
): Promise<number> {
  const existing = runningPid(paths);
  if (existing !== undefined) {
    io.err(`scm is running as process ${existing}.  Stop it first.`);
    return 1;
  }
  mkdirSync(join(paths.pidFile, '..'), { recursive: true });
  mkdirSync(join(paths.outFile, '..'), { recursive: true });
  const offset = existsSync(paths.outFile) ? statSync(paths.outFile).size : 0;
  const fd = openSync(paths.outFile, 'a');
  let child;
  try {
    child = spawn(launch.execPath, [...launch.args], { detached: true, stdio: ['ignore', fd, fd], env: launch.env });
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new ToolError('DAEMON_FAILED', `could not start scm: ${launch.execPath}`);
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  child.unref();
  writeFileSync(paths.pidFile, `${pid}\n`);
  const deadline = clock.now() + (options.readyTimeoutMs ?? 60_000);
  const newOutput = (): string => {
    try {
      return readFileSync(paths.outFile).subarray(offset).toString('utf8');
    } catch {
      return '';
    }
  };
  while (clock.now() < deadline) {
    if (/SCM started/.test(newOutput())) {
      io.out(`Starting scm, logging to ${paths.outFile}`);
      return 0;
    }
    if (exited !== undefined) break;
    await clock.sleep(100, options.signal ? { signal: options.signal } : {});
  }
  const tail = newOutput().trim().split('\n').slice(-10).join('\n');
  if (exited !== undefined) {
    rmSync(paths.pidFile, { force: true });
    io.err(`ERROR: scm exited (code ${exited}) during startup. Last lines of ${paths.outFile}:\n${tail}`);
    return 1;
  }
  io.out(`Starting scm (pid ${pid}), logging to ${paths.outFile}; it has not reported "SCM started" yet`);
  return 0;
}

export async function daemonStop(paths: DaemonPaths, clock: Clock, io: ToolIo, options: { timeoutMs?: number } = {}): Promise<number> {
  const pid = runningPid(paths);
  if (pid === undefined) {
    rmSync(paths.pidFile, { force: true });
    io.out('no scm to stop');
    return 0;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = clock.now() + (options.timeoutMs ?? 30_000);
  while (clock.now() < deadline && alive(pid)) await clock.sleep(100);
  if (alive(pid)) {
    io.err(`WARNING: scm did not stop gracefully after ${Math.round((options.timeoutMs ?? 30_000) / 1000)} seconds: Trying to kill with kill -9`);
    process.kill(pid, 'SIGKILL');
    while (alive(pid)) await clock.sleep(50);
  }
  rmSync(paths.pidFile, { force: true });
  return 0;
}

/** exit code of `--daemon status`: 0 running, 1 pid file of a dead process, 3 not running (no output) */
export const DAEMON_STATUS_RUNNING = 0;
export const DAEMON_STATUS_STALE_PID = 1;
export const DAEMON_STATUS_NOT_RUNNING = 3;

export function daemonStatus(paths: DaemonPaths): number {
  if (!existsSync(paths.pidFile)) return DAEMON_STATUS_NOT_RUNNING;
  return runningPid(paths) === undefined ? DAEMON_STATUS_STALE_PID : DAEMON_STATUS_RUNNING;
}
