/**
 * Real `bin/ozone` processes for e2e tests: run to completion (`ozone`), or start in the background
 * (`spawnOzone`) with output captured, waiting for a line. Every background process is registered so
 * `killAll` (afterAll) SIGKILLs whatever is still running, even when a test failed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: ../.. from test/support, ../../.. from dist/test/support (benchmarks). */
export const ROOT = [resolve(dirname(fileURLToPath(import.meta.url)), '../..'), resolve(dirname(fileURLToPath(import.meta.url)), '../../..')].find((d) => existsSync(join(d, 'bin/ozone')))!;
export const OZONE = join(ROOT, 'bin/ozone');

export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function ozone(args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): Run {
  const r = spawnSync(OZONE, [...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: timeoutMs });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export class OzoneProcess {
  stdout = '';
  stderr = '';
  exitCode: number | null | undefined;
  readonly exited: Promise<number | null>;
  constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (d: Buffer) => (this.stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((r) => child.on('exit', (code) => r((this.exitCode = code))));
  }
  get output(): string {
    return this.stdout + this.stderr;
  }
  async waitFor(re: RegExp, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!re.test(this.output)) {
      if (this.exitCode !== undefined) throw new Error(`process exited (${this.exitCode}) before printing ${re}:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  signal(sig: NodeJS.Signals): void {
    if (this.exitCode === undefined) this.child.kill(sig);
  }
}

const live = new Set<OzoneProcess>();
const pids = new Set<number>();

export function spawnOzone(args: readonly string[], env: NodeJS.ProcessEnv = {}): OzoneProcess {
  const child = spawn(OZONE, [...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const p = new OzoneProcess(child);
  live.add(p);
  void p.exited.then(() => live.delete(p));
  return p;
}

/** Also kill processes we did not spawn directly (e.g. `--daemon start` children) by pid. */
export function trackPid(pid: number): void {
  pids.add(pid);
}

export async function killAll(): Promise<void> {
  for (const p of live) p.signal('SIGKILL');
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  await Promise.all([...live].map((p) => p.exited));
}
