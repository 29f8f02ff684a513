/**
 * gatherFacts(host, spec): every probe of the spec, concurrently, read-only. The commands the probes issue
 * together travel as one script per wave (RemoteHost.batched, hosts/batching-runner.ts): a host is read in
 * a few round trips over one connection, not one channel per command. Transport failures reject with the HostError (the host is then unknown, not "empty");
 * a bad spec is FACTS_INVALID_SPEC; a host answering like no supported system is FACTS_PROBE_FAILED.
 */
import { posix } from 'node:path';
import { systemClock, type Clock } from '../../common/clock.js';
import type { RemoteHost } from '../hosts/remote-host.js';
import { probeClock } from './clock-probe.js';
import { probeDirectoriesAndDisk } from './directories-probe.js';
import { FactsError } from './facts-error.js';
import { probeFileHashes } from './file-hash-probe.js';
import type { HostFacts, RolesFacts } from './host-facts.js';
import { probeInitSystem } from './init-system-probe.js';
import { probeOs } from './os-probe.js';
import { probePorts } from './ports-probe.js';
import type { ProbeContext } from './probe-context.js';
import type { FactsProbeSpec } from './probe-spec.js';
import { probeRelease } from './release-probe.js';
import { probeRuntime } from './runtime-probe.js';
import { probeRoles, probeScm, type RolesTurn } from './scm-probe.js';

export interface GatherFactsOptions {
  /** operator clock for gatheredAt and skew; default the system clock */
  readonly clock?: Clock;
  readonly signal?: AbortSignal;
  /** whether this host asks its SCM's roles (default: whenever it runs); see RolesTurn */
  readonly rolesTurn?: RolesTurn;
}

export function validateProbeSpec(host: string, spec: FactsProbeSpec): void {
  const paths = [
    spec.installDir,
    spec.ozone?.bin,
    spec.scm?.dbDir,
    spec.scm?.pidFile,
    ...(spec.managedFiles ?? []),
    ...(spec.directories ?? []),
    ...(spec.diskPaths ?? []),
  ].filter((p): p is string => p !== undefined);
  for (const p of paths) {
    if (!posix.isAbsolute(p) || /[\0\n]/.test(p)) throw new FactsError('FACTS_INVALID_SPEC', host, `probe path ${JSON.stringify(p)} must be absolute`);
  }
  for (const port of spec.ports?.ports ?? []) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new FactsError('FACTS_INVALID_SPEC', host, `port ${port} is out of range`);
  }
  for (const [k] of Object.entries(spec.ozone?.env ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new FactsError('FACTS_INVALID_SPEC', host, `environment name ${JSON.stringify(k)} is invalid`);
  }
  for (const a of spec.ozone?.rolesArgs ?? []) {
    if (!a.startsWith('--')) throw new FactsError('FACTS_INVALID_SPEC', host, `roles argument ${JSON.stringify(a)} must be a --flag`);
  }
}

export async function gatherFacts(host: RemoteHost, spec: FactsProbeSpec, options: GatherFactsOptions = {}): Promise<HostFacts> {
  validateProbeSpec(host.info.name, spec);
  const clock = options.clock ?? systemClock;
  const ctx: ProbeContext = { host: host.batched?.() ?? host, spec, clock, signal: options.signal };
  const gatheredAt = clock.wallTime().toISOString();
  // The clock goes first in the first wave rather than alone before it (a wave less, issue 13): its
  // uncertainty is half the wave's round trip (tens to a few hundred milliseconds), against a 10 s limit.
  const clockFacts = probeClock(ctx);
  const init = probeInitSystem(ctx);
  // the SCM's probe (its files at once; its status as soon as the init system is known, then its roles: the
  // slowest answer on an SCM host) runs beside the other probes rather than after them
  const [skew, osUser, initSystem, runtime, release, files, ports, dirs, scm] = await Promise.all([
    clockFacts,
    probeOs(ctx),
    init,
    probeRuntime(ctx),
    probeRelease(ctx),
    probeFileHashes(ctx),
    probePorts(ctx),
    probeDirectoriesAndDisk(ctx),
    probeScm(ctx, init, options.rolesTurn),
  ]);
  return {
    host: host.info.name,
    transport: host.info.transport,
    address: host.info.address,
    hostKeyFingerprint: host.info.hostKeyFingerprint ?? null,
    gatheredAt,
    os: osUser.os,
    user: osUser.user,
    runtime,
    release,
    files,
    scm,
    ports,
    directories: dirs.directories,
    initSystem,
    clock: skew,
    disk: dirs.disk,
  };
}

/** `ozone admin scm roles --json` through the spec's ozone, alone: the ring read after gathering (RolesTurn). */
export async function gatherRoles(host: RemoteHost, spec: FactsProbeSpec, options: GatherFactsOptions = {}): Promise<RolesFacts> {
  validateProbeSpec(host.info.name, spec);
  if (!spec.ozone) throw new FactsError('FACTS_INVALID_SPEC', host.info.name, 'roles need the ozone section of the spec');
  return probeRoles({ host, spec, clock: options.clock ?? systemClock, signal: options.signal });
}
