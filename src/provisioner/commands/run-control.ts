/**
 * What apply and migrate share around running a plan: the run's abort signal (Ctrl-C, or --timeout as
 * APPLY_TIMEOUT), the confirmation on a terminal, and the closing report of a run that did not finish.
 */
import { setMaxListeners } from 'node:events';
import { ApplyError } from '../apply/apply-error.js';
import type { ClusterSession } from '../session/cluster-session.js';
import type { ApplyOutcome } from '../apply/executor.js';
import type { CommandContext } from '../command.js';
import { PlanError } from '../plan/plan-error.js';
import { parseDuration } from '../topology/duration.js';
import { printError } from './cluster-input.js';
import { writeFailureJson, type JsonMode } from './json-output.js';
import { askYes } from './confirm.js';

export interface RunControl {
  readonly signal: AbortSignal;
  /** ctx with the run's signal */
  readonly ctx: CommandContext;
  dispose(): void;
}

/** PLAN_INVALID_OPTION when --timeout is not a duration */
export function startRunControl(ctx: CommandContext, timeoutOption: unknown): RunControl {
  let timeoutMs: number | undefined;
  if (typeof timeoutOption === 'string') {
    timeoutMs = parseDuration(timeoutOption);
    if (timeoutMs === undefined) throw new PlanError('PLAN_INVALID_OPTION', `--timeout ${timeoutOption} is not a duration`, { hint: 'e.g. 90s, 30m, 2h' });
  }
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const onAbort = (): void => controller.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => controller.abort(new ApplyError('APPLY_TIMEOUT', `--timeout ${String(timeoutOption)} reached`)), timeoutMs);
  return {
    signal: controller.signal,
    ctx: { ...ctx, signal: controller.signal },
    dispose: () => {
      if (timer) clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
    },
  };
}

/** --yes, or "yes" typed on a terminal; otherwise APPLY_NOT_CONFIRMED / APPLY_DECLINED */
export async function confirmChanges(ctx: CommandContext, yes: unknown, changes: number, question: string, signal: AbortSignal, verb = 'apply'): Promise<void> {
  if (changes === 0 || yes === true) return;
  if (!ctx.stdin || !(ctx.stdin as { isTTY?: boolean }).isTTY) {
    throw new ApplyError('APPLY_NOT_CONFIRMED', `${changes} change${changes === 1 ? '' : 's'} to ${verb} and no terminal to confirm them`, { hint: `run with --yes to ${verb} without asking` });
  }
  const ok = await askYes(ctx.stdin, ctx.stderr, `\n${question} Only "yes" is accepted: `, signal);
  if (!ok) throw new ApplyError('APPLY_DECLINED', `${verb} cancelled; nothing was changed`, {});
}

/** Prints why the run stopped; returns the exit code (130 for Ctrl-C, else 1). */
export function reportUnfinished(ctx: CommandContext, outcome: ApplyOutcome, signal: AbortSignal, verb: string, again: string): number {
  for (const f of outcome.failures) printError(ctx.stderr, f.error);
  if (outcome.interrupted) {
    const reason: unknown = signal.reason;
    if (reason instanceof ApplyError) printError(ctx.stderr, reason);
    ctx.stderr.write(`${verb} stopped (${outcome.completed} done, ${outcome.skipped} not run); ${again}\n`);
    return reason instanceof ApplyError ? 1 : 130;
  }
  ctx.stderr.write(`${verb} failed (${outcome.completed} done, ${outcome.skipped} not run); fix the cause, then ${again}\n`);
  return 1;
}

/**
 * An error that ended the run before or around execution; returns the exit code. With `json` the error is
 * also the command's JSON on stdout (json-output.ts): an interruption as APPLY_INTERRUPTED.
 */
export function reportRunError(ctx: CommandContext, signal: AbortSignal, err: unknown, json?: JsonMode): number {
  if (signal.aborted && !(signal.reason instanceof ApplyError)) {
    ctx.stderr.write('interrupted; nothing more was started\n');
    if (json) writeFailureJson(ctx.stdout, json, new ApplyError('APPLY_INTERRUPTED', 'interrupted; nothing more was started', {}));
    return 130;
  }
  const shown = signal.aborted ? signal.reason : err;
  printError(ctx.stderr, shown);
  if (json) writeFailureJson(ctx.stdout, json, shown);
  return 1;
}

export interface RunScope {
  readonly signal: AbortSignal;
  /** ctx with the run's signal */
  readonly ctx: CommandContext;
  /** --output json: events on stdout, people's lines on stderr */
  readonly json: boolean;
  /** a line for people (stdout, or stderr with --output json) */
  say(line: string): void;
  /** the session to close when the run ends */
  own(session: ClusterSession): ClusterSession;
}

/**
 * The frame of apply and migrate (and repair, restore, backup): the run control (--timeout, Ctrl-C), errors
 * reported with their code (130 when interrupted) — with `-o json` also on stdout, as NDJSON's closing
 * `result` event (`events`) or as the command's one document (`document`) — the session closed whatever
 * happened.
 */
export async function controlledRun(
  ctx: CommandContext,
  options: Readonly<Record<string, unknown>>,
  body: (scope: RunScope) => Promise<number>,
  jsonMode: JsonMode = 'events',
): Promise<number> {
  const json = options['output'] === 'json';
  let control: RunControl;
  try {
    control = startRunControl(ctx, options['timeout']);
  } catch (err) {
    return reportRunError(ctx, ctx.signal, err, json ? jsonMode : undefined);
  }
  let session: ClusterSession | undefined;
  try {
    return await body({
      signal: control.signal,
      ctx: control.ctx,
      json,
      say: (line) => void (json ? ctx.stderr : ctx.stdout).write(line),
      own: (s) => (session = s),
    });
  } catch (err) {
    return reportRunError(ctx, control.signal, err, json ? jsonMode : undefined);
  } finally {
    control.dispose();
    await session?.close();
  }
}
