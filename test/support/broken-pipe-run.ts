/**
 * Runs a built launcher (`bin/scmctl`, `bin/ozone`: needs `npm run build`) as a real child process whose
 * stdout is a pipe to this process, and closes that pipe early, the way `| head -1` does: either after the
 * first line arrived (`afterFirstLine`), or before the child writes anything (`beforeFirstWrite`: the child
 * starts 300 ms after the pipe is closed). Resolves with the exit code, signal, stderr and what was read.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './ozone-process.js';

export interface BrokenPipeRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  readonly read: string;
}

export function runWithEarlyClose(launcher: 'scmctl' | 'ozone', args: readonly string[], when: 'afterFirstLine' | 'beforeFirstWrite', cwd = ROOT): Promise<BrokenPipeRun> {
  const entry = join(ROOT, 'dist/src', launcher === 'scmctl' ? 'provisioner/cli.js' : 'scm/main.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` before these tests`);
  const bin = join(ROOT, 'bin', launcher);
  const child =
    when === 'beforeFirstWrite'
      ? spawn('sh', ['-c', 'sleep 0.3; exec "$0" "$@"', bin, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(bin, [...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let read = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  if (when === 'beforeFirstWrite') child.stdout.destroy();
  else {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      read += d;
      if (read.includes('\n')) child.stdout.destroy();
    });
  }
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr, read }));
  });
}
