/**
 * A broken pipe on an output stream (`scmctl plan FILE | head -1`, `ozone debug ldb … scan | head -1`): the
 * reader went away. Node ignores SIGPIPE, so the next write fails with EPIPE, and an 'error' event nobody
 * listens to ends the process with a stack trace and exit 1. The entry points (src/provisioner/cli.ts,
 * src/scm/main.ts) listen with `onBrokenPipe` and end quietly instead.
 *
 * Contract: only EPIPE is handled; any other stream error is thrown again from the listener, so it stays as
 * fatal and visible as without a listener. No I/O of its own: the caller says what ending quietly means.
 */

/** The exit code of a run whose reader went away: 0, as `| head` pipelines expect (the reader chose to stop; nothing failed). */
export const BROKEN_PIPE_EXIT_CODE = 0;

export interface ErrorEmitter {
  on(event: 'error', listener: (err: Error) => void): unknown;
}

export function onBrokenPipe(stream: ErrorEmitter, handle: () => void): void {
  stream.on('error', (err) => {
    if ((err as Error & { code?: unknown }).code === 'EPIPE') handle();
    else throw err;
  });
}
