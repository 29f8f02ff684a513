/** OS, architecture, kernel, hostname (uname), distribution (/etc/os-release) and the probing user (id). */
import { sh } from '../hosts/shell-quote.js';
import { FactsError } from './facts-error.js';
import type { OsFacts } from './host-facts.js';
import { parseOsRelease } from './os-release.js';
import { readOptions, run, type ProbeContext } from './probe-context.js';

export async function probeOs(ctx: ProbeContext): Promise<{ os: OsFacts; user: { uid: number; name: string } }> {
  const name = ctx.host.info.name;
  const [u, id, rel] = await Promise.all([
    run(ctx, sh`uname -s -n -r -m`),
    run(ctx, sh`id`),
    ctx.host.readFile('/etc/os-release', readOptions(ctx, false)),
  ]);
  const f = u.stdout.trim().split(/\s+/);
  if (u.exitCode !== 0 || f.length !== 4) {
    throw new FactsError('FACTS_PROBE_FAILED', name, `uname failed or printed something unexpected: ${JSON.stringify(u.stdout + u.stderr)}`);
  }
  const m = /uid=(\d+)\(([^)]*)\)/.exec(id.stdout);
  if (id.exitCode !== 0 || !m) throw new FactsError('FACTS_PROBE_FAILED', name, `id printed something unexpected: ${JSON.stringify(id.stdout)}`);
  const osr = rel ? parseOsRelease(rel.toString('utf8')) : {};
  return {
    os: {
      kernel: f[0]!,
      hostname: f[1]!,
      kernelRelease: f[2]!,
      arch: f[3]!,
      distroId: osr['ID'] ?? null,
      distroVersion: osr['VERSION_ID'] ?? null,
      prettyName: osr['PRETTY_NAME'] ?? null,
    },
    user: { uid: Number.parseInt(m[1]!, 10), name: m[2]! },
  };
}
