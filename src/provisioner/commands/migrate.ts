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
import type { ClusterSession } from '../session/cluster-session.js';
import { eventLine } from '../apply/event-lines.js';
import { readLastRun } from '../apply/journal.js';
import { runLocked } from '../apply/locked-run.js';
import { planBundle } from '../apply/runtime-bundle.js';
import type { BackupRecord } from '../apply/scm-backup.js';
import { journalPath } from '../apply/state-dirs.js';
import type { BundleInfo } from '../bundle/bundle-info.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { extendTopology, parseAddNodes, pickService } from '../migrate/add-nodes.js';
import { MigrateError } from '../migrate/migrate-error.js';
import { MIGRATE_IGNORABLE_CHECKS, migrationView, planMigration, type MigrationView } from '../migrate/migration-planner.js';
import { MIGRATION_FORMAT, migrationStatePath, readMigrationState, writeMigrationState, type MigrationState } from '../migrate/migration-state.js';
import { probeReach } from '../migrate/reach-probe.js';
import type { ClusterFacts } from '../plan/cluster-facts.js';
import { changeCount, isRunnable, nodeKey, type Plan } from '../plan/plan-model.js';
import { formatPlan } from '../plan/plan-text.js';
import { parseIgnoreList } from '../plan/preflight.js';
import { detectFormat, loadTopologyText } from '../topology/load.js';
import type { ScmNode, ScmService, Topology } from '../topology/model.js';
import { formatDiagnostics } from '../topology/diagnostic-text.js';
import { shows } from '../verbosity.js';
import { loadClusterInput, localUser, openSession, parseConcurrency, reportBlocked, runtimeBundle } from './cluster-input.js';
import { invalidTopology, writeFailureJson } from './json-output.js';
import { resultLine, resumable } from './locked-plan-run.js';
import { changeOptions, ignoreOption, planJson } from './plan.js';
import { confirmChanges, controlledRun, reportUnfinished, type RunScope } from './run-control.js';

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
  return controlledRun(ctx, options, async (scope) => {
    const concurrency = parseConcurrency(options['concurrency']);
    const ignore = parseIgnoreList(typeof options['ignorePreflightErrors'] === 'string' ? [options['ignorePreflightErrors']] : [], MIGRATE_IGNORABLE_CHECKS);
    const m = await openMigration(args[0]!, options, ctx, scope.ctx);
    if (!m) return 1;
    const session = scope.own(openSession(m.topology, scope.ctx, concurrency));
    const { plan: p, facts, bundle } = await planOnHosts(m, session, ignore, options, scope);
    if (!showPlan(p, options, ctx, scope.json)) return 1;
    const view = migrationView(m.topology, facts, m.service.serviceId);
    const changes = changeCount(p);
    const dryRun = options['dryRun'] === true;
    if (m.target.newText !== null && !dryRun) scope.say(`\n${m.file} gets the nodes ${m.others.map((n) => `${n.nodeId} (${n.host})`).join(', ')}, Ratis enabled, ${m.existing.nodeId} primordial.\n`);
    if (changes === 0) return nothingToMigrate(m, view, options, ctx, scope);
    if (dryRun) return 2;
    await confirmChanges(ctx, options['yes'], changes, `Migrate service ${m.service.serviceId} of cluster ${m.topology.name} (${changes} changes)?`, scope.signal, 'migrate');
    if (m.target.newText !== null) scope.say(`Topology written to ${m.file} (previous version: ${writeTopology(m.target.path, m.target.newText, new Date())}).\n`);
    beginRecord(m, view);
    scope.say(`Migration record: ${m.statePath}\n`);
    return runMigration(m, p, session, bundle, concurrency, ctx, scope);
  });
}

/** One migration: the target, the SCM that grows, and its record (`state`, rewritten as the run goes). */
interface Migration {
  /** FILE as given */
  readonly file: string;
  readonly target: Target;
  readonly topology: Topology;
  readonly service: ScmService;
  readonly existing: ScmNode;
  readonly others: readonly ScmNode[];
  readonly statePath: string;
  state: MigrationState | null;
}

