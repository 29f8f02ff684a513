/**
 * `scmctl apply FILE|plan.json [--yes] [--concurrency N] [--timeout D] [-o json] [--bundle FILE]`:
 * reads the hosts, plans (or re-validates a saved plan: its topology, fresh facts, and planning again must
 * give the saved plan — saved-plan-check.ts), shows the plan, asks on a terminal,
 * takes the cluster lock, journals, runs the plan (listr2 view; plain lines when not a terminal; NDJSON
 * events with -o json, ending with a `result` event also on errors), releases the lock. Exit 0 done or no
 * changes, 1 error, 130 interrupted.
 *
 * Resume: when the journal shows an apply from this machine that never ended and whose process is gone,
 * this run takes over its lock and carries on from fresh facts (done tasks are no longer in the plan).
 */
import { hostname } from 'node:os';
import { systemClock, type Clock } from '../../common/clock.js';
import type { BundleInfo } from '../bundle/bundle-info.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { ApplyError } from '../apply/apply-error.js';
import type { ClusterSession } from '../session/cluster-session.js';
import { eventLine } from '../apply/event-lines.js';
import type { ExecutorDeps } from '../apply/executor.js';
import { readLastRun } from '../apply/journal.js';
import { planBundle } from '../apply/runtime-bundle.js';
import { findDangerousStates } from '../plan/dangerous-states.js';
import { changedHosts, factsFingerprint } from '../plan/fingerprint.js';
import { PlanError } from '../plan/plan-error.js';
import { checkSamePlan, savedTopology } from '../plan/saved-plan-check.js';
import { changeCount, isRunnable, type Plan } from '../plan/plan-model.js';
import { NO_CHANGES } from '../plan/plan-text.js';
import { plan as makePlan } from '../plan/planner.js';
import { parseIgnoreList } from '../plan/preflight.js';
import type { Topology } from '../topology/model.js';
import { loadClusterInput, openSession, parseConcurrency, prefetchRuntimeBundle, runtimeBundle } from './cluster-input.js';
import { clusterJournal, resumable, runPlanLocked, showPlan } from './locked-plan-run.js';
import { confirmChanges, controlledRun } from './run-control.js';
import { changeOptions, ignoreOption, type PlanDeps } from './plan.js';

interface Prepared {
  readonly topology: Topology;
  readonly topologyFile: string;
  readonly plan: Plan;
  readonly bundle: BundleInfo | null;
}

/** Seams for tests: strict fake hosts instead of SSH/local, a given bundle, a fake install and clock. */
export interface ApplyDeps extends PlanDeps {
  readonly install?: ExecutorDeps['install'];
  readonly clock?: Clock;
  readonly pollIntervalMs?: number;
}

async function prepare(
  file: string,
  session: (t: Topology) => ClusterSession,
  ctx: CommandContext,
  options: Readonly<Record<string, unknown>>,
  deps: ApplyDeps,
): Promise<{ prepared: Prepared; session: ClusterSession } | null> {
  const input = await loadClusterInput(file, ctx, { allowSaved: true, json: options['output'] === 'json' ? 'events' : undefined });
  if (!input) return null;
  // a saved plan's topology is validated again before any host is contacted (saved-plan-check.ts)
  const topology = input.kind === 'saved' ? savedTopology(input.saved, file) : input.topology;
  const s = session(topology);
  try {
    const listing = input.kind !== 'saved' && !deps.bundle ? prefetchRuntimeBundle(topology, options['bundle']) : undefined;
    const facts = await s.gather(ctx.signal);
    ctx.signal.throwIfAborted();
    if (input.kind === 'saved') {
      const changed = changedHosts(input.saved.fingerprint, factsFingerprint(facts));
      if (changed.length > 0) {
        throw new PlanError('PLAN_STALE', `the saved plan ${file} is stale: ${changed.join(', ')} changed since it was made`, {
          hosts: changed,
          hint: `make a new plan: scmctl plan ${input.saved.topologyFile} --out ${file}`,
        });
      }
      const danger = findDangerousStates(topology, facts);
      if (danger.problems.length > 0) throw new PlanError(danger.problems[0]!.code as 'PLAN_SECOND_CLUSTER', danger.problems[0]!.message, { hint: danger.problems[0]!.hint });
      const wanted = input.saved.plan.bundle;
      let bundle: BundleInfo | null = null;
      if (wanted) {
        bundle = deps.bundle ?? (await runtimeBundle(topology, facts, options['bundle'], ctx, wanted.bundledNode));
        const have = planBundle(bundle);
        if (have.release !== wanted.release || have.platform !== wanted.platform || have.arch !== wanted.arch || have.bundledNode !== wanted.bundledNode) {
          throw new ApplyError('APPLY_BUNDLE_MISMATCH', `the saved plan installs release ${wanted.release} (${wanted.platform}-${wanted.arch}), but the runtime bundle at hand is ${have.release} (${have.platform}-${have.arch})`, {
            hint: 'give the bundle the plan was made with (--bundle FILE), or make a new plan',
          });
        }
      }
      // plan again from the saved inputs; run that plan, and only when it is the saved one
      const again = makePlan({ topology, rendered: s.rendered, facts, bundle: wanted, ignorePreflightErrors: parseIgnoreList(input.saved.ignorePreflightErrors) });
      if (isRunnable(again)) checkSamePlan(input.saved.plan, again, file, input.saved.topologyFile);
      return { prepared: { topology, topologyFile: input.saved.topologyFile, plan: again, bundle }, session: s };
    }
    const ignore = parseIgnoreList(typeof options['ignorePreflightErrors'] === 'string' ? [options['ignorePreflightErrors']] : []);
    const reachable = Object.values(facts.hosts).every((h) => h.ok);
    const bundle = reachable ? (deps.bundle ?? (await runtimeBundle(topology, facts, options['bundle'], ctx, undefined, listing))) : null;
    const p = makePlan({ topology, rendered: s.rendered, facts, bundle: bundle ? planBundle(bundle) : null, ignorePreflightErrors: ignore });
    return { prepared: { topology, topologyFile: input.path, plan: p, bundle }, session: s };
  } catch (err) {
    await s.close();
    throw err;
  }
}


