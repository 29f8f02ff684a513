#!/usr/bin/env node
/**
 * scmctl entry point: argv → command. The only file of the provisioner that touches process, console and
 * commander (docs/design.md §2). Exit codes: 0 ok, 1 error, 2 `plan` found changes, 130 interrupted.
 * The global options -q/--quiet, -v/--verbose and --log-level (verbosity.ts) go to every command as
 * CommandContext.logLevel; they may stand before or after the command's name.
 *
 * A reader that goes away (`scmctl plan FILE | head -1`, EPIPE on stdout or stderr) ends the run quietly:
 * no stack trace, no message, exit 0 at once (BROKEN_PIPE_EXIT_CODE: the `| head` custom; not 141, the
 * reader chose to stop and nothing failed). Except while `apply` or `migrate` run: they are not cut short
 * half-way: the rest of that stream is dropped, the run ends as it would have (cluster lock released,
 * journal closed) and the exit code is its own.
 */
import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { BROKEN_PIPE_EXIT_CODE, onBrokenPipe } from '../common/broken-pipe.js';
import { isCodedError } from '../common/coded-error.js';
import type { CommandContext, CommandSpec } from './command.js';
import { commandsFor } from './commands/index.js';
import { logLevelOf, VERBOSITY_HELP, VERBOSITY_OPTIONS } from './verbosity.js';

function packageVersion(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['../..', '../../..']) {
    try {
      const pkg = JSON.parse(readFileSync(join(here, up, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'scmctl' && pkg.version) return pkg.version;
    } catch {
      // try the next candidate
    }
  }
  return '0.0.0';
}

const ENVIRONMENT_HELP = `
Environment:
  SCMCTL_STATE_DIR      apply journals and the SSH keeper's socket (default ~/.local/state/scmctl)
  SCMCTL_CACHE_DIR      runtime bundles made from this scmctl (default ~/.cache/scmctl)
  SCMCTL_SSH_PERSIST    keep SSH connections this long after a run, e.g. 60s (default: not kept); see
                        \`scmctl connections --help\`
`;

/** Commands that change hosts: a broken pipe does not stop them half-way. */
const FINISH_ON_BROKEN_PIPE: ReadonlySet<string> = new Set(['apply', 'migrate']);

/**
 * Ends the run quietly when the reader of stdout or stderr goes away. During apply/migrate nothing happens:
 * the broken stream is destroyed, and Node drops later writes to a destroyed stream without another error.
 */
function quietOnBrokenPipe(running: () => string | undefined): void {
  for (const stream of [process.stdout, process.stderr]) {
    onBrokenPipe(stream, () => {
      const name = running();
      if (name === undefined || !FINISH_ON_BROKEN_PIPE.has(name)) process.exit(BROKEN_PIPE_EXIT_CODE);
    });
  }
}

function register(program: Command, spec: CommandSpec, ctx: CommandContext, setExit: (code: number) => void, setRunning: (name: string) => void): void {
  const cmd = program.command(spec.name).summary(spec.summary).description(spec.description ?? spec.summary);
  for (const a of spec.args) cmd.argument(a);
  for (const o of spec.options) {
    const opt = new Option(o.flags, o.description);
    if (o.defaultValue !== undefined) opt.default(o.defaultValue);
    if (o.choices) opt.choices([...o.choices]);
    cmd.addOption(opt);
  }
  cmd.addHelpText('after', `\nExamples:\n${spec.examples.map((e) => `  $ ${e}`).join('\n')}\n`);
  cmd.action(async (...received: unknown[]) => {
    const positional = received.slice(0, spec.args.length).flatMap((v) => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]));
    const options = cmd.opts();
    setRunning(spec.name);
    // global options (-q, -v, --log-level) are the program's, wherever they stand on the command line
    setExit(await spec.run(positional, options, { ...ctx, logLevel: logLevelOf(program.opts()) }));
  });
}

export async function main(argv: readonly string[]): Promise<number> {
  const abort = new AbortController();
  // every remote command of a run listens on this one signal (hundreds on large clusters)
  setMaxListeners(0, abort.signal);
  const onSignal = (): void => abort.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  let running: string | undefined;
  quietOnBrokenPipe(() => running);
  const ctx: CommandContext = {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    signal: abort.signal,
  };
  let exitCode = 0;
  const program = new Command('scmctl')
    .description('Set up Apache Ozone Storage Container Manager (SCM) High Availability on bare metal and air-gapped sites.')
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', VERBOSITY_HELP + ENVIRONMENT_HELP)
    .exitOverride();
  for (const o of VERBOSITY_OPTIONS) {
    const opt = new Option(o.flags, o.description);
    if (o.choices) opt.choices([...o.choices]);
    if (o.flags.startsWith('-q,')) opt.conflicts('verbose');
    program.addOption(opt);
  }
  for (const spec of await commandsFor(argv)) register(program, spec, ctx, (c) => (exitCode = c), (name) => (running = name));
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : 1;
    }
    if (isCodedError(err)) {
      process.stderr.write(`error[${err.code}]: ${err.message}\n${err.hint ? `  hint: ${err.hint}\n` : ''}`);
      return 1;
    }
    process.stderr.write(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
  }
  return abort.signal.aborted ? 130 : exitCode;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`internal error: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
