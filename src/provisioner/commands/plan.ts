/**
 * `scmctl plan FILE [-o json] [--out plan.json] [--ignore-preflight-errors=NAME,…] [--bundle FILE]`:
 * reads every host (read-only), prints what apply would do — phases, tasks, per-host file diffs — and exits
 * 0 when there is nothing to do ("No changes. The cluster matches the topology."), 2 when there are changes,
 * 1 on errors (invalid topology, unreachable host, failed preflight check, refused state).
 * `--out` saves the plan with its inputs (topology, ignore list, bundle identity) and the fingerprint of the
 * facts; `scmctl apply plan.json` refuses it if the hosts changed since, or if planning again from those
 * inputs does not give the same plan (saved-plan-check.ts). With `-o json` stdout is always one JSON
 * document: the plan with `ok` (and `error` when it cannot run), or the failure (json-output.ts).
 */
import { writeFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { CommandContext, CommandSpec } from '../command.js';
import { planBundle } from '../apply/runtime-bundle.js';
import type { ClusterFacts } from '../plan/cluster-facts.js';
import { factsFingerprint } from '../plan/fingerprint.js';
import { allTasks, changeCount, isRunnable, type Plan } from '../plan/plan-model.js';
import { formatPlan, summaryLine } from '../plan/plan-text.js';
import { plan as makePlan } from '../plan/planner.js';
import { parseIgnoreList } from '../plan/preflight.js';
import { SAVED_PLAN_FORMAT, serializeSavedPlan } from '../plan/saved-plan.js';
import type { Topology } from '../topology/model.js';
import type { BundleInfo } from '../bundle/bundle-info.js';
import type { SessionOptions } from '../session/cluster-session.js';
import { loadClusterInput, openSession, parseConcurrency, prefetchRuntimeBundle, printError, reportBlocked, runtimeBundle } from './cluster-input.js';
import { errorJson, writeFailureJson } from './json-output.js';

/** Options of every command that changes hosts from a plan (apply, migrate, restore; repair takes some). */
export const yesOption = { flags: '-y, --yes', description: 'do not ask for confirmation' };
export const timeoutOption = { flags: '--timeout <duration>', description: 'give up (and stop cleanly) after this long, e.g. 30m' };
export const eventsOutputOption = { flags: '-o, --output <format>', description: 'text, or json for NDJSON events on stdout (ending with a result event, errors included)', defaultValue: 'text', choices: ['text', 'json'] };
export const bundleOption = { flags: '--bundle <file>', description: 'runtime bundle to install (default: one made from this scmctl, cached)' };
export const changeOptions = [
  yesOption,
  { flags: '--concurrency <n>', description: 'hosts worked on at once (reads, installs, file pushes)', defaultValue: '30' },
  timeoutOption,
  eventsOutputOption,
  bundleOption,
];

export const ignoreOption = {
  flags: '--ignore-preflight-errors <names>',
  description: 'preflight checks whose failures only warn: a comma list of os-arch, runtime, ports, directories, disk, clock-skew, or all',
};

/** The plan JSON printed by `--output json` (file contents left out; diffs included). */
export function planJson(p: Plan): unknown {
  return {
    format: p.format,
    cluster: p.cluster,
    changes: changeCount(p),
    runnable: isRunnable(p),
    summary: summaryLine(p),
    bundle: p.bundle,
    preflight: p.preflight,
    problems: p.problems,
    phases: p.phases.map((ph) => ({ id: ph.id, title: ph.title, tasks: ph.tasks.map((t) => ({ id: t.id, kind: t.kind, title: t.title, host: t.host })) })),
    fileChanges: p.fileChanges,
  };
}

export interface Planned {
  readonly plan: Plan;
  readonly facts: ClusterFacts;
  readonly fingerprint: Record<string, string>;
}

export interface PlanDeps {
  /** replaces the SSH/local transports (tests: strict fake hosts) */
  readonly connect?: SessionOptions['connect'];
  /** the runtime bundle to plan with, instead of --bundle / this scmctl's own */
  readonly bundle?: BundleInfo;
}

/** Reads the hosts (read-only) and plans; closes the session. */
export async function readAndPlan(topology: Topology, ctx: CommandContext, options: Readonly<Record<string, unknown>>, deps: PlanDeps = {}): Promise<Planned & { bundlePath: string }> {
  const ignore = parseIgnoreList(typeof options['ignorePreflightErrors'] === 'string' ? [options['ignorePreflightErrors']] : []);
  const session = openSession(topology, ctx, parseConcurrency(options['concurrency']), deps.connect);
  try {
    const listing = deps.bundle ? undefined : prefetchRuntimeBundle(topology, options['bundle']);
    const facts = await session.gather(ctx.signal);
    ctx.signal.throwIfAborted();
    const reachable = Object.values(facts.hosts).every((h) => h.ok);
    const bundle = reachable ? (deps.bundle ?? (await runtimeBundle(topology, facts, options['bundle'], ctx, undefined, listing))) : null;
    const p = makePlan({ topology, rendered: session.rendered, facts, bundle: bundle ? planBundle(bundle) : null, ignorePreflightErrors: ignore });
    return { plan: p, facts, fingerprint: factsFingerprint(facts), bundlePath: bundle?.path ?? '' };
  } finally {
    await session.close();
  }
}

export const planCommand: CommandSpec = {
  name: 'plan',
  summary: 'show what apply would change on the hosts (exit 0 no changes, 2 changes, 1 error)',
  description:
    'Reads every host of the topology without changing anything (facts), then prints the ordered phases apply ' +
    'would run — preflight checks, runtime install, file changes with diffs, init, bootstrap, rolling restart, ' +
    'verification. Exit status: 0 no changes, 2 changes, 1 error. With --out the plan is saved; ' +
    '`scmctl apply plan.json` plans again from the saved inputs and runs it only when that gives the same plan ' +
    '(refused when it was edited or the hosts changed since).',
  args: ['<file>'],
  options: [
    { flags: '-o, --output <format>', description: 'text or json (one document on stdout, errors included)', defaultValue: 'text', choices: ['text', 'json'] },
    { flags: '--out <plan.json>', description: 'save the plan for `scmctl apply plan.json`' },
    ignoreOption,
    bundleOption,
    { flags: '--concurrency <n>', description: 'hosts read at once', defaultValue: '30' },
  ],
  examples: ['scmctl plan examples/local-ha.yaml', 'scmctl plan examples/three-node.yaml --out plan.json', 'scmctl plan examples/three-node.yaml -o json'],
  run: (args, options, ctx) => runPlan(args, options, ctx),
};

export async function runPlan(args: readonly string[], options: Readonly<Record<string, unknown>>, ctx: CommandContext, deps: PlanDeps = {}): Promise<number> {
  const json = options['output'] === 'json';
  try {
    const input = await loadClusterInput(args[0]!, ctx, { json: json ? 'document' : undefined });
    if (!input || input.kind !== 'topology') return 1;
    const { plan: p, fingerprint } = await readAndPlan(input.topology, ctx, options, deps);
    const runnable = isRunnable(p);
    if (json) {
      // a plan that cannot run says why in the same document: ok false and the error
      const blocked = runnable ? null : reportBlocked(ctx.stderr, p);
      ctx.stdout.write(`${JSON.stringify({ ok: runnable, ...(planJson(p) as object), ...(blocked ? { error: errorJson(blocked) } : {}) }, null, 2)}\n`);
    } else {
      ctx.stdout.write(formatPlan(p));
      if (!runnable) reportBlocked(ctx.stderr, p);
    }
    if (!runnable) return 1;
    if (typeof options['out'] === 'string' && options['out'] !== '') {
      const out = isAbsolute(options['out']) ? options['out'] : resolve(ctx.cwd, options['out']);
      const ignore = typeof options['ignorePreflightErrors'] === 'string' ? [options['ignorePreflightErrors']] : [];
      await writeFile(
        out,
        serializeSavedPlan({
          format: SAVED_PLAN_FORMAT,
          createdAt: new Date().toISOString(),
          scmctlVersion: '0.1.0',
          topologyFile: input.path,
          topology: input.topology,
          ignorePreflightErrors: ignore,
          fingerprint,
          plan: p,
        }),
        { mode: 0o600 },
      );
      ctx.stderr.write(`Saved the plan to ${options['out']}; run \`scmctl apply ${options['out']}\` to apply exactly it.\n`);
    }
    return changeCount(p) === 0 && allTasks(p).length === 0 ? 0 : 2;
  } catch (err) {
    if (ctx.signal.aborted) return 130;
    printError(ctx.stderr, err);
    if (json) writeFailureJson(ctx.stdout, 'document', err);
    return 1;
  }
}
