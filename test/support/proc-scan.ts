/**
 * Looks at every process through /proc (root sees all): argv and environment text for secret checks, and a
 * bounded wait for processes to be gone (cleanup checks; generous deadline, never a timing assertion).
 */
import { readdirSync, readFileSync } from 'node:fs';

function pids(): string[] {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n));
}

function read(pid: string, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`).toString('latin1');
  } catch {
    return ''; // the process ended meanwhile
  }
}

/** Every process's argv and environment, NUL bytes kept. */
export function allProcessText(): string {
  return pids()
    .map((p) => `${read(p, 'cmdline')}\n${read(p, 'environ')}`)
    .join('\n');
}

/** Whether some live process's argv (joined by spaces) contains `text`. */
export function processRunning(text: string): boolean {
  return pids().some((p) => {
    const state = read(p, 'stat');
    if (/\) Z /.test(state)) return false; // zombie
    return read(p, 'cmdline').replace(/\0/g, ' ').includes(text);
  });
}

/** Resolves true once no process matches (checks every 50 ms, gives up after `ms`). */
export async function waitNoProcess(text: string, ms = 30_000): Promise<boolean> {
  for (const until = Date.now() + ms; Date.now() < until; ) {
    if (!processRunning(text)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !processRunning(text);
}
