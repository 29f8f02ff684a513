/**
 * Phase `preflight`: no task, only findings. apply: the named checks (../preflight.ts) and the refused
 * states (../dangerous-states.ts, a release older than a node's layout, a running standalone SCM the
 * topology adds Raft nodes to). migrate adds `existing-scm` (the SCM runs and answers; it leads its ring
 * when it has one), `new-node-empty` (the new nodes hold no SCM data of their own) and `reach` (each new host
 * opens TCP connections to the existing SCM's listening ports), and refuses MIGRATE_NO_EXISTING_SCM,
 * MIGRATE_CLUSTER_CHANGED and MIGRATE_SHRINK. A refused state, or a host that could not be read, leaves
 * every other phase empty (the planners stop there).
 */
import type { ScmNode, Topology } from '../../topology/model.js';
import type { ClusterFacts } from '../cluster-facts.js';
import { findDangerousStates } from '../dangerous-states.js';
import { nodeKey, type PlanBundle, type PlanProblem } from '../plan-model.js';
import { runPreflight } from '../preflight.js';
import { peerOf } from '../ring-view.js';
import type { MigrationContext, PhaseSpec, PlanContext } from './phase-context.js';
import { readHost } from './read-host.js';

function planPreflight(ctx: PlanContext): void {
  const { topology, facts, input } = ctx;
  const danger = findDangerousStates(topology, facts);
  danger.problems.push(...layoutProblems(topology, facts, input.bundle));
  if (topology.ratis.enabled && !input.allowRunningStandalone) danger.problems.push(...runningStandalone(topology, facts));
  ctx.preflight.push(...runPreflight(topology, facts, input.bundle, input.ignorePreflightErrors ?? new Set<string>()), ...danger.checks);
  ctx.problems.push(...danger.problems);
}

/**
 * A standalone SCM (VERSION without scmHA=true) that runs while the topology gives its service Ratis and
 * nodes to bootstrap: bootstrapping against it cannot work, and restarting it is a migration.
 */
function runningStandalone(topology: Topology, facts: ClusterFacts): PlanProblem[] {
  const out: PlanProblem[] = [];
  for (const s of topology.services) {
    const obs = (n: ScmNode) => readHost(facts, n.host)?.nodes[nodeKey(n.serviceId, n.nodeId)]?.scm;
    const solo = s.nodes.find((n) => obs(n)?.running === true && obs(n)?.version != null && obs(n)?.version?.scmHa !== true);
    if (!solo || !s.nodes.some((n) => readHost(facts, n.host) && obs(n)?.version == null)) continue;
    out.push({
      code: 'PLAN_NEEDS_MIGRATE',
      hosts: [solo.host],
      message: `service ${s.serviceId}: ${solo.nodeId} on ${solo.host} runs as a standalone SCM (Ratis off), and the topology adds Raft nodes to it`,
      hint: `grow it with \`scmctl migrate FILE\` (backup, conversion to a one-node ring, bootstrap of the others, resumable); apply does not convert a running standalone SCM`,
    });
  }
  return out;
}

/**
 * A release whose SCM runs an older layout than a node's VERSION cannot start there (SCM_LAYOUT_TOO_NEW):
 * refuse the install (a downgrade past a layout upgrade) before any host changes.
 */
function layoutProblems(topology: Topology, facts: ClusterFacts, bundle: PlanBundle | null): PlanProblem[] {
  if (bundle?.layoutVersion === undefined) return [];
  const newer = topology.services
    .flatMap((s) => s.nodes)
    .map((n) => ({ n, v: readHost(facts, n.host)?.nodes[nodeKey(n.serviceId, n.nodeId)]?.scm.version?.layoutVersion ?? null }))
    .filter((x) => x.v !== null && x.v > bundle.layoutVersion!);
  if (newer.length === 0) return [];
  return [
    {
      code: 'PLAN_LAYOUT_INCOMPATIBLE',
      hosts: newer.map((x) => x.n.host),
      message: `release ${bundle.release} runs HDDS layout version ${bundle.layoutVersion}, but ${newer.map((x) => `${x.n.nodeId} (${x.n.host}) holds layoutVersion ${x.v}`).join(', ')}: its SCM would refuse to start`,
      hint: 'install a release at least as new as the one that wrote the metadata (a rollback past a layout upgrade is not possible)',
    },
  ];
}

function migratePreflight(m: MigrationContext): readonly never[] {
  refusals(m);
  existingScmCheck(m);
  newNodesEmptyCheck(m);
  reachCheck(m);
  return [];
}

