/**
 * A CommandRunner that sends the short read-only scripts issued together (in the same turn of the event loop)
 * as ONE script over the transport: one SSH channel (one sshd session, one remote `sh`) instead of one per
 * command. Facts gathering issues ten or more stat/cat/find commands per host at once; on 30 hosts that was
 * ~300 sshd sessions per plan, most of the CPU of a no-op `apply` (docs/hosts.md §8).
 *
 * The frame: the combined script travels on the channel's stdin to `sh -s` (so nothing of it shows in the
 * host's process list) and runs the commands one after the other, each in a subshell with stdin from
 * /dev/null, its stdout on the channel's stdout and its stderr on the channel's stderr. After each command
 * the frame writes a boundary line on both streams, `<boundary> <exit status>` on stdout: a random 128-bit
 * value made for this batch, which no command's output can contain but by chance (2^-128) — binary-safe,
 * and without a temporary file or a process of its own (issue 13: the earlier frame of temporary files cost
 * four processes per batch; with a subshell per command, ~1 ms of host CPU less per command than a `sh -c`).
 * A command that dies by a signal reports 128+N like every runner.
 *
 * Only requests without stdin and without a timeout are combined (a timed or fed command runs on its own, as
 * do all requests whose abort signals differ); a batch of one runs as itself. When the answer is not a whole
 * frame (a host whose `sh` cannot run it), each request is re-run on its own, so batching never changes an
 * answer, only how many channels carry it. Transport errors reject every request of the batch with the same
 * HostError.
 */
import { randomBytes } from 'node:crypto';
import { HostError } from './host-error.js';
import type { HostInfo } from './remote-host.js';
import { DEFAULT_MAX_OUTPUT_BYTES, type CommandRunner, type RunRequest, type RunResult } from './command-runner.js';
import { quote } from './shell-quote.js';

interface Pending {
  readonly req: RunRequest;
  readonly resolve: (r: RunResult) => void;
  readonly reject: (err: unknown) => void;
}

/** What the transport runs; the frame comes on its stdin. */
export const FRAME_READER = 'exec sh -s';

/** Scripts that name the shell's own pid ($$, $PPID) get a `sh -c` of their own: a subshell shares its parent's. */
const OWN_SHELL = /\$\{?\$|PPID/;

/** A boundary for one batch: random, so no command's output holds it. */
export function newBoundary(): string {
  return `@scmctl-${randomBytes(16).toString('hex')}`;
}

export function batchScript(scripts: readonly string[], boundary: string): string {
  // the frame's own messages (a job's "Killed", dash) go nowhere; each command gets the channel's stderr (fd 3)
  const lines = ['exec 3>&2 2>/dev/null'];
  for (const s of scripts) {
    // a subshell of the frame (a fork, no exec) evaluates the script: a syntax error fails that command alone,
    // as `sh -c` would, and its traps are the defaults
    // (the redirections are inside the subshell, so a job's "Killed" goes to the frame's stderr, not the command's)
    const body = OWN_SHELL.test(s) ? `exec sh -c ${quote(s)}` : `eval ${quote(s)}`;
    const run = `(exec 2>&3 3>&-; ${body}) </dev/null`;
    lines.push(`${run}; printf '\\n%s %d\\n' '${boundary}' "$?"; printf '\\n%s\\n' '${boundary}' >&3`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * One stream of a frame → the part of each command, or null when the stream does not hold exactly `count`
 * parts each ended by a boundary line (`withCode`: the line carries the exit status, returned beside).
 */
function splitStream(stream: Buffer, count: number, boundary: string, withCode: boolean): { parts: Buffer[]; codes: number[] } | null {
  const mark = Buffer.from(`\n${boundary}${withCode ? ' ' : '\n'}`, 'latin1');
  const parts: Buffer[] = [];
  const codes: number[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const m = stream.indexOf(mark, at);
    if (m < 0) return null;
    parts.push(stream.subarray(at, m));
    at = m + mark.length;
    if (withCode) {
      const eol = stream.indexOf(0x0a, at);
      const code = eol < 0 ? '' : stream.subarray(at, eol).toString('latin1');
      if (!/^\d{1,3}$/.test(code)) return null;
      codes.push(Number(code));
      at = eol + 1;
    }
  }
  return at === stream.length ? { parts, codes } : null;
}

/** The output of batchScript → one result per script, or null when the frame is not whole. */
export function parseBatchOutput(stdout: Buffer, stderr: Buffer, count: number, boundary: string): RunResult[] | null {
  const out = splitStream(stdout, count, boundary, true);
  const err = splitStream(stderr, count, boundary, false);
  if (!out || !err) return null;
  return out.parts.map((o, i) => ({ exitCode: out.codes[i]!, stdout: o, stderr: err.parts[i]! }));
}

export class BatchingRunner implements CommandRunner {
  private readonly inner: CommandRunner;
  /** pending requests by abort signal (requests with different signals are never combined) */
  private readonly queues = new Map<AbortSignal | undefined, Pending[]>();
  private scheduled = false;

  constructor(inner: CommandRunner) {
    this.inner = inner;
  }

  get info(): HostInfo {
    return this.inner.info;
  }

  run(req: RunRequest): Promise<RunResult> {
    if (req.stdin !== undefined || req.timeoutMs !== undefined) return this.inner.run(req);
    return new Promise<RunResult>((resolve, reject) => {
      const q = this.queues.get(req.signal) ?? [];
      q.push({ req, resolve, reject });
      this.queues.set(req.signal, q);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** The inner runner belongs to the host: closing this view leaves it open. */
  async close(): Promise<void> {}

  private flush(): void {
    this.scheduled = false;
    const queues = [...this.queues.values()];
    this.queues.clear();
    for (const q of queues) void this.send(q);
  }

  private async send(batch: readonly Pending[]): Promise<void> {
    if (batch.length === 1) {
      this.inner.run(batch[0]!.req).then(batch[0]!.resolve, batch[0]!.reject);
      return;
    }
    const limits = batch.map((p) => p.req.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES);
    const signal = batch[0]!.req.signal;
    const boundary = newBoundary();
    let combined: RunResult;
    try {
      combined = await this.inner.run({
        script: FRAME_READER,
        stdin: Buffer.from(batchScript(batch.map((p) => p.req.script), boundary), 'utf8'),
        maxOutputBytes: limits.reduce((a, b) => a + b, 0) + 2 * (boundary.length + 8) * batch.length,
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    const results = combined.exitCode === 0 ? parseBatchOutput(combined.stdout, combined.stderr, batch.length, boundary) : null;
    if (!results) {
      // the frame did not work on this host: each command on its own channel, as without batching
      for (const p of batch) this.inner.run(p.req).then(p.resolve, p.reject);
      return;
    }
    batch.forEach((p, i) => {
      const r = results[i]!;
      if (r.stdout.length + r.stderr.length > limits[i]!) {
        p.reject(new HostError('HOST_OUTPUT_TOO_LARGE', this.info.name, `the command printed more than ${limits[i]} bytes`));
      } else {
        p.resolve(r);
      }
    });
  }
}
