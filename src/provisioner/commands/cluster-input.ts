/**
 * Shared by plan, apply, status and unlock: read the command's FILE (a topology, or for apply a saved plan),
 * open a ClusterSession, obtain the runtime bundle, plan, and print coded errors.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { CodedError, isCodedError } from '../../common/coded-error.js';
import type { BundleInfo } from '../bundle/bundle-info.js';
import type { CommandContext, OutputStream } from '../command.js';
import { ClusterSession, type SessionOptions } from '../session/cluster-session.js';
import { givenBundle, listPackageFiles, matchingRuntime, releaseBundle, selfBundle, type PackageListing } from '../apply/runtime-bundle.js';
import { cacheDir, stateDir } from '../apply/state-dirs.js';
import { parseDuration } from '../topology/duration.js';
import type { ClusterFacts } from '../plan/cluster-facts.js';
import { hostKeyWarning } from '../plan/host-key-warning.js';
import { PlanError } from '../plan/plan-error.js';
import type { Plan, PreflightResult } from '../plan/plan-model.js';
import { looksLikeSavedPlan, parseSavedPlan, type SavedPlan } from '../plan/saved-plan.js';
import { needsBundledNode } from '../plan/runtime-choice.js';
import { packageRoot } from '../topology/package-root.js';
import type { Topology } from '../topology/model.js';
import { withAbsoluteReleasePaths } from '../topology/release-files.js';
import { commandLogger, shows } from '../verbosity.js';
import { invalidTopology, writeFailureJson, type JsonMode } from './json-output.js';
import { loadFromArgs, printDiagnostics } from './topology-io.js';

export type ClusterInput =
  | { readonly kind: 'topology'; readonly topology: Topology; readonly path: string }
  | { readonly kind: 'saved'; readonly saved: SavedPlan; readonly path: string };

/**
 * The topology (diagnostics printed to stderr: errors always, warnings unless the level is `error`), or a
 * saved plan when `allowSaved` and the file is one; null when invalid — with `json`, after printing the
 * failure (TOPOLOGY_INVALID with the diagnostics) as the command's JSON on stdout.
 */
export async function loadClusterInput(file: string, ctx: CommandContext, options: { allowSaved?: boolean; json?: JsonMode | undefined } = {}): Promise<ClusterInput | null> {
  const path = isAbsolute(file) ? file : resolve(ctx.cwd, file);
  if (options.allowSaved && file.endsWith('.json')) {
    let text: string | null = null;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      text = null;
    }
    if (text !== null && looksLikeSavedPlan(text)) return { kind: 'saved', saved: parseSavedPlan(text, file), path };
  }
  const result = await loadFromArgs(file, ctx, { connects: true });
  printDiagnostics(ctx.stderr, shows(ctx, 'warn') ? result : { ...result, diagnostics: result.diagnostics.filter((d) => d.severity === 'error') });
  if (!result.topology && options.json) writeFailureJson(ctx.stdout, options.json, invalidTopology(file, result.diagnostics), result.diagnostics);
  return result.topology ? { kind: 'topology', topology: withAbsoluteReleasePaths(result.topology, dirname(path)), path } : null;
}

export function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'root';
  }
}

export function parseConcurrency(value: unknown): number {
  if (value === undefined) return 10;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new PlanError('PLAN_INVALID_OPTION', `--concurrency must be a whole number from 1 to 1000, got ${String(value)}`);
  return n;
}

/**
 * The run's one session; warns on stderr first when host keys go unchecked (knownHosts: off). Its hosts log
 * to stderr at the run's level: connection retries (info), each remote command and its duration (debug).
 */
export function openSession(topology: Topology, ctx: CommandContext, concurrency: number, connect?: SessionOptions['connect']): ClusterSession {
  const persistMs = sshPersistMs(ctx.env);
  const warning = hostKeyWarning(topology);
  if (warning !== null && shows(ctx, 'warn')) ctx.stderr.write(warning);
  return new ClusterSession(topology, {
    env: ctx.env,
    localUser: localUser(),
    concurrency,
    logger: commandLogger(ctx),
    ...(connect ? { connect } : {}),
    ...(persistMs > 0 ? { keep: { stateDir: stateDir(ctx.env), persistMs } } : {}),
  });
}

/** The longest SCMCTL_SSH_PERSIST accepted: a day */
const MAX_PERSIST_MS = 86_400_000;

/**
 * SCMCTL_SSH_PERSIST: how long SSH connections are kept after a run (OpenSSH's ControlPersist), e.g. `60s`,
 * `10m`; unset, empty, `0`, `no` or `off` = not kept (the default). Anything else is PLAN_INVALID_OPTION.
 */
export function sshPersistMs(env: CommandContext['env']): number {
  const raw = (env['SCMCTL_SSH_PERSIST'] ?? '').trim();
  if (raw === '' || raw === '0' || raw === 'no' || raw === 'off') return 0;
  const ms = parseDuration(raw);
  if (ms === undefined || ms > MAX_PERSIST_MS) {
    throw new PlanError('PLAN_INVALID_OPTION', `SCMCTL_SSH_PERSIST=${JSON.stringify(raw)} is not a duration up to 1d (like 60s or 10m), nor 0/off`, {
      hint: 'unset it to connect afresh on every run',
    });
  }
  return ms;
}

