/**
 * planMigration(): the plan of `scmctl migrate`, pure like plan() (no I/O, no clock, no randomness). It
 * grows one SCM that holds data — standalone (`ozone.scm.ratis.enable=false`) or a one-node Raft ring — into
 * the service of the target topology (docs/ozone-scm-ha.md §8), keeping its clusterID and its data:
 *
 *  1. preflight: apply's checks on the target topology, plus `existing-scm` (the SCM runs and answers; it
 *     leads its ring when it has one), `new-node-empty` (the new nodes hold no SCM data of their own) and
 *     `reach` (each new host opens TCP connections to the existing SCM's listening ports); refused:
 *     MIGRATE_NO_EXISTING_SCM, MIGRATE_SHRINK, MIGRATE_CLUSTER_CHANGED and apply's dangerous states;
 *  2. runtime, 3. files: as apply, except the existing SCM's host, whose files wait for stage 5;
 *  4. backup: stop the existing SCM and archive its directories (and its configuration) on its host;
 *  5. convert: write its HA configuration (Ratis on, every node, itself primordial) and start it: a
 *     standalone SCM converts itself into a one-node ring with the same clusterID; wait until it leads;
 *  6. join: bootstrap and start the new nodes one at a time, each gated on "one LEADER and it in the ring";
 *  7. roll: restart, one at a time and leader last, any node still owing a restart (normally none: the
 *     existing SCM already started on the final configuration in stage 5);
 *  8. verify: one clusterID, one leader, every node a voter; identical `containers` on every node, holding
 *     every container recorded by the backup.
 *
 * Stages 4–5 happen only while the existing SCM is alone (no new node initialised, its ring has one member):
 * once a node joined, stopping it could cost the majority, so a resumed migration goes on from where the
 * hosts are. Every phase carries its rollback text.
 */
import { posix } from 'node:path';
import type { RolePeer } from '../facts/host-facts.js';
import type { ClusterFacts, HostObservation } from '../plan/cluster-facts.js';
import { serviceRing } from '../plan/dangerous-states.js';
import { MIGRATE_PHASE_IDS, PHASE_MODES, PHASE_TITLES, nodeKey, type NodeKey, type Phase, type PhaseId, type Plan, type PlanProblem, type PreflightResult, type Task } from '../plan/plan-model.js';
import { plan, type PlanInput } from '../plan/planner.js';
import { hostSudo } from '../plan/probe-specs.js';
import { peerOf } from '../plan/ring-view.js';
import type { ScmNode, ScmService, Topology } from '../topology/model.js';
import type { MigrationState } from './migration-state.js';

/** Checks only migrate runs; `existing-scm` and `reach` can be ignored by name, `new-node-empty` cannot. */
export const MIGRATE_IGNORABLE_CHECKS = ['existing-scm', 'reach'] as const;

export interface ReachResult {
  /** e.g. `client`, `ratis` */
  readonly portName: string;
  /** `address:port` tried */
  readonly target: string;
  readonly ok: boolean;
}

export interface MigrationInput extends PlanInput {
  readonly serviceId: string;
  /** the record of this migration, when one exists (null on a first run) */
  readonly state: MigrationState | null;
  /** per new host: TCP connections to the existing SCM's listening ports (reach-probe.ts) */
  readonly reach: Readonly<Record<string, readonly ReachResult[]>>;
}

export interface MigrationView {
  readonly serviceId: string;
  readonly existing: NodeKey;
  /** the existing SCM was standalone when looked at (VERSION without scmHA=true) */
  readonly standalone: boolean;
  readonly clusterId: string | null;
  /** the new nodes, in topology order */
  readonly added: readonly NodeKey[];
  /** every node initialised, running and a voter of the ring */
  readonly complete: boolean;
}

function okHost(facts: ClusterFacts, name: string): Extract<HostObservation, { ok: true }> | null {
  const h = facts.hosts[name];
  return h && h.ok ? h : null;
}

