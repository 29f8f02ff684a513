/**
 * `scmctl restore FILE --from MANIFEST [--service-id ID] [--yes] [--dry-run] [--bundle FILE] [--timeout D]
 * [--output json]`: disaster recovery from `scmctl backup` (backup/restore-planner.ts). Checks the backup
 * (format, archive size and sha256), refuses a running cluster or hosts holding another cluster, then runs
 * apply's plan with the primordial restored from the backup instead of initialised, and verifies that every
 * node holds the backup's containers. Exit 0 done, 1 error or refused, 2 (--dry-run) changes planned, 130
 * interrupted. Run it again after an interruption: it continues from where the hosts are.
 */
import { isAbsolute, resolve } from 'node:path';
import { systemClock } from '../../common/clock.js';
import { planBundle } from '../apply/runtime-bundle.js';
import { readBackup } from '../backup/backup-manifest.js';
import { planRestore } from '../backup/restore-planner.js';
import { BackupError } from '../backup/backup-manifest.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { pickService } from '../migrate/add-nodes.js';
import { changeCount } from '../plan/plan-model.js';
import { parseIgnoreList } from '../plan/preflight.js';
import type { ApplyDeps } from './apply.js';
import { loadClusterInput, openSession, parseConcurrency, runtimeBundle } from './cluster-input.js';
import { runPlanLocked, showPlan } from './locked-plan-run.js';
import { changeOptions, ignoreOption } from './plan.js';
import { confirmChanges, controlledRun } from './run-control.js';

export const restoreCommand: CommandSpec = {
  name: 'restore',
  summary: 'rebuild a lost service from a backup (same clusterID and containers)',
  description:
    'Disaster recovery after every SCM of a service lost its data: checks the backup written by `scmctl backup` ' +
    '(manifest, archive size and sha256), refuses when an SCM of the service runs or a host holds another cluster, ' +
    'installs the runtime and files as apply does, unpacks the backup on the primordial node (same clusterID, a new ' +
    'scmUuid; its first start makes a one-node ring of the data), bootstraps the other SCMs one at a time, and ' +
    'verifies that every node holds every container of the backup. Secure services are refused (a backup holds ' +
    'no CA keys).',
  args: ['<file>'],
  options: [
    { flags: '--from <manifest>', description: 'the .json manifest scmctl backup wrote (its .tar.gz beside it)' },
    { flags: '--service-id <id>', description: 'the service to restore, when the topology has several' },
    { flags: '--dry-run', description: 'print the plan and exit (0 nothing to do, 2 changes)' },
    ...changeOptions,
    ignoreOption,
  ],
  examples: ['scmctl restore examples/local-ha.yaml --from /srv/backups/scm/local-ha-scmservice-20261207T010203Z.json --yes'],
  run: (args, options, ctx) => runRestore(args, options, ctx),
};

export async function runRestore(args: readonly string[], options: Readonly<Record<string, unknown>>, ctx: CommandContext, deps: ApplyDeps = {}): Promise<number> {
  return controlledRun(ctx, options, async ({ signal, ctx: runCtx, json, say, own }) => {
    if (typeof options['from'] !== 'string') throw new BackupError('BACKUP_INVALID', '--from MANIFEST is required: the .json file scmctl backup wrote', { hint: 'scmctl restore FILE --from /srv/backups/scm/<name>.json' });
    const { manifest, archivePath } = readBackup(isAbsolute(options['from']) ? options['from'] : resolve(ctx.cwd, options['from']));
    const concurrency = parseConcurrency(options['concurrency']);
    const input = await loadClusterInput(args[0]!, runCtx, { json: json ? 'events' : undefined });
    if (!input || input.kind !== 'topology') return 1;
    const { topology } = input;
    const service = pickService(topology, typeof options['serviceId'] === 'string' ? options['serviceId'] : manifest.serviceId);
    const session = own(openSession(topology, runCtx, concurrency, deps.connect));
    const facts = await session.gather(signal);
    const reachable = Object.values(facts.hosts).every((h) => h.ok);
    const bundle = reachable ? (deps.bundle ?? (await runtimeBundle(topology, facts, options['bundle'], runCtx))) : null;
    const ignore = parseIgnoreList(typeof options['ignorePreflightErrors'] === 'string' ? [options['ignorePreflightErrors']] : []);
    const p = planRestore({ topology, rendered: session.rendered, facts, bundle: bundle ? planBundle(bundle) : null, ignorePreflightErrors: ignore, serviceId: service.serviceId, manifest, archivePath });
    if (!showPlan(ctx, p, json, options['yes'] !== true)) return 1;
    const changes = changeCount(p);
    say(`\nBackup: ${manifest.clusterId} of ${manifest.cluster}/${manifest.serviceId}, term#index ${manifest.raft.term}#${manifest.raft.index}, ${manifest.containerIds.length} containers, made ${manifest.createdAt} from ${manifest.source.node}.\n`);
    if (options['dryRun'] === true) return changes > 0 ? 2 : 0;
    if (changes > 0) await confirmChanges(ctx, options['yes'], changes, `Restore service ${service.serviceId} of cluster ${topology.name} from this backup (${changes} changes)?`, signal);
    return runPlanLocked({
      plan: p,
      topology,
      topologyFile: input.path,
      session,
      verb: 'restore',
      json,
      ctx,
      runCtx,
      signal,
      say,
      executor: {
        bundle,
        clock: deps.clock ?? systemClock,
        concurrency,
        containersBefore: () => manifest.containerIds,
        ...(deps.install ? { install: deps.install } : {}),
        ...(deps.pollIntervalMs !== undefined ? { pollIntervalMs: deps.pollIntervalMs } : {}),
      },
      done: `\nRestore complete: service ${service.serviceId} of cluster ${topology.name} runs ${manifest.clusterId} again with the backup's ${manifest.containerIds.length} containers.\n`,
    });
  });
}
