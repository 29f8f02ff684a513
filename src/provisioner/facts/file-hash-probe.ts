/** sha256 of managed files (`sha256sum`); null for a missing file, an error for an unreadable one. */
import { sh } from '../hosts/shell-quote.js';
import { FactsError } from './facts-error.js';
import { run, type ProbeContext } from './probe-context.js';

/** sha256sum prints `\` before the hash when it escaped `\` or newline in the name. */
function unescapeName(name: string): string {
  return name.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

export async function probeFileHashes(ctx: ProbeContext): Promise<Record<string, string | null>> {
  const files = ctx.spec.managedFiles ?? [];
  const out: Record<string, string | null> = {};
  if (files.length === 0) return out;
  const r = await run(ctx, sh`LC_ALL=C sha256sum -- ${files}`, { privileged: true });
  for (const f of files) out[f] = null;
  for (const line of r.stdout.split('\n')) {
    const m = /^(\\?)([0-9a-f]{64}) [ *](.*)$/.exec(line);
    if (!m) continue;
    const name = m[1] ? unescapeName(m[3]!) : m[3]!;
    if (name in out) out[name] = m[2]!;
  }
  for (const line of r.stderr.split('\n')) {
    const m = /^sha256sum: (.*): (.*)$/.exec(line);
    if (!m || m[2] === 'No such file or directory') continue;
    if (m[1]! in out) {
      throw new FactsError('FACTS_PROBE_FAILED', ctx.host.info.name, `cannot hash ${m[1]}: ${m[2]}`, {
        hint: ctx.spec.sudo ? undefined : 'probe with sudo (the file is not readable by the login user)',
      });
    }
  }
  return out;
}
