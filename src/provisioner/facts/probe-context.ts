/** What every probe receives. Probes only read: tests run them against FakeHost with readOnlyPolicy. */
import type { Clock } from '../../common/clock.js';
import type { ExecResult, RemoteHost } from '../hosts/remote-host.js';
import type { ShellCommand } from '../hosts/shell-quote.js';
import type { FactsProbeSpec } from './probe-spec.js';

export interface ProbeContext {
  readonly host: RemoteHost;
  readonly spec: FactsProbeSpec;
  readonly clock: Clock;
  readonly signal: AbortSignal | undefined;
}

/** exec with the context's signal, as root when the spec asks and `privileged` is set. */
export function run(ctx: ProbeContext, cmd: ShellCommand, options: { privileged?: boolean; timeoutMs?: number } = {}): Promise<ExecResult> {
  return ctx.host.exec(cmd, {
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(options.privileged && ctx.spec.sudo ? { sudo: true } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
}

export function readOptions(ctx: ProbeContext, privileged: boolean): { sudo?: boolean; signal?: AbortSignal } {
  return { ...(ctx.signal ? { signal: ctx.signal } : {}), ...(privileged && ctx.spec.sudo ? { sudo: true } : {}) };
}
