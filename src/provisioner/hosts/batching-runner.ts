/**
 * A CommandRunner that sends the short read-only scripts issued together (in the same turn of the event loop)
 * as ONE script over the transport: one SSH channel (one sshd session, one remote `sh`) instead of one per
 * command. Facts gathering issues ten or more stat/cat/ls commands per host at once; on 30 hosts that was
 * ~300 sshd sessions per plan, most of the CPU of a no-op `apply` (docs/hosts.md §8).
 *
 * The combined script runs every command in its own process at the same time (as separate channels would),
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

/** Scripts that name the shell's own pid ($$, $PPID) get a `sh -c` of their own: a subshell shares its parent's. */
const OWN_SHELL = /\$\{?\$|PPID/;

export function batchScript(scripts: readonly string[]): string {
  const n = scripts.length;
  // the frame's own variables are prefixed: a command's script sees them (it runs in a subshell of the frame)
  const lines = [
    'umask 077',
    `_sb_d=$(mktemp -d "\${TMPDIR:-/tmp}/.scmctl-batch.XXXXXX" 2>/dev/null) || exit ${FRAME_UNAVAILABLE}`,
    // removed however the script ends: a hang-up (the channel closed by an abort) or a signal exits through EXIT
    `trap 'rm -rf -- "$_sb_d"' EXIT`,
    `trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 143' TERM`,
    `cd "$_sb_d" || exit ${FRAME_UNAVAILABLE}`,
  ];
  // Each command runs in the background, as on separate channels, in a subshell of the frame (a fork, no exec:
  // ~1 ms of host CPU less per command than a `sh -c` of its own, issue 13) that first sends its stdout/stderr
  // to the command's files and then evaluates the script, so a syntax error fails that command alone, as
  // `sh -c` would, and the subshell's traps are the defaults. A command that dies by a signal is reported by
  // the waiting shell ("Killed", dash) on the stderr the command had in this shell, /dev/null.
  scripts.forEach((s, i) =>
    lines.push(
      OWN_SHELL.test(s)
        ? `sh -c ${quote(`exec 2>"$1" >"$2" </dev/null; shift 2\n${s}`)} sh ${i}.e ${i}.o 2>/dev/null & _sb_p${i}=$!`
        : `(exec 2>${i}.e >${i}.o </dev/null; eval ${quote(s)}) 2>/dev/null & _sb_p${i}=$!`,
    ),
  );
  // the frame, with two processes whatever the number of commands (a process per field cost ~7 ms of host CPU
  // per command): exit codes from `wait`, every size from one wc, every byte from one cat
  const files = Array.from({ length: n }, (_, i) => `${i}.o ${i}.e`).join(' ');
  lines.push('_sb_c=');
  scripts.forEach((_, i) => lines.push(`wait "$_sb_p${i}"; _sb_c="$_sb_c $?"`));
  lines.push(`printf '@codes%s\\n' "$_sb_c"`);
  lines.push(`wc -c ${files} || exit 98`);
  lines.push(`printf '@data\\n'`);
  lines.push(`cat ${files}`);
  return lines.join('\n');
}

/** The framed output of batchScript → one result per script, or null when the frame is not whole. */
export function parseBatchOutput(out: Buffer, count: number): RunResult[] | null {
  const dataMark = out.indexOf('\n@data\n');
  if (dataMark < 0) return null;
  const head = out.subarray(0, dataMark).toString('latin1').split('\n');
  const codes = /^@codes((?: \d+){1,})$/.exec(head[0] ?? '');
  if (!codes) return null;
  const exitCodes = codes[1]!.trim().split(' ').map(Number);
  // wc -c: one "  SIZE NAME" line per file in the order given, then a total line
  const sizes = head.slice(1, 1 + 2 * count).map((l) => /^\s*(\d+)\s+(\d+)\.([oe])$/.exec(l));
  if (exitCodes.length !== count || head.length !== 2 + 2 * count) return null;
  let at = dataMark + '\n@data\n'.length;
  const results: RunResult[] = [];
  for (let i = 0; i < count; i++) {
    const o = sizes[2 * i];
    const e = sizes[2 * i + 1];
    if (!o || !e || Number(o[2]) !== i || o[3] !== 'o' || Number(e[2]) !== i || e[3] !== 'e') return null;
    const [outLen, errLen] = [Number(o[1]), Number(e[1])];
    if (at + outLen + errLen > out.length) return null;
    results.push({ exitCode: exitCodes[i]!, stdout: out.subarray(at, at + outLen), stderr: out.subarray(at + outLen, at + outLen + errLen) });
    at += outLen + errLen;
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
