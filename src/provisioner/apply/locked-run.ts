/**
 * Runs a plan the way apply and migrate both do: takes the cluster lock on every host (taking over the lock
 * of the interrupted run it resumes), journals every event, shows progress (listr2 tree on a terminal,
 * plain timestamped lines with heartbeats otherwise or with NO_COLOR, none at --log-level warn/error,
 * NDJSON events with --output json), executes, and releases the lock whatever happened (every task
 * leaves its host consistent; a re-run plans again).
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { CommandContext } from '../command.js';
import type { Plan } from '../plan/plan-model.js';
import type { ApplyEvent } from './apply-events.js';
import { acquireClusterLock, newLockId, releaseClusterLock, type LockInfo, type LockTarget } from './cluster-lock.js';
import type { ClusterSession } from '../session/cluster-session.js';
import { eventLine } from './event-lines.js';
import { executePlan, type ApplyOutcome, type ExecutorDeps } from './executor.js';
import { Journal, type LastRun } from './journal.js';
import { startListrView } from './listr-view.js';
import { shows } from '../verbosity.js';

export interface LockedRun {
  readonly plan: Plan;
  readonly cluster: string;
  readonly topologyFile: string;
  readonly session: ClusterSession;
  readonly journalPath: string;
  /** the interrupted run this one continues, if any */
  readonly resume: LastRun | null;
  readonly json: boolean;
  /** shown in "Resuming the <verb> interrupted at …" */
  readonly verb: 'apply' | 'migration' | 'repair' | 'restore';
  /** `ctx.signal` aborts the run */
  readonly ctx: CommandContext;
  readonly localUser: string;
  readonly executor: Omit<ExecutorDeps, 'hosts' | 'onEvent' | 'signal'>;
  /** every event, after the journal and the view saw it */
  readonly onEvent?: (e: ApplyEvent) => void;
}

function lockTargets(p: Plan): LockTarget[] {
  return Object.values(p.hosts).map((h) => ({ name: h.name, lockPath: h.lockPath, sudo: h.sudo }));
}

export async function runLocked(r: LockedRun): Promise<ApplyOutcome> {
  const { ctx, plan: p, json, resume } = r;
  const signal = ctx.signal;
  const say = (line: string): void => void (json ? ctx.stderr : ctx.stdout).write(line);
  const machine = hostname();
  const lockId = resume?.start.lockId ?? newLockId();
  const info: LockInfo = { id: lockId, owner: `${r.localUser}@${machine}`, hostname: machine, pid: process.pid, startedAt: new Date().toISOString(), cluster: r.cluster };
  const targets = lockTargets(p);
  await acquireClusterLock(r.session.pool, targets, info, { ...(resume ? { takeOverId: resume.start.lockId } : {}), signal });
  let outcome: ApplyOutcome | undefined;
  try {
    const journal = Journal.begin(r.journalPath, {
      applyId: randomBytes(6).toString('hex'),
      lockId,
      hostname: machine,
      pid: process.pid,
      cluster: r.cluster,
      topologyFile: r.topologyFile,
      ...(resume ? { resumes: resume.start.applyId } : {}),
    });
    if (shows(ctx, 'info') || resume) {
      say(
        `\n${resume ? `Resuming the ${r.verb} interrupted at ${resume.start.t} (${resume.done.length} task${resume.done.length === 1 ? '' : 's'} done${resume.inFlight ? `; it stopped during: ${resume.inFlight}` : ''}).\n` : ''}Cluster lock ${lockId} taken on ${targets.length} host${targets.length === 1 ? '' : 's'}; journal ${r.journalPath}\n`,
      );
    }
    // the tree needs a terminal with a usable width and colours; anything else (a log, NO_COLOR) gets plain
    // lines with times and heartbeats; --log-level warn/error shows no progress at all
    const columns = (ctx.stderr as { columns?: number }).columns ?? 0;
    const noColor = (ctx.env['NO_COLOR'] ?? '') !== '';
    const tty = ctx.stderr.isTTY === true && columns >= 40 && !noColor;
    const view = json || !shows(ctx, 'info') ? null : startListrView(p, ctx.stderr, { tty, clock: r.executor.clock, detail: shows(ctx, 'debug') });
    const sink = (e: ApplyEvent): void => {
      journal.record(e);
      if (json) ctx.stdout.write(eventLine(e));
      else view?.onEvent(e);
      r.onEvent?.(e);
    };
    try {
      outcome = await executePlan(p, { ...r.executor, hosts: r.session.pool, signal, onEvent: sink });
    } finally {
      await view?.close();
    }
    journal.end(outcome.ok ? 'ok' : outcome.interrupted ? 'interrupted' : 'failed');
    return outcome;
  } finally {
    const released = await releaseClusterLock(r.session.pool, targets, lockId).catch((e: unknown) => {
      ctx.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
      return [] as string[];
    });
    if (released.length < targets.length && !json && shows(ctx, 'warn')) ctx.stderr.write(`warning: the lock ${lockId} was released on ${released.length} of ${targets.length} hosts; clear the rest with \`scmctl unlock ${lockId} FILE\`\n`);
  }
}
