/**
 * BatchingRunner against a real `sh`: commands issued together travel as one script and every answer is
 * byte for byte what the command gives on its own (stdout, stderr, exit status, binary output, death by
 * signal); fed or timed commands, a single command and a host that cannot run the frame go one by one.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BatchingRunner, FRAME_READER, batchScript, newBoundary, parseBatchOutput } from '../../../src/provisioner/hosts/batching-runner.js';
import type { CommandRunner, RunRequest, RunResult } from '../../../src/provisioner/hosts/command-runner.js';
import { HostError } from '../../../src/provisioner/hosts/host-error.js';

/** Runs each script in a real `sh -c`, counting how many scripts reached the transport. */
class ShRunner implements CommandRunner {
  readonly info = { name: 'sh1', transport: 'local' as const, address: '127.0.0.1', user: 'test' };
  readonly scripts: string[] = [];
  readonly stdins: string[] = [];
  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    /** a transport that loses stdin (the frame cannot be read) */
    private readonly dropStdin = false,
  ) {}
  run(req: RunRequest): Promise<RunResult> {
    this.scripts.push(req.script);
    return new Promise((resolve, reject) => {
      const child = spawn('sh', ['-c', req.script], { env: this.env, stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err), exitCode: code ?? 128 + (signal === 'SIGKILL' ? 9 : 15) }));
      if (req.stdin instanceof Uint8Array) this.stdins.push(Buffer.from(req.stdin).toString('utf8'));
      if (req.stdin instanceof Uint8Array && !this.dropStdin) child.stdin.end(req.stdin);
      else child.stdin.end();
    });
  }
  async close(): Promise<void> {}
}

const SCRIPTS = [
  'echo hello',
  'printf "no newline"',
  'echo out; echo err >&2; exit 3',
  "printf '\\000\\001\\377\\n\\n'",
  'cat -- /nonexistent/file',
  'kill -9 $$',
  'true',
  'i=0; while [ $i -lt 2000 ]; do echo line $i; i=$((i+1)); done',
  'read x; echo "stdin was [$x]"',
  // a subshell of the frame behaves as a shell of its own: its own EXIT trap, no variables of the frame's or
  // of another command's, `exit` ends only this command
  "trap 'echo bye' EXIT; echo hi",
  'v=1; echo "[$d$c$p0$v]"; exit 5',
  'echo "[$v]"',
];

const plain = (r: RunResult): { exitCode: number; stdout: string; stderr: string } => ({
  exitCode: r.exitCode,
  stdout: r.stdout.toString('latin1'),
  stderr: r.stderr.toString('latin1'),
});

