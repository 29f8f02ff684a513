/**
 * `scmctl repair FILE NODE [--force] [--yes] [--dry-run] [--timeout D] [--output json]`: brings back one SCM
 * whose Raft log or scm.db was damaged or lost (repair/repair-planner.ts): decommission its member, stop it,
 * move its data aside (kept as `<dir>.repair-<time>`), bootstrap it again from the ring, verify. A healthy
 * node is left alone unless --force. Exit 0 done or nothing to do, 1 error or refused, 2 (--dry-run)
 * changes planned, 130 interrupted.
 */
import { systemClock } from '../../common/clock.js';
import { eventLine } from '../apply/event-lines.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { changeCount } from '../plan/plan-model.js';
import { parseIgnoreList } from '../plan/preflight.js';
import { planRepair, repairView } from '../repair/repair-planner.js';
import type { ApplyDeps } from './apply.js';
import { loadClusterInput, openSession, parseConcurrency } from './cluster-input.js';
import { runPlanLocked, showPlan } from './locked-plan-run.js';
import { eventsOutputOption, ignoreOption, timeoutOption, yesOption } from './plan.js';
import { confirmChanges, controlledRun } from './run-control.js';

export const repairCommand: CommandSpec = {
  name: 'repair',
  summary: 'bring back an SCM whose Raft log or scm.db is damaged or lost',
  description:
    'For an SCM that refuses to start (RAFT_LOG_CORRUPT, RAFT_LOG_LOST), keeps failing, or whose data is gone, while ' +
    'the rest of its ring runs: removes its member from the ring (ozone admin scm decommission through a healthy SCM; ' +
    'leadership moves first when it leads), stops it, moves its data directories aside (renamed to ' +
    '<dir>.repair-<UTC time>; nothing is deleted), bootstraps it again (with a join token on a secure cluster), starts ' +
    'it once it catches up from the leader, and verifies the ring and that its containers agree with the others\'. ' +
    'Refused when the ring would be left without a live majority, or the service has one SCM (restore a backup ' +
    'instead). A healthy node is left alone unless --force. Safe to run again after an interruption.',
  args: ['<file>', '<node>'],
  options: [
    { flags: '--force', description: 'repair even a node that looks healthy' },
    { flags: '--dry-run', description: 'print the plan and exit (0 nothing to do, 2 changes)' },
    yesOption,
    { flags: '--concurrency <n>', description: 'hosts read at once', defaultValue: '30' },
    timeoutOption,
    eventsOutputOption,
    ignoreOption,
  ],
  examples: ['scmctl repair examples/local-ha.yaml scm2 --yes', 'scmctl repair cluster.yaml cluster1/scm3 --dry-run'],
  run: (args, options, ctx) => runRepair(args, options, ctx),
};

export async function runRepair(args: readonly string[], options: Readonly<Record<string, unknown>>, ctx: CommandContext, deps: ApplyDeps = {}): Promise<number> {
  return controlledRun(ctx, options, async ({ signal, ctx: runCtx, json, say, own }) => {
    const concurrency = parseConcurrency(options['concurrency']);
    const input = await loadClusterInput(args[0]!, runCtx, { json: json ? 'events' : undefined });
    if (!input || input.kind !== 'topology') return 1;
    const { topology } = input;
    const session = own(openSession(topology, runCtx, concurrency, deps.connect));
    const facts = await session.gather(signal);
    const ignore = parseIgnoreList(typeof options['ignorePreflightErrors'] === 'string' ? [options['ignorePreflightErrors']] : []);
    const repairInput = { topology, rendered: session.rendered, facts, bundle: null, ignorePreflightErrors: ignore, node: args[1]!, force: options['force'] === true };
    const p = planRepair(repairInput);
    const view = repairView(repairInput);
    if (!showPlan(ctx, p, json, options['yes'] !== true)) return 1;
    const changes = changeCount(p);
    if (changes === 0) {
      say(`\n${view.node}: ${view.reason}. Nothing to repair${view.healthy ? ' (--force repairs it anyway)' : ''}.\n`);
      if (json) ctx.stdout.write(eventLine({ type: 'result', ok: true, changes: 0 }));
      return 0;
    }
    say(`\n${view.node} needs a repair: ${view.reason}.\n`);
    if (options['dryRun'] === true) return 2;
    await confirmChanges(ctx, options['yes'], changes, `Repair ${view.node} of cluster ${topology.name} (${changes} changes)?`, signal);
    return runPlanLocked({
      plan: p,
      topology,
      topologyFile: input.path,
      session,
      verb: 'repair',
      json,
      ctx,
      runCtx,
      signal,
      say,
      executor: { bundle: null, clock: deps.clock ?? systemClock, concurrency, ...(deps.pollIntervalMs !== undefined ? { pollIntervalMs: deps.pollIntervalMs } : {}) },
      done: `\nRepair complete: ${view.node} rejoined the ring of cluster ${topology.name}; its old data is kept beside its directories (<dir>.repair-<time>).\n`,
    });
  });
}
