/** Clock skew between the host and the operator machine: host `date` against the midpoint of the round trip. */
import { sh } from '../hosts/shell-quote.js';
import type { ClockFacts } from './host-facts.js';
import { run, type ProbeContext } from './probe-context.js';

export async function probeClock(ctx: ProbeContext): Promise<ClockFacts | null> {
  const t0 = ctx.clock.wallTime().getTime();
  const r = await run(ctx, sh`date -u +%s%N`);
  const t1 = ctx.clock.wallTime().getTime();
  const out = r.stdout.trim();
  let hostMs: number;
  let resolution = 0;
  if (r.exitCode !== 0) return null;
  if (/^\d{19,}$/.test(out)) hostMs = Number(BigInt(out) / 1_000_000n);
  else if (/^\d+N?$/.test(out)) {
    // busybox date has no %N: whole seconds
    hostMs = Number.parseInt(out, 10) * 1000;
    resolution = 1000;
  } else return null;
  const mid = (t0 + t1) / 2;
  return { skewMs: Math.round(hostMs - mid), uncertaintyMs: Math.ceil((t1 - t0) / 2) + resolution };
}
