/**
 * How much a command says on stderr besides its errors and its result: the global options -q/--quiet,
 * -v/--verbose and --log-level (read by cli.ts, carried in CommandContext.logLevel). What stdout carries —
 * a plan, a status table, JSON — is the same at every level; only the lines for people on stderr change:
 *
 *   error  (-q)   errors and the final result ("Apply complete…"); apply shows no plan (unless it asks
 *                 for confirmation) and no progress
 *   warn          + warnings: topology warnings, unchecked host keys, a lock left behind
 *   info          + progress (the default): connection retries, the plan before apply, the lock and
 *                 journal, each phase and task as it starts and ends, and during long waits a heartbeat
 *                 every 10 s
 *   debug  (-v)   + every remote command with its host and duration, and every progress message of a task
 */
import { createLogger, type Logger, type LogLevel } from '../common/logger.js';

export type { LogLevel };

export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

/**
 * The global options, as data (the shape of command.ts's OptionSpec, which sits above this file): cli.ts gives
 * them to the program, completion offers them everywhere.
 */
export const VERBOSITY_OPTIONS: readonly { readonly flags: string; readonly description: string; readonly choices?: readonly string[] }[] = [
  { flags: '-q, --quiet', description: 'errors and the final result only (--log-level error)' },
  { flags: '-v, --verbose', description: 'also each remote command with its host and duration (--log-level debug)' },
  { flags: '--log-level <level>', description: 'what goes to stderr besides errors and the result (overrides -q/-v)', choices: LOG_LEVELS },
];

const ORDER: Readonly<Record<LogLevel, number>> = { error: 0, warn: 1, info: 2, debug: 3 };

/** Whether a run at the context's level (default info) shows lines of `level`. */
export function shows(ctx: { readonly logLevel?: LogLevel | undefined }, level: LogLevel): boolean {
  return ORDER[ctx.logLevel ?? 'info'] >= ORDER[level];
}

/**
 * The level the global options ask for: --log-level, else -q (error) or -v (debug), else info. cli.ts lets
 * commander refuse -q with -v and a --log-level that is not one of LOG_LEVELS.
 */
export function logLevelOf(o: { readonly quiet?: unknown; readonly verbose?: unknown; readonly logLevel?: unknown }): LogLevel {
  if (typeof o.logLevel === 'string' && (LOG_LEVELS as readonly string[]).includes(o.logLevel)) return o.logLevel as LogLevel;
  return o.quiet === true ? 'error' : o.verbose === true ? 'debug' : 'info';
}

/** `scmctl --help`: what each level shows. */
export const VERBOSITY_HELP = `
Verbosity (lines for people on stderr; what stdout carries is the same at every level):
  -q, --quiet / --log-level error   errors and the final result only
  --log-level warn                  + warnings (topology, unchecked host keys, a lock left behind)
  --log-level info                  + progress: retries, plan, lock, each phase and task, heartbeats (default)
  -v, --verbose / --log-level debug + each remote command with its host and duration
Without a terminal (or with NO_COLOR) progress lines carry the time and the elapsed time.
`;

/** Timestamped log lines on the command's stderr, at its level (remote commands are logged at debug). */
export function commandLogger(ctx: { readonly stderr: { write(chunk: string): unknown }; readonly logLevel?: LogLevel | undefined }): Logger {
  return createLogger({ sink: { write: (line) => void ctx.stderr.write(line) }, level: ctx.logLevel ?? 'info' });
}