function saveRecord(m: Migration, next: MigrationState): MigrationState {
  m.state = next;
  writeMigrationState(m.statePath, next);
  return next;
}

/** FILE read (with --add-nodes), Ratis on, the service picked, and its record allowing this run. */
async function openMigration(file: string, options: Readonly<Record<string, unknown>>, ctx: CommandContext, runCtx: CommandContext): Promise<Migration | null> {
  const target = await loadTarget(isAbsolute(file) ? file : resolve(ctx.cwd, file), options, runCtx);
  if (!target) return null;
  const { topology } = target;
  if (!topology.ratis.enabled) {
    throw new MigrateError('MIGRATE_RATIS_OFF', `${file} keeps Ratis off (spec.ratis.enabled: false): there is no HA configuration to migrate to`, {
      hint: `add nodes with --add-nodes NODE_ID=HOST,… (which also turns Ratis on), or set spec.ratis.enabled: true for a one-node ring`,
    });
  }
  const service = pickService(topology, typeof options['serviceId'] === 'string' ? options['serviceId'] : undefined);
  const existing = service.nodes.find((n) => n.nodeId === service.primordial.nodeId)!;
  const statePath = migrationStatePath(ctx.env, topology.name, service.serviceId, existing.address);
  const state = readMigrationState(statePath);
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
  return { file, target, topology, service, existing, others: service.nodes.filter((n) => n !== existing), statePath, state };
}

/** Facts of every host, the new hosts' reach to the existing SCM (when it runs), the bundle, and the plan. */
async function planOnHosts(m: Migration, session: ClusterSession, ignore: ReadonlySet<string>, options: Readonly<Record<string, unknown>>, scope: RunScope): Promise<{ plan: Plan; facts: ClusterFacts; bundle: BundleInfo | null }> {
  const { topology, service, existing } = m;
  const { signal } = scope;
  const facts = await session.gather(signal);
  const eh = facts.hosts[existing.host];
  const existingRuns = eh?.ok === true && eh.nodes[nodeKey(service.serviceId, existing.nodeId)]?.scm.running === true;
  const reach = existingRuns ? await probeReach(session.pool, [...new Set(m.others.map((n) => n.host))], existing, facts, signal) : {};
  const reachable = Object.values(facts.hosts).every((h) => h.ok);
  const bundle = reachable ? await runtimeBundle(topology, facts, options['bundle'], scope.ctx) : null;
  const plan = planMigration({
    topology,
    rendered: session.rendered,
    facts,
    bundle: bundle ? planBundle(bundle) : null,
    ignorePreflightErrors: ignore,
    serviceId: service.serviceId,
    state: m.state,
    reach,
  });
  return { plan, facts, bundle };
}

/** The plan (with each phase's rollback in JSON), and why it cannot run; false = it cannot. */
function showPlan(p: Plan, options: Readonly<Record<string, unknown>>, ctx: CommandContext, json: boolean): boolean {
  if (json) ctx.stdout.write(eventLine({ type: 'plan', plan: { ...(planJson(p) as object), rollback: Object.fromEntries(p.phases.filter((x) => x.rollback).map((x) => [x.id, x.rollback])) } }));
  else if (shows(ctx, 'info') || options['yes'] !== true || !isRunnable(p)) ctx.stdout.write(formatPlan(p));
  if (isRunnable(p)) return true;
  const blocked = reportBlocked(ctx.stderr, p);
  if (json && blocked) writeFailureJson(ctx.stdout, 'events', blocked);
  return false;
}

