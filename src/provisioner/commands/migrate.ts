/**
 * `scmctl migrate FILE [--add-nodes scm2=HOST2,scm3=HOST3] [--service-id ID] [--resume] [--dry-run] [--yes]
 * [--concurrency N] [--timeout D] [--output json] [--bundle FILE] [--ignore-preflight-errors NAMES]`:
 * grows one SCM holding data (standalone, or a one-node Raft ring) into the service of the target topology,
 * keeping its clusterID and its data (docs/migrate.md; the stages in migrate/migration-planner.ts).
 *
 *  - the target topology is FILE with --add-nodes applied (the file is rewritten, comments kept, the original
 *    kept as FILE.pre-migrate), or FILE as it is when it already lists the new nodes;
 *  - the record of the migration (migration-state.ts) holds the clusterID, the backup and the containers it
 *    saw; an unfinished migration continues only with --resume, so an operator never resumes by accident;
 *  - exit 0 done or nothing to do, 1 error, 2 (--dry-run) changes planned, 130 interrupted.
 */
import { closeSync, copyFileSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { systemClock } from '../../common/clock.js';
import type { ApplyEvent } from '../apply/apply-events.js';
import { eventLine } from '../apply/event-lines.js';
import { readLastRun } from '../apply/journal.js';
import { runLocked } from '../apply/locked-run.js';
import { planBundle } from '../apply/runtime-bundle.js';
import type { BackupRecord } from '../apply/scm-backup.js';
import { journalPath } from '../apply/state-dirs.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { extendTopology, parseAddNodes, pickService } from '../migrate/add-nodes.js';
import { MigrateError } from '../migrate/migrate-error.js';
import { MIGRATE_IGNORABLE_CHECKS, migrationView, planMigration } from '../migrate/migration-planner.js';
import { MIGRATION_FORMAT, migrationStatePath, readMigrationState, writeMigrationState } from '../migrate/migration-state.js';
import { probeReach } from '../migrate/reach-probe.js';
import { changeCount, isRunnable, nodeKey, type Plan } from '../plan/plan-model.js';
import { formatPlan } from '../plan/plan-text.js';
import { parseIgnoreList } from '../plan/preflight.js';
import { detectFormat, loadTopologyText } from '../topology/load.js';
import type { Topology } from '../topology/model.js';
import { formatDiagnostics } from '../topology/diagnostic-text.js';
import { shows } from '../verbosity.js';
import { loadClusterInput, localUser, openSession, parseConcurrency, reportBlocked, runtimeBundle } from './cluster-input.js';
import { invalidTopology, writeFailureJson } from './json-output.js';
import { resultLine, resumable } from './locked-plan-run.js';
import { changeOptions, ignoreOption, planJson } from './plan.js';
import { confirmChanges, controlledRun, reportUnfinished } from './run-control.js';

export const migrateCommand: CommandSpec = {
  name: 'migrate',
  summary: 'grow a standalone or one-node SCM into an HA quorum, keeping its data',
  description:
    'Takes the SCM that holds the data (standalone with ozone.scm.ratis.enable=false, or a one-node Raft ring) and grows ' +
    'its service to the nodes of the topology: --add-nodes adds them to FILE (rewritten in place, comments kept, the ' +
    'original kept as FILE.pre-migrate), or FILE already lists them. Stages: preflight (the SCM is healthy, its clusterID ' +
    'is recorded, the new hosts hold no SCM data and reach it), runtime, files for the new hosts, a timestamped backup of ' +
    'the existing SCM on its host (stopped for consistency), its HA configuration with itself as the primordial node ' +
    '(a standalone SCM converts itself into a one-node ring), bootstrap and start of each new node with a health gate, ' +
    'a roll of any node still owing a restart, and verification (one clusterID, one leader, every node in the ring, ' +
    'identical containers holding every container of before). Every stage prints how to roll back from it. An ' +
    'interrupted migration continues with --resume. Removing SCMs is refused: that is a decommission.',
  args: ['<file>'],
  options: [
    { flags: '--add-nodes <list>', description: 'nodes to add, NODE_ID=HOST,… (HOST: a hosts[].name or an address)' },
    { flags: '--service-id <id>', description: 'the service that grows, when the topology has several' },
    { flags: '--resume', description: 'continue an interrupted migration' },
    { flags: '--dry-run', description: 'print the plan and exit (0 nothing to do, 2 changes); changes nothing, not even FILE' },
    ...changeOptions,
    { ...ignoreOption, description: `${ignoreOption.description.replace(', or all', '')}, ${MIGRATE_IGNORABLE_CHECKS.join(', ')}, or all` },
  ],
  examples: [
    'scmctl apply examples/standalone.yaml --yes && scmctl migrate examples/local-ha.yaml --dry-run',
    'scmctl migrate cluster.yaml --add-nodes scm2=host2,scm3=host3 --yes',
    'scmctl migrate cluster.yaml --resume --yes',
  ],
  run: (args, options, ctx) => runMigrate(args, options, ctx),
};

interface Target {
  readonly topology: Topology;
  /** the file the topology lives in */
  readonly path: string;
  /** the new text of FILE, when --add-nodes changes it */
  readonly newText: string | null;
}

/** FILE, with --add-nodes applied in memory (written only once the migration is confirmed). */
async function loadTarget(file: string, options: Readonly<Record<string, unknown>>, ctx: CommandContext): Promise<Target | null> {
  const json = options['output'] === 'json' ? ('events' as const) : undefined;
  const input = await loadClusterInput(file, ctx, { json });
  if (!input || input.kind !== 'topology') return null;
  const add = options['addNodes'];
  if (typeof add !== 'string') return { topology: input.topology, path: input.path, newText: null };
  const text = readFileSync(input.path, 'utf8');
  if (detectFormat(input.path, text) !== 'yaml') {
    throw new MigrateError('MIGRATE_NEEDS_YAML', `--add-nodes rewrites the topology, and ${file} is an ozone-site.xml`, {
      hint: `convert it once: scmctl export ${file} --format yaml > cluster.yaml, then migrate cluster.yaml`,
    });
  }
  const service = pickService(input.topology, typeof options['serviceId'] === 'string' ? options['serviceId'] : undefined);
  const extended = extendTopology(text, input.topology, service, parseAddNodes(add));
  if (!extended.changed) return { topology: input.topology, path: input.path, newText: null };
  const shown = `${file} (with --add-nodes)`;
  const loaded = loadTopologyText(extended.text, shown, { env: ctx.env, format: 'yaml' });
  if (loaded.diagnostics.length > 0) ctx.stderr.write(formatDiagnostics(loaded.diagnostics, loaded.text));
  if (!loaded.topology && json) writeFailureJson(ctx.stdout, json, invalidTopology(shown, loaded.diagnostics), loaded.diagnostics);
  if (!loaded.topology) return null;
  return { topology: loaded.topology, path: input.path, newText: extended.text };
}

/** FILE rewritten atomically; the first original is kept as FILE.pre-migrate (later ones with a time). */
function writeTopology(path: string, text: string, now: Date): string {
  let keep = `${path}.pre-migrate`;
  if (existsSync(keep)) keep = `${path}.pre-migrate-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z')}`;
  copyFileSync(path, keep);
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return keep;
}

function formatBackup(b: BackupRecord): string {
  return `${b.path} on ${b.host} (${b.bytes} bytes, ${b.containers.length} container${b.containers.length === 1 ? '' : 's'}, clusterID ${b.clusterId}, made ${b.at})`;
}

/** The rollback text of the phase a task belongs to. */
function rollbackOf(p: Plan, taskId: string | undefined): string | undefined {
  if (!taskId) return undefined;
  return p.phases.find((ph) => ph.tasks.some((t) => t.id === taskId))?.rollback;
}

export async function runMigrate(args: readonly string[], options: Readonly<Record<string, unknown>>, ctx: CommandContext): Promise<number> {
  return controlledRun(ctx, options, async ({ signal, ctx: runCtx, json, say, own }) => {
    const concurrency = parseConcurrency(options['concurrency']);
    const ignore = parseIgnoreList(typeof options['ignorePreflightErrors'] === 'string' ? [options['ignorePreflightErrors']] : [], MIGRATE_IGNORABLE_CHECKS);
    const file = args[0]!;
    const target = await loadTarget(isAbsolute(file) ? file : resolve(ctx.cwd, file), options, runCtx);
    if (!target) return 1;
    const { topology } = target;
    if (!topology.ratis.enabled) {
      throw new MigrateError('MIGRATE_RATIS_OFF', `${file} keeps Ratis off (spec.ratis.enabled: false): there is no HA configuration to migrate to`, {
        hint: `add nodes with --add-nodes NODE_ID=HOST,… (which also turns Ratis on), or set spec.ratis.enabled: true for a one-node ring`,
      });
    }
    const service = pickService(topology, typeof options['serviceId'] === 'string' ? options['serviceId'] : undefined);
    const existing = service.nodes.find((n) => n.nodeId === service.primordial.nodeId)!;
    const statePath = migrationStatePath(ctx.env, topology.name, service.serviceId, existing.address);
    let state = readMigrationState(statePath);
    const unfinished = state !== null && state.completedAt === null;
    if (options['resume'] === true && !unfinished) {
      throw new MigrateError('MIGRATE_NOTHING_TO_RESUME', `no unfinished migration of ${service.serviceId} (${existing.nodeId} on ${existing.host}) is recorded in ${statePath}`, {
        hint: `start one: scmctl migrate ${file} --add-nodes NODE_ID=HOST,…`,
      });
    }
    if (unfinished && options['resume'] !== true && options['dryRun'] !== true) {
      throw new MigrateError('MIGRATE_IN_PROGRESS', `a migration of ${service.serviceId} began at ${state!.startedAt} and did not finish${state!.backup ? `; its backup is ${state!.backup.path} on ${state!.backup.host}` : ''}`, {
        hint: `continue it: scmctl migrate ${file} --resume`,
      });
    }

    const session = own(openSession(topology, runCtx, concurrency));
    const facts = await session.gather(signal);
    const others = service.nodes.filter((n) => n !== existing);
    const eh = facts.hosts[existing.host];
    const existingRuns = eh?.ok === true && eh.nodes[nodeKey(service.serviceId, existing.nodeId)]?.scm.running === true;
    const reach = existingRuns ? await probeReach(session.pool, [...new Set(others.map((n) => n.host))], existing, facts, signal) : {};
    const reachable = Object.values(facts.hosts).every((h) => h.ok);
    const bundle = reachable ? await runtimeBundle(topology, facts, options['bundle'], runCtx) : null;
    const p = planMigration({
      topology,
      rendered: session.rendered,
      facts,
      bundle: bundle ? planBundle(bundle) : null,
      ignorePreflightErrors: ignore,
      serviceId: service.serviceId,
      state,
      reach,
    });
    if (json) ctx.stdout.write(eventLine({ type: 'plan', plan: { ...(planJson(p) as object), rollback: Object.fromEntries(p.phases.filter((x) => x.rollback).map((x) => [x.id, x.rollback])) } }));
    else if (shows(ctx, 'info') || options['yes'] !== true || !isRunnable(p)) ctx.stdout.write(formatPlan(p));
    if (!isRunnable(p)) {
      const blocked = reportBlocked(ctx.stderr, p);
      if (json && blocked) writeFailureJson(ctx.stdout, 'events', blocked);
      return 1;
    }
    const view = migrationView(topology, facts, service.serviceId);
    const changes = changeCount(p);
    if (target.newText !== null && options['dryRun'] !== true) say(`\n${file} gets the nodes ${others.map((n) => `${n.nodeId} (${n.host})`).join(', ')}, Ratis enabled, ${existing.nodeId} primordial.\n`);
    if (changes === 0) {
      if (target.newText !== null && options['dryRun'] !== true) {
        await confirmChanges(ctx, options['yes'], 1, `Write the grown topology to ${file}?`, signal, 'migrate');
        say(`Topology written to ${file} (previous version: ${writeTopology(target.path, target.newText, new Date())}).\n`);
      }
      if (state && state.completedAt === null && view.complete && options['dryRun'] !== true) {
        state = { ...state, completedAt: new Date().toISOString() };
        writeMigrationState(statePath, state);
      }
      say(`\n${view.complete ? `Service ${service.serviceId} has ${service.nodes.length} SCMs in its ring, clusterID ${view.clusterId}; the migration is complete.` : 'Nothing to migrate.'}\n`);
      if (json) ctx.stdout.write(eventLine({ type: 'result', ok: true, changes: 0 }));
      return 0;
    }
    if (options['dryRun'] === true) return 2;

    await confirmChanges(ctx, options['yes'], changes, `Migrate service ${service.serviceId} of cluster ${topology.name} (${changes} changes)?`, signal, 'migrate');
    if (target.newText !== null) say(`Topology written to ${file} (previous version: ${writeTopology(target.path, target.newText, new Date())}).\n`);
    if (!state || state.completedAt !== null) {
      state = {
        format: MIGRATION_FORMAT,
        cluster: topology.name,
        serviceId: service.serviceId,
        existingNode: existing.nodeId,
        existingHost: existing.host,
        from: view.standalone ? 'standalone' : 'ratis',
        clusterId: view.clusterId ?? '',
        addedNodes: others.map((n) => n.nodeId),
        topologyFile: target.path,
        startedAt: new Date().toISOString(),
        backup: null,
        completedAt: null,
      };
      writeMigrationState(statePath, state);
    }
    say(`Migration record: ${statePath}\n`);

    const jpath = journalPath(ctx.env, `${topology.name}-migrate`, topology.hosts.map((h) => h.address));
    const resume = resumable(readLastRun(jpath), hostname());
    let lastStarted: string | undefined;
    let failedTask: string | undefined;
    const outcome = await runLocked({
      plan: p,
      cluster: topology.name,
      topologyFile: target.path,
      session,
      journalPath: jpath,
      resume,
      json,
      verb: 'migration',
      ctx: runCtx,
      localUser: localUser(),
      executor: {
        bundle,
        clock: systemClock,
        concurrency,
        onBackup: (b) => {
          state = { ...state!, backup: b };
          writeMigrationState(statePath, state);
        },
        containersBefore: () => state?.backup?.containers ?? null,
      },
      onEvent: (e: ApplyEvent) => {
        if (e.type === 'task-start') lastStarted = e.task.id;
        if (e.type === 'task-failed') failedTask ??= e.task.id;
      },
    });
    if (json) ctx.stdout.write(resultLine(outcome, signal));
    if (outcome.ok) {
      state = { ...state, completedAt: new Date().toISOString() };
      writeMigrationState(statePath, state);
      say(
        `\nMigration complete: service ${service.serviceId} has ${service.nodes.length} SCMs (${service.nodes.map((n) => n.nodeId).join(', ')}), clusterID ${state.clusterId}.\n` +
          (state.backup ? `Backup of ${state.existingNode} as it was: ${formatBackup(state.backup)}; keep it until the cluster has proven itself, then remove it.\n` : ''),
      );
      return 0;
    }
    const code = reportUnfinished(ctx, outcome, signal, 'migrate', `continue with: scmctl migrate ${file} --resume`);
    const rb = rollbackOf(p, failedTask ?? lastStarted);
    if (state.backup) ctx.stderr.write(`backup of ${state.existingNode}: ${formatBackup(state.backup)}\n`);
    if (rb) ctx.stderr.write(`to roll back instead: ${rb}\n`);
    return code;
  });
}