/** Nothing to migrate, a different cluster than the record's, or a ring that would shrink. */
function refusals(m: MigrationContext): void {
  const { service, existing: e, version: ev, record } = m;
  const readable = service.nodes.every((n) => readHost(m.facts, n.host));
  if (readable && !ev && !service.nodes.some((n) => m.initialised(n))) {
    m.refuse({
      code: 'MIGRATE_NO_EXISTING_SCM',
      hosts: [e.host],
      message: `service ${service.serviceId}: no SCM is initialised, so there is nothing to migrate (${e.nodeId} on ${e.host} has no VERSION in ${e.directories.db})`,
      hint: `to create a new cluster run \`scmctl apply FILE\`; if ${e.nodeId}'s data lives elsewhere, fix its directories in the topology`,
    });
  }
  if (ev && record && ev.clusterId !== record.clusterId) {
    m.refuse({
      code: 'MIGRATE_CLUSTER_CHANGED',
      hosts: [e.host],
      message: `${e.nodeId} on ${e.host} now has clusterID ${ev.clusterId ?? '(none)'}, but the migration began with ${record.clusterId}`,
      hint: `find out what happened to ${e.host}'s metadata (the backup of the migration is ${record.backup?.path ?? 'not made yet'}); move the record ${'<state dir>'}/migrate/… aside only if this SCM is really the one to migrate`,
    });
  }
  // shrinking: the ring lists members the topology does not have
  if (!m.ring) return;
  const extra = m.ring.filter((p) => !service.nodes.some((n) => peerOf({ key: m.key(n), address: n.address, ratisPort: n.ports.ratis }, [p])));
  if (extra.length === 0) return;
  m.refuse({
    code: 'MIGRATE_SHRINK',
    hosts: [e.host],
    message: `service ${service.serviceId}: the ring has member${extra.length === 1 ? '' : 's'} ${extra.map((p) => `${p.address ?? p.host} (${p.id ?? 'unknown id'})`).join(', ')} that the topology does not list; migrate only adds SCMs`,
    hint: 'removing an SCM from a ring is a decommission, not a migration (Ozone: `ozone admin scm decommission --nodeid=<scmUuid>`; the embedded SCM does not have it yet), after which the node leaves the topology; if the topology lost a node by mistake, add it back',
  });
}

/** existing-scm: it runs and answers (and leads, when it has a ring) */
function existingScmCheck(m: MigrationContext): void {
  const { existing: e, version: ev, inProgress, ring } = m;
  const eObs = readHost(m.facts, e.host)?.nodes[m.existingKey];
  if (!eObs || !ev) return;
  const leader = ring?.find((p) => p.role.toUpperCase() === 'LEADER');
  if (!eObs.scm.running) {
    m.check(
      'existing-scm',
      e.host,
      inProgress,
      inProgress ? `${e.nodeId} is stopped by the interrupted migration; it is started again` : `${e.nodeId} is not running: start it (\`ozone --daemon start scm\`), check it is healthy, then migrate`,
      true,
    );
  } else if (ev.scmHa === true) {
    const ok = ring !== null && leader !== undefined;
    m.check('existing-scm', e.host, ok, ok ? `${e.nodeId} runs a Raft ring of ${ring!.length}, leader ${leader!.address ?? leader!.host}, clusterID ${ev.clusterId}` : `${e.nodeId} runs but its ring has no leader (ozone admin scm roles)`, true);
  } else {
    m.check('existing-scm', e.host, true, `${e.nodeId} runs standalone (Ratis off), clusterID ${ev.clusterId}`, true);
  }
}

/** new-node-empty: no data of their own on the new nodes */
function newNodesEmptyCheck(m: MigrationContext): void {
  for (const n of m.others) {
    const h = readHost(m.facts, n.host);
    if (!h) continue;
    const v = h.nodes[m.key(n)]?.scm.version ?? null;
    if (v) {
      const same = m.version?.clusterId !== undefined && v.clusterId === m.version.clusterId;
      if (same) m.check('new-node-empty', n.host, true, `${n.nodeId} already belongs to cluster ${v.clusterId}`, false);
      continue; // another clusterID: PLAN_CLUSTER_ID_CONFLICT says it
    }
    const used = (['metadata', 'db', 'ratis', 'snapshot'] as const)
      .map((d) => n.directories[d])
      .filter((d) => h.facts.directories.some((x) => x.path === d && x.exists && x.empty === false));
    const leftovers = used.filter((d) => !used.some((p) => p !== d && d.startsWith(`${p}/`)));
    const ok = leftovers.length === 0 || m.inProgress;
    m.check(
      'new-node-empty',
      n.host,
      ok,
      leftovers.length === 0 ? `${n.nodeId} holds no SCM data` : ok ? `${n.nodeId}: ${leftovers.join(', ')} written by the interrupted migration` : `${n.nodeId} has no VERSION but ${leftovers.join(', ')} is not empty: move it aside before the node is bootstrapped`,
      false,
    );
  }
}

/** reach: new hosts → the existing SCM's listening ports */
function reachCheck(m: MigrationContext): void {
  const e = m.existing;
  for (const host of [...new Set(m.others.map((n) => n.host))]) {
    const r = m.reach[host];
    if (!r) continue;
    const failed = r.filter((x) => !x.ok);
    m.check(
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
}

export const preflightPhase = {
  id: 'preflight',
  title: 'Preflight checks',
  mode: 'sequential',
  plan: planPreflight,
  migrate: { tasks: migratePreflight },
} as const satisfies PhaseSpec;
