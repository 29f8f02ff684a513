/** The installed release: `<install>/current` link text and, when the spec asks, `ozone version`. */
import { posix } from 'node:path';
import type { ReleaseFacts } from './host-facts.js';
import { OZONE_DEFAULT_TIMEOUT_MS, ozoneCommand } from './ozone-command.js';
import { run, type ProbeContext } from './probe-context.js';
import { parseVersionBanner } from './version-banner.js';

export async function probeRelease(ctx: ProbeContext): Promise<ReleaseFacts | null> {
  const installDir = ctx.spec.installDir;
  if (!installDir) return null;
  const current = await ctx.host.stat(posix.join(installDir, 'current'), ctx.signal ? { signal: ctx.signal } : {});
  const link = current.exists && current.type === 'symlink' ? (current.linkTarget ?? null) : null;
  let ozoneVersion: string | null = null;
  if (link !== null && ctx.spec.ozone?.askVersion) {
    const r = await run(ctx, ozoneCommand(ctx.spec.ozone, ['version']), { timeoutMs: ctx.spec.ozone.timeoutMs ?? OZONE_DEFAULT_TIMEOUT_MS });
    const banner = r.exitCode === 0 ? parseVersionBanner(r.stdout) : null;
    if (banner) ozoneVersion = banner.version;
  }
  return { installDir, current: link, releaseName: link === null ? null : posix.basename(link.replace(/\/+$/, '')), ozoneVersion };
}