/** No host changes: the grown topology may still be written, and a finished migration recorded as such. */
async function nothingToMigrate(m: Migration, view: MigrationView, options: Readonly<Record<string, unknown>>, ctx: CommandContext, scope: RunScope): Promise<number> {
  const dryRun = options['dryRun'] === true;
  if (m.target.newText !== null && !dryRun) {
    await confirmChanges(ctx, options['yes'], 1, `Write the grown topology to ${m.file}?`, scope.signal, 'migrate');
    scope.say(`Topology written to ${m.file} (previous version: ${writeTopology(m.target.path, m.target.newText, new Date())}).\n`);
  }
  if (m.state && m.state.completedAt === null && view.complete && !dryRun) saveRecord(m, { ...m.state, completedAt: new Date().toISOString() });
  scope.say(`\n${view.complete ? `Service ${m.service.serviceId} has ${m.service.nodes.length} SCMs in its ring, clusterID ${view.clusterId}; the migration is complete.` : 'Nothing to migrate.'}\n`);
  if (scope.json) ctx.stdout.write(eventLine({ type: 'result', ok: true, changes: 0 }));
  return 0;
}

/** A new record, unless an unfinished one goes on. */
function beginRecord(m: Migration, view: MigrationView): void {
  if (m.state && m.state.completedAt === null) return;
  saveRecord(m, {
    format: MIGRATION_FORMAT,
    cluster: m.topology.name,
    serviceId: m.service.serviceId,
    existingNode: m.existing.nodeId,
    existingHost: m.existing.host,
    from: view.standalone ? 'standalone' : 'ratis',
    clusterId: view.clusterId ?? '',
    addedNodes: m.others.map((n) => n.nodeId),
    topologyFile: m.target.path,
    startedAt: new Date().toISOString(),
    backup: null,
    completedAt: null,
  });
}

/** The plan run under the cluster lock and journal (resuming this machine's interrupted run), then the report. */
async function runMigration(m: Migration, p: Plan, session: ClusterSession, bundle: BundleInfo | null, concurrency: number, ctx: CommandContext, scope: RunScope): Promise<number> {
  const { topology, file } = m;
  const { signal, json, say } = scope;
  const jpath = journalPath(ctx.env, `${topology.name}-migrate`, topology.hosts.map((h) => h.address));
  const resume = resumable(readLastRun(jpath), hostname());
  let lastStarted: string | undefined;
  let failedTask: string | undefined;
  const outcome = await runLocked({
    plan: p,
    cluster: topology.name,
    topologyFile: m.target.path,
    session,
    journalPath: jpath,
    resume,
    json,
    verb: 'migration',
    ctx: scope.ctx,
    localUser: localUser(),
    executor: {
      bundle,
      clock: systemClock,
      concurrency,
      onBackup: (b) => void saveRecord(m, { ...m.state!, backup: b }),
      containersBefore: () => m.state?.backup?.containers ?? null,
    },
    onEvent: (e: ApplyEvent) => {
      if (e.type === 'task-start') lastStarted = e.task.id;
      if (e.type === 'task-failed') failedTask ??= e.task.id;
    },
  });
  if (json) ctx.stdout.write(resultLine(outcome, signal));
  const state = m.state!;
  if (outcome.ok) {
    const done = saveRecord(m, { ...state, completedAt: new Date().toISOString() });
    say(
      `\nMigration complete: service ${m.service.serviceId} has ${m.service.nodes.length} SCMs (${m.service.nodes.map((n) => n.nodeId).join(', ')}), clusterID ${done.clusterId}.\n` +
        (done.backup ? `Backup of ${done.existingNode} as it was: ${formatBackup(done.backup)}; keep it until the cluster has proven itself, then remove it.\n` : ''),
    );
    return 0;
  }
  const code = reportUnfinished(ctx, outcome, signal, 'migrate', `continue with: scmctl migrate ${file} --resume`);
  const rb = rollbackOf(p, failedTask ?? lastStarted);
  if (state.backup) ctx.stderr.write(`backup of ${state.existingNode}: ${formatBackup(state.backup)}\n`);
  if (rb) ctx.stderr.write(`to roll back instead: ${rb}\n`);
  return code;
}
