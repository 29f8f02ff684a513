/**
 * A scmctl command as data: cli.ts (the only user of commander, process and console) turns each spec into
 * a subcommand with `--help`, and calls `run` with parsed arguments and an I/O context.
 *
 * Contract: `run` returns the process exit code (0 ok; 1 error; 2 is reserved for `plan` = "changes");
 * it writes command output to ctx.stdout and diagnostics/progress to ctx.stderr (progress and warnings
 * only as far as ctx.logLevel allows; with `-o json` a JSON document on stdout, errors included); it never calls
 * process.exit; it throws only CodedError for failures it cannot render itself (cli.ts prints
 * `error[CODE]: message` plus the hint and exits 1).
 */
import type { LogLevel } from './verbosity.js';

export interface OutputStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
}

export interface CommandContext {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly stdin: NodeJS.ReadableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly signal: AbortSignal;
  /** how much goes to stderr besides errors and the result (-q, -v, --log-level; verbosity.ts); default info */
  readonly logLevel?: LogLevel;
}

export interface OptionSpec {
  /** commander flag syntax, e.g. `--output <format>`, `--yes`, `--concurrency <n>` */
  readonly flags: string;
  readonly description: string;
  readonly defaultValue?: string | boolean | string[];
  readonly choices?: readonly string[];
}

export interface CommandSpec {
  readonly name: string;
  /** one line, shown in `scmctl --help` */
  readonly summary: string;
  /** paragraphs shown in `scmctl NAME --help` */
  readonly description?: string;
  /** commander argument syntax, e.g. ['<file...>'] or ['<file>'] */
  readonly args: readonly string[];
  readonly options: readonly OptionSpec[];
  /** at least one runnable example, shown under "Examples:" */
  readonly examples: readonly string[];
  run(args: readonly string[], options: Readonly<Record<string, unknown>>, ctx: CommandContext): Promise<number>;
}