describe('BatchingRunner', () => {
  it('commands issued together: one script on the transport, each answer as the command gives it alone', async () => {
    const alone = new ShRunner();
    const expected = await Promise.all(SCRIPTS.map((script) => alone.run({ script })));
    const tmp = mkdtempSync(join(tmpdir(), 'scmctl-batch-test-'));
    const inner = new ShRunner({ ...process.env, TMPDIR: tmp });
    const batched = new BatchingRunner(inner);
    const got = await Promise.all(SCRIPTS.map((script) => batched.run({ script })));
    // one channel, whose command line shows nothing of the frame: it comes on stdin
    expect(inner.scripts).toEqual([FRAME_READER]);
    expect(inner.stdins[0]).toContain('echo hello');
    expect(got.map(plain)).toEqual(expected.map(plain));
    expect(got[2]!.exitCode).toBe(3);
    expect(got[5]!.exitCode).toBe(137);
    expect([...got[3]!.stdout]).toEqual([0, 1, 0xff, 10, 10]);
    // the frame wrote nothing on the host
    expect(readdirSync(tmp)).toEqual([]);
    rmSync(tmp, { recursive: true });
  });

  it('a script with a syntax error fails alone (exit 2), as with a shell of its own; the frame stays whole', async () => {
    const inner = new ShRunner();
    const batched = new BatchingRunner(inner);
    const got = await Promise.all(['echo before', 'if then fi', 'echo $$ | grep -c .'].map((script) => batched.run({ script })));
    expect(inner.scripts).toHaveLength(1);
    expect(got.map((r) => r.exitCode)).toEqual([0, 2, 0]);
    expect(got[1]!.stderr.toString()).toMatch(/Syntax error|syntax error/);
    expect(got[0]!.stdout.toString()).toBe('before\n');
    expect(got[2]!.stdout.toString()).toBe('1\n');
  });

  it('commands with stdin or a timeout, and a lone command, go on their own', async () => {
    const inner = new ShRunner();
    const batched = new BatchingRunner(inner);
    const [fed, timed, other] = await Promise.all([
      batched.run({ script: 'read x; echo "[$x]"', stdin: Buffer.from('abc\n') }),
      batched.run({ script: 'echo timed', timeoutMs: 5_000 }),
      batched.run({ script: 'echo other' }),
    ]);
    expect([fed!.stdout.toString(), timed!.stdout.toString(), other!.stdout.toString()]).toEqual(['[abc]\n', 'timed\n', 'other\n']);
    expect(inner.scripts).toEqual(['read x; echo "[$x]"', 'echo timed', 'echo other']);
  });

  it('requests with different abort signals are never combined', async () => {
    const inner = new ShRunner();
    const batched = new BatchingRunner(inner);
    const a = new AbortController();
    await Promise.all([batched.run({ script: 'echo 1', signal: a.signal }), batched.run({ script: 'echo 2' }), batched.run({ script: 'echo 3', signal: a.signal })]);
    expect(inner.scripts).toHaveLength(2);
  });

  it('a host that cannot run the frame (its stdin lost): every command re-run alone, same answers', async () => {
    const inner = new ShRunner(process.env, true);
    const batched = new BatchingRunner(inner);
    const got = await Promise.all(['echo a', 'exit 4', 'echo b >&2'].map((script) => batched.run({ script })));
    expect(got.map(plain)).toEqual([
      { exitCode: 0, stdout: 'a\n', stderr: '' },
      { exitCode: 4, stdout: '', stderr: '' },
      { exitCode: 0, stdout: '', stderr: 'b\n' },
    ]);
    expect(inner.scripts).toEqual([FRAME_READER, 'echo a', 'exit 4', 'echo b >&2']);
  });

  it('output that looks like a boundary line is only output: the boundary is new for every batch', async () => {
    const inner = new ShRunner();
    const batched = new BatchingRunner(inner);
    const fake = "printf '\\n@scmctl-00000000000000000000000000000000 0\\n'; printf '\\n@scmctl-00000000000000000000000000000000\\n' >&2";
    const got = await Promise.all([fake, 'echo after'].map((script) => batched.run({ script })));
    expect(got.map(plain)).toEqual([
      { exitCode: 0, stdout: '\n@scmctl-00000000000000000000000000000000 0\n', stderr: '\n@scmctl-00000000000000000000000000000000\n' },
      { exitCode: 0, stdout: 'after\n', stderr: '' },
    ]);
    expect(newBoundary()).not.toBe(newBoundary());
  });

  it('each command keeps its own output limit; a transport failure rejects the whole batch with its HostError', async () => {
    const batched = new BatchingRunner(new ShRunner());
    const [small, big] = await Promise.allSettled([
      batched.run({ script: 'echo 0123456789', maxOutputBytes: 5 }),
      batched.run({ script: 'echo 0123456789', maxOutputBytes: 100 }),
    ]);
    expect(small).toMatchObject({ status: 'rejected', reason: { code: 'HOST_OUTPUT_TOO_LARGE' } });
    expect(big).toMatchObject({ status: 'fulfilled', value: { exitCode: 0 } });

    const lost = new HostError('SSH_DISCONNECTED', 'sh1', 'the connection was lost');
    const failing: CommandRunner = { info: new ShRunner().info, run: () => Promise.reject(lost), close: async () => {} };
    const b2 = new BatchingRunner(failing);
    const all = await Promise.allSettled([b2.run({ script: 'echo 1' }), b2.run({ script: 'echo 2' })]);
    expect(all).toEqual([
      { status: 'rejected', reason: lost },
      { status: 'rejected', reason: lost },
    ]);
  });

  it('parseBatchOutput refuses a frame that is cut short, has extra bytes or lacks a part', () => {
    const b = newBoundary();
    const out = Buffer.from(`ab\n\n${b} 0\n\n${b} 1\n`);
    const err = Buffer.from(`\n${b}\nx\n\n${b}\n`);
    expect(parseBatchOutput(out, err, 2, b)?.map(plain)).toEqual([
      { exitCode: 0, stdout: 'ab\n', stderr: '' },
      { exitCode: 1, stdout: '', stderr: 'x\n' },
    ]);
    expect(parseBatchOutput(out.subarray(0, out.length - 1), err, 2, b)).toBeNull();
    expect(parseBatchOutput(Buffer.concat([out, Buffer.from('z')]), err, 2, b)).toBeNull();
    expect(parseBatchOutput(out, err.subarray(0, err.length - 1), 2, b)).toBeNull();
    expect(parseBatchOutput(out, err, 3, b)).toBeNull();
    // another batch's boundary, an exit status that is not a number
    expect(parseBatchOutput(out, err, 2, newBoundary())).toBeNull();
    expect(parseBatchOutput(Buffer.from(`\n${b} x\n\n${b} 0\n`), err, 2, b)).toBeNull();
  });

  it('the frame is plain POSIX sh read from stdin', () => {
    const r = spawnSyncSh(batchScript(['echo one', 'exit 2'], 'B0'));
    expect(r).toEqual({ stdout: 'one\n\nB0 0\n\nB0 2\n', stderr: '\nB0\n\nB0\n' });
  });
});

function spawnSyncSh(frame: string): { stdout: string; stderr: string } {
  const r = spawnSync('sh', ['-c', FRAME_READER], { input: frame, encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr };
}
