#!/usr/bin/env node
/**
 * `bin/ozone` entry point: the host-side command surface of the embedded SCM (docs/design.md §4.3).
 * The only place that touches process (argv, stdout/stderr, signals, exit code).
 */
import { fileURLToPath } from 'node:url';
import { BROKEN_PIPE_EXIT_CODE, onBrokenPipe } from '../common/broken-pipe.js';
import { createActions } from './cli/actions.js';
import { SecurityError } from './security/security-error.js';
import { runProgram } from './cli/program.js';

// A reader that went away (`ozone debug ldb --db=… scan | head -1`): exit at once, quietly (no stack
// trace, no message) with 0, as tools in a `| head` pipeline customarily end — not 141, the reader chose to
// stop and nothing failed. Also for a foreground `ozone scm`: its state is on disk (fsynced Raft log and
// DB), so ending like a process killed by SIGPIPE loses nothing; `--daemon start` writes to a file.
for (const stream of [process.stdout, process.stderr]) onBrokenPipe(stream, () => process.exit(BROKEN_PIPE_EXIT_CODE));

const io = {
  out: (t: string): void => void process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t: string): void => void process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
};

// SIGTERM/SIGINT are caught only by the commands that stop cleanly on them (the SCM, the datanode
// simulator), when they first ask; every other command (freon, admin, ldb) ends as signals end a process.
let stopping: Promise<string> | undefined;
const stopRequested = (): Promise<string> =>
  (stopping ??= new Promise<string>((resolve) => {
    for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => resolve(sig));
  }));

const readStdin = async (): Promise<string> => {
  // a token typed on a terminal would be echoed: it comes from a pipe or a file
  if (process.stdin.isTTY) throw new SecurityError('SECRET_FILE', 'stdin is a terminal: pipe the token in (`… --token-file - < file`), or give a file');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new SecurityError('TOKEN_INVALID', 'stdin holds more than 64 KiB: that is not a join token');
  }
  return Buffer.concat(chunks).toString('utf8');
};

const actions = createActions({ io, env: process.env, mainScript: fileURLToPath(import.meta.url), stopRequested, readStdin });
runProgram(process.argv.slice(2), actions, { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }).then(
  (code) => {
    process.exitCode = code;
    // Output to a pipe is written asynchronously once the pipe is full (a large `ldb scan`): exit only
    // after both streams flushed what was written. Long-running commands resolved after a clean close;
    // anything else still pending (timers, sockets) is not ours to wait for.
    let pending = 2;
    const flushed = (): void => {
      if (--pending === 0) setTimeout(() => process.exit(code), 50).unref();
    };
    process.stdout.write('', flushed);
    process.stderr.write('', flushed);
  },
  (err: unknown) => {
    io.err(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