function isVoter(p: RolePeer | undefined): boolean {
  const r = p?.role.toUpperCase();
  return r === 'LEADER' || r === 'FOLLOWER';
}

/** Outermost directories only: a directory inside another is archived with it. */
export function outermost(paths: readonly string[]): string[] {
  const unique = [...new Set(paths.map((p) => posix.normalize(p).replace(/\/+$/, '') || '/'))].sort();
  return unique.filter((p) => !unique.some((q) => q !== p && (q === '/' || p.startsWith(`${q}/`))));
}

export function backupLocation(n: ScmNode): { archiveDir: string; archivePrefix: string } {
  return { archiveDir: posix.dirname(n.directories.metadata), archivePrefix: `scm-backup-${n.serviceId}-${n.nodeId}-` };
}

interface Observed {
  readonly service: ScmService;
  readonly existing: ScmNode;
  readonly key: (n: ScmNode) => NodeKey;
  readonly initialised: (n: ScmNode) => boolean;
  readonly running: (n: ScmNode) => boolean;
  readonly ring: readonly RolePeer[] | null;
}

function observe(topology: Topology, facts: ClusterFacts, serviceId: string): Observed {
  const service = topology.services.find((s) => s.serviceId === serviceId);
  if (!service) throw new TypeError(`no service ${serviceId}`);
  const existing = service.nodes.find((n) => n.nodeId === service.primordial.nodeId)!;
  const key = (n: ScmNode): NodeKey => nodeKey(n.serviceId, n.nodeId);
  const obs = (n: ScmNode) => okHost(facts, n.host)?.nodes[key(n)];
  return {
    service,
    existing,
    key,
    initialised: (n) => obs(n)?.scm.version != null,
    running: (n) => obs(n)?.scm.running === true,
    ring: serviceRing(service, facts),
  };
}

export function migrationView(topology: Topology, facts: ClusterFacts, serviceId: string): MigrationView {
  const o = observe(topology, facts, serviceId);
  const v = okHost(facts, o.existing.host)?.nodes[o.key(o.existing)]?.scm.version ?? null;
  const inRing = (n: ScmNode): boolean => o.ring !== null && isVoter(peerOf({ key: o.key(n), address: n.address, ratisPort: n.ports.ratis }, o.ring));
  return {
    serviceId,
    existing: o.key(o.existing),
    standalone: v !== null && v.scmHa !== true,
    clusterId: v?.clusterId ?? null,
    added: o.service.nodes.filter((n) => n !== o.existing).map(o.key),
    complete: o.service.nodes.every((n) => o.initialised(n) && o.running(n) && inRing(n)),
  };
}

function rollbacks(o: Observed): Partial<Record<PhaseId, string>> {
  const e = o.existing;
  const others = o.service.nodes.filter((n) => n !== e);
  const { archiveDir, archivePrefix } = backupLocation(e);
  const dirs = outermost((['metadata', 'db', 'ratis', 'snapshot'] as const).map((d) => e.directories[d])).join(' ');
  const restore =
    `on ${e.host}: \`ozone --daemon stop scm\`; move ${dirs} aside; \`tar -C / -xzf ${archiveDir}/${archivePrefix}<time>.tar.gz\` ` +
    `(the archive the backup stage printed; it also restores the previous configuration in ${e.directories.config}); \`ozone --daemon start scm\`. ` +
    'Allocations made after the conversion are lost; Ozone cannot turn a Ratis SCM back into a standalone one in place';
  const newHosts = [...new Set(others.map((n) => n.host))].join(', ');
  const stopNew = `stop the new SCMs (${others.map((n) => `${n.nodeId} on ${n.host}`).join(', ')}: \`ozone --daemon stop scm\`) and move their metadata directories aside (they hold a copy of this cluster)`;
  return {
    runtime: `nothing to undo for the SCM: installing the runtime touches no SCM data (an unused release can stay or be removed from ${[...new Set(others.map((n) => n.directories.install))].join(', ')})`,
    files: `only configuration on ${newHosts || 'the new hosts'} changed; ${e.nodeId} still runs as before. A replaced file that was not scmctl's is kept next to it as *.scmctl-backup-*`,
    backup: `${e.nodeId}'s data is unchanged: start it again with \`ozone --daemon start scm\` on ${e.host} (or carry on with \`scmctl migrate … --resume\`)`,
    convert: restore,
    join: `${stopNew}; then restore ${e.nodeId}: ${restore}`,
    roll: `as for the join stage: ${stopNew}; then restore ${e.nodeId}: ${restore}`,
    verify: 'nothing changes in this stage; to undo the whole migration, follow the join stage\'s rollback',
  };
}