export const applyCommand: CommandSpec = {
  name: 'apply',
  summary: 'make the hosts match the topology (or run a saved plan)',
  description:
    'Plans like `scmctl plan` (or takes a saved plan, plans again from its inputs and refuses it when the result ' +
    'differs or the hosts changed since), shows the plan, ' +
    'asks for confirmation on a terminal (--yes skips it; without a terminal --yes is required), takes the cluster ' +
    'lock on every host, journals progress, and runs the phases: runtime install, files, init of the primordial ' +
    'SCM, bootstrap and start of the others one at a time, rolling restart (leader last, after a leadership ' +
    'transfer), verification. An interrupted apply is resumed by running it again.',
  args: ['<file>'],
  options: [
    ...changeOptions,
    ignoreOption,
  ],
  examples: ['scmctl apply examples/local-ha.yaml --yes', 'scmctl plan examples/three-node.yaml --out plan.json && scmctl apply plan.json', 'scmctl apply examples/local-ha.yaml --yes -o json'],
  run: (args, options, ctx) => runApply(args, options, ctx),
};

export async function runApply(args: readonly string[], options: Readonly<Record<string, unknown>>, ctx: CommandContext, deps: ApplyDeps = {}): Promise<number> {
  return controlledRun(ctx, options, async ({ signal, ctx: runCtx, json, say, own }) => {
    const concurrency = parseConcurrency(options['concurrency']);
    const got = await prepare(args[0]!, (t) => openSession(t, runCtx, concurrency, deps.connect), runCtx, options, deps);
    if (!got) return 1;
    const session = own(got.session);
    const { plan: p, topology } = got.prepared;
    if (!showPlan(ctx, p, json, options['yes'] !== true)) return 1;

    const resume = resumable(readLastRun(clusterJournal(ctx, topology)), hostname());
    const changes = changeCount(p);
    if (changes === 0 && !resume) {
      say(`\n${NO_CHANGES}\n`);
      if (json) ctx.stdout.write(eventLine({ type: 'result', ok: true, changes: 0 }));
      return 0;
    }
    await confirmChanges(ctx, options['yes'], changes, `Apply these ${changes} changes to cluster ${topology.name}?`, signal);

    return runPlanLocked({
      plan: p,
      topology,
      topologyFile: got.prepared.topologyFile,
      session,
      verb: 'apply',
      json,
      ctx,
      runCtx,
      signal,
      say,
      resume,
      executor: {
        bundle: got.prepared.bundle,
        clock: deps.clock ?? systemClock,
        concurrency,
        ...(deps.install ? { install: deps.install } : {}),
        ...(deps.pollIntervalMs !== undefined ? { pollIntervalMs: deps.pollIntervalMs } : {}),
      },
      done: '',
      doneOf: (completed: number) => `\nApply complete: ${completed} task${completed === 1 ? '' : 's'} done on cluster ${topology.name}.\n`,
    });
  });
}
