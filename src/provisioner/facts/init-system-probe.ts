/** systemd is the init system iff /run/systemd/system is a directory (sd_booted(3)). */
import type { ProbeContext } from './probe-context.js';

export async function probeInitSystem(ctx: ProbeContext): Promise<'systemd' | 'other'> {
  const s = await ctx.host.stat('/run/systemd/system', ctx.signal ? { signal: ctx.signal } : {});
  return s.exists && s.type === 'directory' ? 'systemd' : 'other';
}