/**
 * Before the hosts are read: when runtimeBundle will make this scmctl's own bundle, its files are listed
 * meanwhile (hand the listing to runtimeBundle); undefined otherwise.
 */
export function prefetchRuntimeBundle(topology: Topology, bundleOption: unknown): PackageListing | undefined {
  return topology.runtime.kind === 'embedded' && !(typeof bundleOption === 'string' && bundleOption !== '') ? listPackageFiles(packageRoot()) : undefined;
}

/** The bundle given with --bundle, else one made (and cached) from this scmctl, with Node.js when hosts need it. */
export async function runtimeBundle(
  topology: Topology,
  facts: ClusterFacts,
  bundleOption: unknown,
  ctx: CommandContext,
  forceNode?: boolean,
  listing?: PackageListing,
): Promise<BundleInfo> {
  if (typeof bundleOption === 'string' && bundleOption !== '') {
    return matchingRuntime(topology, await givenBundle(isAbsolute(bundleOption) ? bundleOption : resolve(ctx.cwd, bundleOption), ctx.signal));
  }
  if (topology.runtime.kind === 'apache-ozone') return releaseBundle({ runtime: topology.runtime, cacheDir: cacheDir(ctx.env), signal: ctx.signal });
  const withNode = forceNode ?? needsBundledNode(topology, facts);
  return selfBundle({
    packageRoot: packageRoot(),
    cacheDir: cacheDir(ctx.env),
    ...(withNode ? { node: { binary: process.execPath, version: process.version } } : {}),
    ...(listing ? { listing } : {}),
    signal: ctx.signal,
  });
}

export function printError(out: OutputStream, err: unknown): void {
  if (isCodedError(err)) out.write(`error[${err.code}]: ${err.message}\n${err.hint ? `  hint: ${err.hint}\n` : ''}`);
  else out.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
}

/**
 * Why a plan cannot run, on stderr: each unreadable host as its own coded error (SSH_HOST_KEY_CHANGED,
 * SUDO_FAILED, …, naming the host), each refused state, then PLAN_HOSTS_UNREACHABLE / PLAN_PREFLIGHT_FAILED.
 * Returns the error that sums it up (for `-o json`): the last of those two, else the first refused state.
 */
export function reportBlocked(out: OutputStream, p: Plan): CodedError | null {
  const failed = p.preflight.filter((c) => c.status === 'fail');
  const unreachable = failed.filter((c) => c.code !== undefined);
  for (const c of unreachable) out.write(`error[${c.code}]: ${c.message}\n${c.hint ? `  hint: ${c.hint}\n` : ''}`);
  for (const pr of p.problems) out.write(`error[${pr.code}]: ${pr.message}\n  hint: ${pr.hint}\n`);
  // a refused state keeps its own code (PLAN_*, MIGRATE_*, REPAIR_*…)
  let summary: CodedError | null = p.problems[0] ? new CodedError(p.problems[0].code, p.problems[0].message, { hint: p.problems[0].hint }) : null;
  if (unreachable.length > 0) {
    const names = unreachable.map((c) => c.host);
    summary = new PlanError('PLAN_HOSTS_UNREACHABLE', `${names.length} host${names.length === 1 ? '' : 's'} could not be read (${names.join(', ')}); nothing was changed on any host`, {
      hosts: names,
      hint: 'fix the access problem named above, then run again',
    });
    printError(out, summary);
  }
  const checks = failed.filter((c) => c.code === undefined && c.ignorable);
  if (checks.length > 0) printError(out, (summary = preflightError(checks)));
  return summary;
}

/**
 * Checks whose failure apply would hit anyway (a directory it cannot write, a runtime or architecture that
 * cannot run): the hint says how to fix them and never suggests --ignore-preflight-errors for them.
 */
const FIX_ONLY: ReadonlySet<string> = new Set(['directories', 'runtime', 'os-arch']);

/** PLAN_PREFLIGHT_FAILED for failed ignorable checks: what failed, and in the hint what to do about each. */
export function preflightError(checks: readonly PreflightResult[]): PlanError {
  const fixes = [...new Set(checks.map((c) => c.hint).filter((h): h is string => h !== undefined))];
  const waivable = [...new Set(checks.map((c) => c.check).filter((c) => !FIX_ONLY.has(c)))];
  const hint = [
    fixes.length > 0 ? fixes.join('; ') : 'fix what each failed check names',
    ...(waivable.length > 0 ? [`only when a check is wrong about a host, let it warn with --ignore-preflight-errors=${waivable.join(',')}`] : []),
  ].join('; ');
  return new PlanError('PLAN_PREFLIGHT_FAILED', `preflight failed: ${checks.map((c) => `[${c.check}] ${c.host}: ${c.message}`).join('; ')}`, { hosts: checks.map((c) => c.host), hint });
}

/** This scmctl's version (package.json), recorded in saved plans. */
export function scmctlVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