export function planMigration(input: MigrationInput): Plan {
  const { topology, facts, state } = input;
  const base = plan({ ...input, allowRunningStandalone: true });
  const o = observe(topology, facts, input.serviceId);
  const { service, existing: e, key } = o;
  const eKey = key(e);
  const others = service.nodes.filter((n) => n !== e);
  const checks: PreflightResult[] = [];
  const problems: PlanProblem[] = [];
  const ignore = input.ignorePreflightErrors ?? new Set<string>();
  const check = (name: string, host: string, ok: boolean, message: string, ignorable: boolean): void => {
    checks.push({ check: name, host, status: ok ? 'pass' : ignorable && ignore.has(name) ? 'ignored' : 'fail', message, ignorable });
  };
  const eObs = okHost(facts, e.host)?.nodes[eKey];
  const ev = eObs?.scm.version ?? null;
  const readable = service.nodes.every((n) => okHost(facts, n.host));
  const inProgress = state !== null && state.completedAt === null && ev?.clusterId === state.clusterId;

  if (readable && !ev && !service.nodes.some(o.initialised)) {
    problems.push({
      code: 'MIGRATE_NO_EXISTING_SCM',
      hosts: [e.host],
      message: `service ${service.serviceId}: no SCM is initialised, so there is nothing to migrate (${e.nodeId} on ${e.host} has no VERSION in ${e.directories.db})`,
      hint: `to create a new cluster run \`scmctl apply FILE\`; if ${e.nodeId}'s data lives elsewhere, fix its directories in the topology`,
    });
  }
  if (ev && state && ev.clusterId !== state.clusterId) {
    problems.push({
      code: 'MIGRATE_CLUSTER_CHANGED',
      hosts: [e.host],
      message: `${e.nodeId} on ${e.host} now has clusterID ${ev.clusterId ?? '(none)'}, but the migration began with ${state.clusterId}`,
      hint: `find out what happened to ${e.host}'s metadata (the backup of the migration is ${state.backup?.path ?? 'not made yet'}); move the record ${'<state dir>'}/migrate/… aside only if this SCM is really the one to migrate`,
    });
  }
  // shrinking: the ring lists members the topology does not have
  if (o.ring) {
    const extra = o.ring.filter((p) => !service.nodes.some((n) => peerOf({ key: key(n), address: n.address, ratisPort: n.ports.ratis }, [p])));
    if (extra.length > 0) {
      problems.push({
        code: 'MIGRATE_SHRINK',
        hosts: [e.host],
        message: `service ${service.serviceId}: the ring has member${extra.length === 1 ? '' : 's'} ${extra.map((p) => `${p.address ?? p.host} (${p.id ?? 'unknown id'})`).join(', ')} that the topology does not list; migrate only adds SCMs`,
        hint: 'removing an SCM from a ring is a decommission, not a migration (Ozone: `ozone admin scm decommission --nodeid=<scmUuid>`; the embedded SCM does not have it yet), after which the node leaves the topology; if the topology lost a node by mistake, add it back',
      });
    }
  }

  // existing-scm: it runs and answers (and leads, when it has a ring)
  if (eObs && ev) {
    const leader = o.ring?.find((p) => p.role.toUpperCase() === 'LEADER');
    if (!eObs.scm.running) {
      check(
        'existing-scm',
        e.host,
        inProgress,
        inProgress ? `${e.nodeId} is stopped by the interrupted migration; it is started again` : `${e.nodeId} is not running: start it (\`ozone --daemon start scm\`), check it is healthy, then migrate`,
        true,
      );
    } else if (ev.scmHa === true) {
      const ok = o.ring !== null && leader !== undefined;
      check('existing-scm', e.host, ok, ok ? `${e.nodeId} runs a Raft ring of ${o.ring!.length}, leader ${leader!.address ?? leader!.host}, clusterID ${ev.clusterId}` : `${e.nodeId} runs but its ring has no leader (ozone admin scm roles)`, true);
    } else {
      check('existing-scm', e.host, true, `${e.nodeId} runs standalone (Ratis off), clusterID ${ev.clusterId}`, true);
    }
  }
  // new-node-empty: no data of their own on the new nodes
  for (const n of others) {
    const h = okHost(facts, n.host);
    if (!h) continue;
    const v = h.nodes[key(n)]?.scm.version ?? null;
    if (v) {
      const same = ev?.clusterId !== undefined && v.clusterId === ev.clusterId;
      if (same) check('new-node-empty', n.host, true, `${n.nodeId} already belongs to cluster ${v.clusterId}`, false);
      continue; // another clusterID: PLAN_CLUSTER_ID_CONFLICT says it
    }
    const used = (['metadata', 'db', 'ratis', 'snapshot'] as const)
      .map((d) => n.directories[d])
      .filter((d) => h.facts.directories.some((x) => x.path === d && x.exists && x.empty === false));
    const leftovers = used.filter((d) => !used.some((p) => p !== d && d.startsWith(`${p}/`)));
    const ok = leftovers.length === 0 || inProgress;
    check(
      'new-node-empty',
      n.host,
      ok,
      leftovers.length === 0 ? `${n.nodeId} holds no SCM data` : ok ? `${n.nodeId}: ${leftovers.join(', ')} written by the interrupted migration` : `${n.nodeId} has no VERSION but ${leftovers.join(', ')} is not empty: move it aside before the node is bootstrapped`,
      false,
    );
  }
  // reach: new hosts → the existing SCM's listening ports
  for (const host of [...new Set(others.map((n) => n.host))]) {
    const r = input.reach[host];
    if (!r) continue;
    const failed = r.filter((x) => !x.ok);
    check(
      'reach',
      host,
      failed.length === 0,
      r.length === 0
        ? `no port of ${e.nodeId} is listening yet; the bootstrap's health gate checks the connection`
        : failed.length === 0
          ? `${host} reaches ${e.nodeId} on ${r.map((x) => `${x.portName} ${x.target}`).join(', ')}`
          : `${host} cannot connect to ${e.nodeId} on ${failed.map((x) => `${x.portName} ${x.target}`).join(', ')}: open these ports between the hosts`,
      true,
    );
  }

  const preflight = [...base.preflight, ...checks];
  const allProblems = [...base.problems, ...problems];
  const blocked = topology.hosts.some((h) => !okHost(facts, h.name)) || allProblems.length > 0;
  const rb = rollbacks(o);
  const phasesOut = (tasks: Partial<Record<PhaseId, Task[]>>): Phase[] =>
    MIGRATE_PHASE_IDS.map((id) => ({ id, title: PHASE_TITLES[id], mode: PHASE_MODES[id], tasks: tasks[id] ?? [], ...(rb[id] ? { rollback: rb[id] } : {}) }));
  if (blocked) {
    return { ...base, preflight, problems: allProblems, phases: phasesOut({}), fileChanges: [] };
  }

  const from = (id: PhaseId): Task[] => [...(base.phases.find((p) => p.id === id)?.tasks ?? [])];
  const inRing = (n: ScmNode): boolean => o.ring !== null && isVoter(peerOf({ key: key(n), address: n.address, ratisPort: n.ports.ratis }, o.ring));
  const joined = others.some(o.initialised) || service.nodes.filter(inRing).length > 1;
  const eFiles = from('files').filter((t) => t.host === e.host && (t.kind === 'write-file' || t.kind === 'mark-restart-pending'));
  const backedUp = state?.backup != null && state.backup.clusterId === ev?.clusterId;
  // a backup alone is worth a stop only when nodes are still to be bootstrapped against this SCM
  const pending = others.some((n) => !o.initialised(n));
  const convert = ev !== null && !joined && (!o.running(e) || ev.scmHa !== true || eFiles.some((t) => t.kind === 'write-file') || (!backedUp && pending));

  const tasks: Partial<Record<PhaseId, Task[]>> = {};
  const eTask = (t: Task): boolean => 'node' in t && t.node === eKey;
  tasks.runtime = from('runtime').filter((t) => !(convert && t.kind === 'mark-restart-pending' && eTask(t)));
  tasks.files = from('files').filter((t) => !(convert && eFiles.includes(t)));
  if (convert) {
    const backup: Task[] = [];
    if (o.running(e)) backup.push({ kind: 'stop-scm', id: `stop:${e.host}:${eKey}`, title: `stop ${eKey} on ${e.host}${backedUp ? '' : ' for a consistent backup'}`, host: e.host, node: eKey, reason: 'migration' });
    if (!backedUp) {
      const loc = backupLocation(e);
      const paths = outermost([...(['metadata', 'db', 'ratis', 'snapshot', 'config'] as const).map((d) => e.directories[d])]);
      backup.push({
        kind: 'backup-scm',
        id: `backup:${e.host}:${eKey}`,
        title: `back up ${eKey} on ${e.host}: ${paths.join(', ')} → ${loc.archiveDir}/${loc.archivePrefix}<time>.tar.gz`,
        host: e.host,
        node: eKey,
        ...loc,
        paths,
        sudo: hostSudo(topology.hosts.find((h) => h.name === e.host)!),
      });
    }
    tasks.backup = backup;
    tasks.convert = [
      ...eFiles.filter((t) => t.kind === 'write-file'),
      {
        kind: 'start-scm',
        id: `start:${e.host}:${eKey}`,
        title:
          ev.scmHa === true
            ? `start ${eKey} on ${e.host} on the HA configuration and wait until it leads`
            : `start ${eKey} on ${e.host} with Ratis enabled (it converts itself to a one-node ring, same clusterID ${ev.clusterId}) and wait until it leads`,
        host: e.host,
        node: eKey,
        gate: 'leader',
      },
    ];
  }
  tasks.join = from('join').filter((t) => !(convert && t.kind === 'start-scm' && eTask(t)));
  tasks.roll = from('restart').filter((t) => !(convert && eTask(t)));
  const changes = [...Object.values(tasks)].some((l) => l.length > 0);
  if (changes) {
    tasks.verify = [
      {
        kind: 'verify-service',
        id: `verify:${service.serviceId}`,
        title: `verify ${service.serviceId}: clusterID ${ev?.clusterId ?? '?'} in every VERSION, one leader, ${service.nodes.length} nodes in the ring`,
        host: e.host,
        serviceId: service.serviceId,
        nodes: service.nodes.map(key),
      },
      ...from('verify').filter((t) => !(t.kind === 'verify-service' && t.serviceId === service.serviceId)),
      {
        kind: 'verify-containers',
        id: `verify-containers:${service.serviceId}`,
        title: `verify ${service.serviceId}: identical containers (ozone debug ldb … --column-family=containers) on ${service.nodes.map((n) => n.nodeId).join(', ')}`,
        host: e.host,
        serviceId: service.serviceId,
        nodes: service.nodes.map(key),
      },
    ];
  }
  return { ...base, preflight, problems: allProblems, phases: phasesOut(tasks) };
}
