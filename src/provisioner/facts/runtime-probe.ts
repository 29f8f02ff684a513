/** Node runtimes: `node` on PATH and the release's bundled `node/bin/node`; which one bin/ozone will use. */
import { posix } from 'node:path';
import { sh, type ShellCommand } from '../hosts/shell-quote.js';
import type { JavaFacts, NodeRuntime, RuntimeFacts } from './host-facts.js';
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
  const probe = ctx.spec.probeNode !== false;
  const [system, bundled] = await Promise.all([
    probe ? version(ctx, sh`node --version 2>/dev/null`, 'node', min) : Promise.resolve(null),
    probe && bundledPath ? version(ctx, sh`${bundledPath} --version 2>/dev/null`, bundledPath, min) : Promise.resolve(null),
  ]);
  // bin/ozone prefers the bundled binary when it exists (bin/ozone launcher)
  const usable = bundled ? (bundled.satisfies ? 'bundled' : null) : system?.satisfies ? 'system' : null;
  return { minNodeMajor: min, system, bundled, usable, ...(ctx.spec.javaHome ? { java: await probeJava(ctx, ctx.spec.javaHome) } : {}) };
}

/** `<home>/bin/java -version` (it prints on stderr): what Ozone's launcher will run */
async function probeJava(ctx: ProbeContext, home: string): Promise<JavaFacts> {
  const r = await run(ctx, sh`${posix.join(home, 'bin', 'java')} -version 2>&1`);
  const first = r.stdout.trim().split('\n')[0] ?? '';
  return { home, ok: r.exitCode === 0, version: r.exitCode === 0 ? first : `exit ${r.exitCode}${first ? `: ${first.slice(0, 200)}` : ''}` };
}
