/**
 * A CommandRunner that sends the short read-only scripts issued together (in the same turn of the event loop)
 * as ONE script over the transport: one SSH channel (one sshd session, one remote `sh`) instead of one per
 * command. Facts gathering issues ten or more stat/cat/ls commands per host at once; on 30 hosts that was
 * ~300 sshd sessions per plan, most of the CPU of a no-op `apply` (docs/design.md §"One read per host").
 *
 * The combined script runs every command in its own `sh -c` at the same time (as separate channels would),
 * each with stdin from /dev/null and its stdout, stderr and exit status in a private temporary directory
 * (`mktemp -d`, mode 0700, removed on exit), then prints them framed by byte counts — binary-safe. A command
 * killed by a signal reports 128+N like every runner.
 *
 * Only requests without stdin and without a timeout are combined (a timed or fed command runs on its own, as
 * do all requests whose abort signals differ); a batch of one runs as itself. When the host cannot run the
 * frame (no mktemp, a full /tmp: the frame is missing or malformed), each request is re-run on its own, so
 * batching never changes an answer, only how many channels carry it. Transport errors reject every request of
 * the batch with the same HostError.
 */
import { HostError } from './host-error.js';
import type { HostInfo } from './remote-host.js';
import { DEFAULT_MAX_OUTPUT_BYTES, type CommandRunner, type RunRequest, type RunResult } from './command-runner.js';
import { quote } from './shell-quote.js';

interface Pending {
  readonly req: RunRequest;
  readonly resolve: (r: RunResult) => void;
  readonly reject: (err: unknown) => void;
}

/** Exit status of the combined script when its frame could not be set up (no temp directory). */
const FRAME_UNAVAILABLE = 97;

export function batchScript(scripts: readonly string[]): string {
  const lines = [
    'umask 077',
    `d=$(mktemp -d "\${TMPDIR:-/tmp}/.scmctl-batch.XXXXXX" 2>/dev/null) || exit ${FRAME_UNAVAILABLE}`,
    // removed however the script ends: a hang-up (the channel closed by an abort) or a signal exits through EXIT
    `trap 'rm -rf -- "$d"' EXIT`,
    `trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 143' TERM`,
  ];
  // the command's own sh redirects itself, so that the subshell's "Killed" report of a command that died by a
  // signal (dash prints it on the stderr the command had) goes to /dev/null, not into the command's stderr
  const run = quote('exec 2>"$1" >"$2" </dev/null; exec sh -c "$3"');
  scripts.forEach((s, i) => lines.push(`(sh -c ${run} - "$d/${i}.e" "$d/${i}.o" ${quote(s)}; echo $? >"$d/${i}.c") 2>/dev/null &`));
  lines.push('wait');
  lines.push(`i=0; while [ "$i" -lt ${scripts.length} ]; do`);
  lines.push(`  printf '@%s %s %s %s\\n' "$i" "$(cat "$d/$i.c")" "$(($(wc -c <"$d/$i.o")))" "$(($(wc -c <"$d/$i.e")))"`);
  lines.push('  cat "$d/$i.o" "$d/$i.e"; i=$((i + 1))');
  lines.push('done');
  return lines.join('\n');
}

/** The framed output of batchScript → one result per script, or null when the frame is not whole. */
export function parseBatchOutput(out: Buffer, count: number): RunResult[] | null {
  const results: RunResult[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const nl = out.indexOf(0x0a, at);
    if (nl < 0) return null;
    const m = /^@(\d+) (\d+) (\d+) (\d+)$/.exec(out.subarray(at, nl).toString('latin1'));
    if (!m || Number(m[1]) !== i) return null;
    const [code, outLen, errLen] = [Number(m[2]), Number(m[3]), Number(m[4])];
    const start = nl + 1;
    if (start + outLen + errLen > out.length) return null;
    results.push({ exitCode: code, stdout: out.subarray(start, start + outLen), stderr: out.subarray(start + outLen, start + outLen + errLen) });
    at = start + outLen + errLen;
  }
  return at === out.length ? results : null;
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
    let combined: RunResult;
    try {
      combined = await this.inner.run({
        script: batchScript(batch.map((p) => p.req.script)),
        maxOutputBytes: limits.reduce((a, b) => a + b, 0) + 64 * batch.length,
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    const results = combined.exitCode === 0 ? parseBatchOutput(combined.stdout, batch.length) : null;
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
