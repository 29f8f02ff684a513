/**
 * The end of every command that changes hosts from a plan (apply, repair, restore): take the cluster lock,
 * journal and run the plan (apply/locked-run.ts), resuming an interrupted run of this machine, then report:
 * the NDJSON result line with --output json, the command's own success line, or what failed and how to go on.
 * Returns the exit code (0 done, 1 failed, 130 interrupted).
 */
import { hostname } from 'node:os';
import type { ClusterSession } from '../session/cluster-session.js';
import { eventLine } from '../apply/event-lines.js';
import { ApplyError } from '../apply/apply-error.js';
import type { ApplyOutcome, ExecutorDeps } from '../apply/executor.js';
import { readLastRun, type LastRun } from '../apply/journal.js';
import { runLocked, type LockedRun } from '../apply/locked-run.js';
import { journalPath } from '../apply/state-dirs.js';
import type { CommandContext } from '../command.js';
import { isRunnable, type Plan } from '../plan/plan-model.js';
import { formatPlan } from '../plan/plan-text.js';
import type { Topology } from '../topology/model.js';
import { shows } from '../verbosity.js';
import { localUser, reportBlocked } from './cluster-input.js';
import { errorJson, writeFailureJson } from './json-output.js';
import { planJson } from './plan.js';
import { reportUnfinished } from './run-control.js';

export interface PlanRun {
  readonly plan: Plan;
  readonly topology: Topology;
  readonly topologyFile: string;
  readonly session: ClusterSession;
  readonly verb: LockedRun['verb'];
  readonly json: boolean;
  /** the command's context (its stdout/stderr) and the run's (its signal) */
  readonly ctx: CommandContext;
  readonly runCtx: CommandContext;
  readonly signal: AbortSignal;
  readonly say: (text: string) => void;
  readonly executor: Omit<ExecutorDeps, 'hosts' | 'onEvent' | 'signal'>;
  /** the interrupted run to resume, when the caller already looked it up; default: looked up here */
  readonly resume?: LastRun | null;
  /** printed when everything was done (doneOf, when given, is told how many tasks ran) */
  readonly done: string;
  readonly doneOf?: (completed: number) => string;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** An interrupted run of this machine whose process is gone: this run resumes it. */
export function resumable(last: LastRun | null, machine: string): LastRun | null {
  if (!last || last.ended) return null;
  if (last.start.hostname !== machine) return null;
  return pidAlive(last.start.pid) ? null : last;
}

/**
 * Shows the plan a command is about to run (NDJSON `plan` event with --output json, else the text — at
 * --log-level warn/error only when the run will ask for confirmation, `asks`) and, when it cannot run, why
 * (refused states, failed checks) on stderr, and with --output json as the closing `result` event.
 * Returns whether it can run.
 */
export function showPlan(ctx: CommandContext, p: Plan, json: boolean, asks = true): boolean {
  const runnable = isRunnable(p);
  if (json) ctx.stdout.write(eventLine({ type: 'plan', plan: planJson(p) }));
  else if (shows(ctx, 'info') || asks || !runnable) ctx.stdout.write(formatPlan(p));
  if (runnable) return true;
  const blocked = reportBlocked(ctx.stderr, p);
  if (json && blocked) writeFailureJson(ctx.stdout, 'events', blocked);
  return false;
}

/** The journal of a cluster on this machine. */
export function clusterJournal(ctx: CommandContext, topology: Topology): string {
  return journalPath(ctx.env, topology.name, topology.hosts.map((h) => h.address));
}

/** The closing NDJSON `result` event of a run that executed; a failed one carries its first error (json-output.ts). */
export function resultLine(outcome: ApplyOutcome, signal: AbortSignal): string {
  const first = outcome.failures[0]?.error ?? (outcome.interrupted ? (signal.reason instanceof ApplyError ? signal.reason : new ApplyError('APPLY_INTERRUPTED', 'interrupted; nothing more was started', {})) : undefined);
  return eventLine({
    type: 'result',
    ok: outcome.ok,
    interrupted: outcome.interrupted,
    completed: outcome.completed,
    skipped: outcome.skipped,
    failures: outcome.failures.length,
    ...(!outcome.ok && first !== undefined ? { error: errorJson(first) } : {}),
  });
}

export async function runPlanLocked(r: PlanRun): Promise<number> {
  const jpath = clusterJournal(r.ctx, r.topology);
  const outcome = await runLocked({
    plan: r.plan,
    cluster: r.topology.name,
    topologyFile: r.topologyFile,
    session: r.session,
    journalPath: jpath,
    resume: r.resume !== undefined ? r.resume : resumable(readLastRun(jpath), hostname()),
    json: r.json,
    verb: r.verb,
    ctx: r.runCtx,
    localUser: localUser(),
    executor: r.executor,
  });
  if (r.json) r.ctx.stdout.write(resultLine(outcome, r.signal));
  if (outcome.ok) {
    r.say(r.doneOf ? r.doneOf(outcome.completed) : r.done);
    return 0;
  }
  return reportUnfinished(r.ctx, outcome, r.signal, r.verb, 'run it again: it continues from where the hosts are');
}
