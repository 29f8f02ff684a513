/**
 * systemd is the init system iff /run/systemd/system is a directory (sd_booted(3): lstat, so not a symlink).
 * Asked with the shell's own `test` (no process on the host, issue 13).
 */
import { sh } from '../hosts/shell-quote.js';
import { run, type ProbeContext } from './probe-context.js';

export async function probeInitSystem(ctx: ProbeContext): Promise<'systemd' | 'other'> {
  const r = await run(ctx, sh`test -d /run/systemd/system && test ! -h /run/systemd/system && echo systemd`);
  return r.stdout.trim() === 'systemd' ? 'systemd' : 'other';
}
