/** Node runtimes: `node` on PATH and the release's bundled `node/bin/node`; which one bin/ozone will use. */
import { posix } from 'node:path';
import { sh, type ShellCommand } from '../hosts/shell-quote.js';
import type { NodeRuntime, RuntimeFacts } from './host-facts.js';
import { run, type ProbeContext } from './probe-context.js';

export const DEFAULT_MIN_NODE_MAJOR = 20;

async function version(ctx: ProbeContext, cmd: ShellCommand, path: string, min: number): Promise<NodeRuntime | null> {
  const r = await run(ctx, cmd);
  const m = /^v(\d+)\.\d+\.\d+/.exec(r.stdout.trim());
  if (r.exitCode !== 0 || !m) return null;
  const major = Number.parseInt(m[1]!, 10);
  return { path, version: r.stdout.trim(), major, satisfies: major >= min };
}

export async function probeRuntime(ctx: ProbeContext): Promise<RuntimeFacts> {
  const min = ctx.spec.minNodeMajor ?? DEFAULT_MIN_NODE_MAJOR;
  const bundledPath = ctx.spec.installDir ? posix.join(ctx.spec.installDir, 'current', 'node', 'bin', 'node') : null;
  const [system, bundled] = await Promise.all([
    version(ctx, sh`node --version 2>/dev/null`, 'node', min),
    bundledPath ? version(ctx, sh`${bundledPath} --version 2>/dev/null`, bundledPath, min) : Promise.resolve(null),
  ]);
  // bin/ozone prefers the bundled binary when it exists (bin/ozone launcher)
  const usable = bundled ? (bundled.satisfies ? 'bundled' : null) : system?.satisfies ? 'system' : null;
  return { minNodeMajor: min, system, bundled, usable };
}
