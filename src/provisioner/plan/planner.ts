/**
 * plan(): topology + rendered files + facts + runtime bundle → Plan. Pure and deterministic: no I/O, no
 * clock, no randomness; the same inputs give a deep-equal plan (saved plans rely on it).
 *
 * Order of work (k0sctl-style phases; titles in plan-model.ts):
 *  1. preflight: named checks (preflight.ts) and refused states (dangerous-states.ts). A host that could
 *     not be read, or a refused state, leaves every other phase empty.
 *  2. runtime: install/upgrade the bundle on SCM hosts whose `current` release differs. Running SCMs of that
 *     install are first marked "restart pending" (durable, on the host).
 *  3. files: create missing directories, mark running SCMs whose files change, write changed files (with a
 *     backup when the file replaced is not scmctl's). OM/datanode/client hosts only get this phase.
 *  4. init: only when no node of the service has a VERSION: `--init` the primordial node, start it, wait
 *     until it leads.
 *  5. join: start initialised nodes that are stopped (primordial first; health-gated once a majority of the
 *     initialised nodes runs, else a final wait-ring), then bootstrap + start each uninitialised node, one
 *     at a time, each gated on "one LEADER and this node in the ring".
 *  5b. remove: ring members that are none of the topology's nodes are decommissioned (secure: their
 *     certificates are revoked with it).
 *  6. restart: running nodes whose config or runtime changes, or whose restart marker is set: followers one
 *     at a time, the leader last (the executor transfers leadership away first), each gated on the ring.
 *  7. verify: one clusterID in every VERSION, one leader, every node in the ring.
 */
import { posix } from 'node:path';
import { sha256Hex, readManagedHeader, type CommentStyle } from '../render/managed-header.js';
import type { RenderedFile } from '../render/render-host.js';
import type { Host, ScmNode, ScmService, Topology } from '../topology/model.js';
import { keytabOnHost, scmNodesOnHost } from '../topology/queries.js';
import type { ClusterFacts, HostObservation } from './cluster-facts.js';
import { findDangerousStates, serviceRing } from './dangerous-states.js';
import { unifiedDiff } from './file-diff.js';
import { lockFilePath, restartMarkerPath } from './host-paths.js';
import {
  nodeKey,
  PHASE_IDS,
  PHASE_MODES,
  PHASE_TITLES,
  PLAN_FORMAT,
  type FileChange,
  type NodeKey,
  type Phase,
  type PhaseId,
  type Plan,
  type PlanBundle,
  type PlanHost,
  type PlanNode,
  type PlanProblem,
  type Task,
} from './plan-model.js';
import { runPreflight } from './preflight.js';
import { hostSudo, ozoneBin } from './probe-specs.js';
import type { RolePeer } from '../facts/host-facts.js';
import { describePeer, peerOf, strangers } from './ring-view.js';

export interface PlanInput {
  readonly topology: Topology;
  /** renderAll(topology) */
  readonly rendered: ReadonlyMap<string, readonly RenderedFile[]>;
  readonly facts: ClusterFacts;
  /** the runtime bundle apply would install; null = do not manage the runtime */
  readonly bundle: PlanBundle | null;
  /** normalised by parseIgnoreList */
  readonly ignorePreflightErrors?: ReadonlySet<string>;
  /** migrate plans around a running standalone SCM itself; apply refuses to (PLAN_NEEDS_MIGRATE) */
  readonly allowRunningStandalone?: boolean;
}

const MANAGED_HEADER_LINE = /^(<!-- |# )Managed by scmctl; do not edit \(changes are overwritten\)\. sha256=[0-9a-f]{64}( -->)?$/;

/** The file without scmctl's managed-by line, so diffs show only what really changes. */
export function withoutManagedHeader(text: string): string {
  const lines = text.split('\n');
  const i = lines.findIndex((l, idx) => idx < 2 && MANAGED_HEADER_LINE.test(l));
  if (i >= 0) lines.splice(i, 1);
  return lines.join('\n');
}

function styleOf(f: RenderedFile): CommentStyle {
  return f.kind === 'ozone-site' ? 'xml' : 'hash';
}

function planNode(topology: Topology, n: ScmNode): PlanNode {
  const host = topology.hosts.find((h) => h.name === n.host)!;
  return {
    key: nodeKey(n.serviceId, n.nodeId),
    serviceId: n.serviceId,
    nodeId: n.nodeId,
    host: n.host,
    address: n.address,
    ratisPort: n.ports.ratis,
    clientPort: n.ports.client,
    primordial: n.primordial,
    installDir: n.directories.install,
    configDir: n.directories.config,
    dbDir: n.directories.db,
    logsDir: n.directories.logs,
    envFile: posix.join(n.directories.config, 'scm.env'),
    ozoneBin: ozoneBin(n),
    restartMarker: restartMarkerPath(n.directories.config),
    sudo: hostSudo(host),
  };
}

function okHost(facts: ClusterFacts, name: string): Extract<HostObservation, { ok: true }> | null {
  const h = facts.hosts[name];
  return h && h.ok ? h : null;
}

class PhaseBuilder {
  readonly tasks = new Map<PhaseId, Task[]>(PHASE_IDS.map((id) => [id, []]));
  add(phase: PhaseId, task: Task): void {
    this.tasks.get(phase)!.push(task);
  }
  phases(): Phase[] {
    return PHASE_IDS.map((id) => ({ id, title: PHASE_TITLES[id], mode: PHASE_MODES[id], tasks: this.tasks.get(id)! }));
  }
}

/**
 * A standalone SCM (VERSION without scmHA=true) that runs while the topology gives its service Ratis and
 * nodes to bootstrap: bootstrapping against it cannot work, and restarting it is a migration.
 */
function runningStandalone(topology: Topology, facts: ClusterFacts): PlanProblem[] {
  const out: PlanProblem[] = [];
  for (const s of topology.services) {
    const obs = (n: ScmNode) => okHost(facts, n.host)?.nodes[nodeKey(n.serviceId, n.nodeId)]?.scm;
    const solo = s.nodes.find((n) => obs(n)?.running === true && obs(n)?.version != null && obs(n)?.version?.scmHa !== true);
    if (!solo || !s.nodes.some((n) => okHost(facts, n.host) && obs(n)?.version == null)) continue;
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
    .map((n) => ({ n, v: okHost(facts, n.host)?.nodes[nodeKey(n.serviceId, n.nodeId)]?.scm.version?.layoutVersion ?? null }))
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

/** A member the leader reports alive (real Ozone prints every non-leader FOLLOWER, so it counts as alive). */
function isAlive(p: RolePeer): boolean {
  const r = p.role.toUpperCase();
  return r === 'LEADER' || r === 'FOLLOWER';
}

/**
 * Whether removing `leaving` one at a time, in order, keeps a live majority for every change (a change
 * commits only with a majority of the ring as it is when proposed). Returns why not, or null.
 */
export function quorumLoss(ring: readonly RolePeer[], leaving: readonly RolePeer[]): string | null {
  let members = ring.filter((p) => p.role.toUpperCase() !== 'LEARNER').length;
  let alive = ring.filter(isAlive).length;
  for (const p of leaving) {
    const needed = Math.floor(members / 2) + 1;
    if (alive < needed) return `${alive} live of ${members} members before removing ${describePeer(p)}, ${needed} needed`;
    members--;
    if (isAlive(p)) alive--;
  }
  const needed = Math.floor(members / 2) + 1;
  if (leaving.length > 0 && members > 0 && alive < needed) return `${alive} live of ${members} members would remain, ${needed} needed`;
  return null;
}

export function plan(input: PlanInput): Plan {
  const { topology, rendered, facts, bundle } = input;
  const ignore = input.ignorePreflightErrors ?? new Set<string>();
  // a secure embedded SCM joins with scmctl's join token; a secure Apache Ozone SCM authenticates its
  // --bootstrap with its Kerberos keytab (StorageContainerManager.scmBootstrap), so no token is minted
  const joinToken = topology.security.enabled && topology.runtime.kind === 'embedded';
  const allNodes = topology.services.flatMap((s) => s.nodes);
  const nodes: Record<NodeKey, PlanNode> = {};
  for (const n of allNodes) nodes[nodeKey(n.serviceId, n.nodeId)] = planNode(topology, n);
  const hosts: Record<string, PlanHost> = {};
  for (const h of topology.hosts) {
    hosts[h.name] = { name: h.name, address: h.address, transport: h.transport.kind, sudo: hostSudo(h), lockPath: lockFilePath(h.directories.config) };
  }
  const danger = findDangerousStates(topology, facts);
  danger.problems.push(...layoutProblems(topology, facts, bundle));
  if (topology.ratis.enabled && !input.allowRunningStandalone) danger.problems.push(...runningStandalone(topology, facts));
  const preflight = [...runPreflight(topology, facts, bundle, ignore), ...danger.checks];
  const base = {
    format: PLAN_FORMAT,
    cluster: topology.name,
    nodes,
    hosts,
    preflight,
    problems: danger.problems,
    bundle,
    timeouts: { commandMs: topology.timeouts.commandMs, scmStartMs: topology.timeouts.scmStartMs, scmInfoWaitMs: topology.timeouts.scmInfoWaitMs },
  } as const;
  const b = new PhaseBuilder();
  const unreachable = topology.hosts.some((h) => !okHost(facts, h.name));
  if (unreachable || danger.problems.length > 0) return { ...base, phases: b.phases(), fileChanges: [] };

  const fileChanges: FileChange[] = [];
  /** nodes whose restart is due (marker on the host, or written by this plan) or whose config/runtime changes */
  const restartReasons = new Map<NodeKey, Set<string>>();
  const markedByPlan = new Set<NodeKey>();
  const running = (n: ScmNode): boolean => okHost(facts, n.host)?.nodes[nodeKey(n.serviceId, n.nodeId)]?.scm.running === true;
  const initialised = (n: ScmNode): boolean => okHost(facts, n.host)?.nodes[nodeKey(n.serviceId, n.nodeId)]?.scm.version != null;
  const markerPresent = (n: ScmNode): boolean => {
    const h = okHost(facts, n.host);
    const v = h?.facts.files[restartMarkerPath(n.directories.config)];
    return v !== null && v !== undefined;
  };
  const reason = (key: NodeKey, why: string): void => {
    restartReasons.set(key, new Set([...(restartReasons.get(key) ?? []), why]));
  };
  const markIfRunning = (phase: PhaseId, n: ScmNode, why: string): void => {
    const key = nodeKey(n.serviceId, n.nodeId);
    if (!running(n)) return;
    reason(key, why);
    if (markedByPlan.has(key) || markerPresent(n)) return;
    markedByPlan.add(key);
    const pn = nodes[key]!;
    b.add(phase, {
      kind: 'mark-restart-pending',
      id: `mark:${n.host}:${key}`,
      title: `mark ${key} on ${n.host} for a restart (${why} changes)`,
      host: n.host,
      node: key,
      marker: pn.restartMarker,
      reason: why,
      sudo: pn.sudo,
    });
  };

  // 2. runtime
  if (bundle) {
    for (const host of topology.hosts) {
      const onHost = scmNodesOnHost(topology, host.name);
      const obs = okHost(facts, host.name)!;
      const installs = [...new Set(onHost.map((n) => n.directories.install))];
      for (const dir of installs) {
        const users = onHost.filter((n) => n.directories.install === dir);
        const rel = obs.nodes[nodeKey(users[0]!.serviceId, users[0]!.nodeId)]?.release ?? null;
        if (rel?.releaseName === bundle.release) continue;
        for (const n of users) markIfRunning('runtime', n, 'runtime');
        b.add('runtime', {
          kind: 'install-runtime',
          id: `install:${host.name}:${dir}`,
          title: rel?.releaseName ? `upgrade ${host.name} from ${rel.releaseName} to ${bundle.release} (${dir})` : `install release ${bundle.release} on ${host.name} (${dir})`,
          host: host.name,
          installDir: dir,
          release: bundle.release,
          sudo: hostSudo(host),
        });
      }
    }
  }

  // 3. files
  for (const host of topology.hosts) {
    const obs = okHost(facts, host.name)!;
    const files = rendered.get(host.name) ?? [];
    const onHost = scmNodesOnHost(topology, host.name);
    const changed = files.filter((f) => obs.facts.files[f.path] !== sha256Hex(f.content));
    const keytabPath = keytabOnHost(topology, host.name)?.path;
    const wanted = [
      ...new Set([
        ...onHost.flatMap((n) => (['config', 'metadata', 'db', 'ratis', 'snapshot', 'logs'] as const).map((d) => n.directories[d])),
        ...files.map((f) => posix.dirname(f.path)),
        ...(keytabPath !== undefined ? [posix.dirname(keytabPath)] : []),
      ]),
    ];
    const missing = wanted.filter((d) => !obs.facts.directories.some((x) => x.path === d && x.exists && !x.notDirectory));
    // SCM data directories are created 0700 (Ozone's ozone.metadata.dirs.permissions default), parents first
    const data = new Set(onHost.flatMap((n) => (['metadata', 'db', 'ratis', 'snapshot'] as const).map((d) => n.directories[d])));
    if (missing.length > 0) {
      b.add('files', {
        kind: 'create-directories',
        id: `mkdir:${host.name}`,
        title: `create ${missing.length} director${missing.length === 1 ? 'y' : 'ies'} on ${host.name}`,
        host: host.name,
        paths: missing,
        privatePaths: missing.filter((d) => data.has(d)).sort(),
        sudo: hostSudo(host),
      });
    }
    for (const n of onHost) {
      if (changed.some((f) => f.scm?.serviceId === n.serviceId && f.scm?.nodeId === n.nodeId)) markIfRunning('files', n, 'config');
    }
    const keytab = keytabTask(topology, host, obs.facts.files);
    if (keytab) {
      b.add('files', keytab);
      // a running SCM logged in with the old key: it takes the new one at its restart
      for (const n of onHost) markIfRunning('files', n, 'keytab');
    }
    for (const f of changed) {
      const hash = obs.facts.files[f.path] ?? null;
      const before = hash === null ? null : (obs.contents[f.path] ?? null);
      let backupSuffix: string | undefined;
      if (hash !== null) {
        const header = before === null ? null : readManagedHeader(before, styleOf(f));
        if (!header || !header.managed || !header.intact) backupSuffix = `.scmctl-backup-${hash.slice(0, 8)}`;
      }
      const d = unifiedDiff(f.path, before === null ? (hash === null ? null : '') : withoutManagedHeader(before), withoutManagedHeader(f.content));
      const action = hash === null ? 'create' : 'update';
      fileChanges.push({ host: host.name, path: f.path, action, diff: d.text, added: d.added, removed: d.removed, ...(backupSuffix ? { backupSuffix } : {}) });
      b.add('files', {
        kind: 'write-file',
        id: `file:${host.name}:${f.path}`,
        title: `${action} ${f.path} on ${host.name}${backupSuffix ? ` (the current file is kept as ${posix.basename(f.path)}${backupSuffix})` : ''}`,
        host: host.name,
        path: f.path,
        content: f.content,
        mode: f.mode,
        sha256: sha256Hex(f.content),
        ...(backupSuffix ? { backupSuffix } : {}),
        sudo: hostSudo(host),
      });
    }
  }

  // 4.–6. the SCM services
  const quorumProblems: PlanProblem[] = [];
  for (const s of topology.services) planService(s);
  if (quorumProblems.length > 0) return { ...base, problems: [...base.problems, ...quorumProblems], phases: new PhaseBuilder().phases(), fileChanges: [] };

  function planService(s: ScmService): void {
    const primordial = s.nodes.find((n) => n.nodeId === s.primordial.nodeId)!;
    const key = (n: ScmNode): NodeKey => nodeKey(n.serviceId, n.nodeId);
    const single = s.nodes.length === 1;
    const startTask = (n: ScmNode, gate: 'leader' | 'member' | 'none'): Task => ({
      kind: 'start-scm',
      id: `start:${n.host}:${key(n)}`,
      title:
        gate === 'leader'
          ? `start ${key(n)} on ${n.host} and wait until it leads`
          : gate === 'member'
            ? `start ${key(n)} on ${n.host} and wait until it is in the ring with one leader`
            : `start ${key(n)} on ${n.host}`,
      host: n.host,
      node: key(n),
      gate,
    });
    const started = new Set<NodeKey>();
    if (!initialised(primordial)) {
      b.add('init', { kind: 'init-scm', id: `init:${primordial.host}:${key(primordial)}`, title: `initialise ${key(primordial)} on ${primordial.host} (ozone scm --init)`, host: primordial.host, node: key(primordial) });
      b.add('init', startTask(primordial, 'leader'));
      started.add(key(primordial));
    }
    // initialised nodes that are stopped: the primordial first
    const members = s.nodes.filter((n) => initialised(n));
    const stopped = [...members.filter((n) => n === primordial), ...members.filter((n) => n !== primordial)].filter((n) => !running(n));
    let up = members.filter((n) => running(n)).length;
    const quorum = Math.floor(members.length / 2) + 1;
    let ungated = false;
    for (const n of stopped) {
      up++;
      const gate = single ? 'leader' : up >= quorum ? 'member' : 'none';
      if (gate === 'none') ungated = true;
      b.add('join', startTask(n, gate));
      started.add(key(n));
    }
    if (ungated) {
      b.add('join', {
        kind: 'wait-ring',
        id: `wait-ring:${s.serviceId}`,
        title: `wait until ${s.serviceId} has one leader and ${stopped.map((n) => n.nodeId).join(', ')} are in the ring`,
        host: stopped[stopped.length - 1]!.host,
        serviceId: s.serviceId,
        nodes: stopped.map(key),
      });
    }
    for (const n of s.nodes) {
      if (n === primordial || initialised(n)) continue;
      b.add('join', {
        kind: 'bootstrap-scm',
        id: `bootstrap:${n.host}:${key(n)}`,
        title: `bootstrap ${key(n)} on ${n.host} (ozone scm --bootstrap${joinToken ? ' with a join token' : ''})`,
        host: n.host,
        node: key(n),
        ...(joinToken ? { token: { via: key(primordial) } } : {}),
      });
      b.add('join', startTask(n, 'member'));
      started.add(key(n));
    }
    // 5b. ring members the topology does not declare are removed (their certificates revoked when secure)
    const ring = serviceRing(s, facts);
    const declared = s.nodes.map((n) => ({ key: key(n), address: n.address, ratisPort: n.ports.ratis }));
    const declaredIds = new Set(s.nodes.map((n) => okHost(facts, n.host)?.nodes[key(n)]?.scm.version?.scmUuid).filter((x): x is string => typeof x === 'string'));
    // dead members go first (each removal needs a live majority of the ring as it is then); a removal that
    // could not commit is refused before anything changes
    const leaving = (ring ? strangers(declared, ring, declaredIds) : []).filter((p): p is RolePeer & { id: string } => p.id !== null).sort((a, c) => Number(isAlive(a)) - Number(isAlive(c)));
    const lost = ring ? quorumLoss(ring, leaving) : null;
    if (lost) {
      quorumProblems.push({
        code: 'PLAN_WOULD_LOSE_QUORUM',
        hosts: [primordial.host],
        message: `service ${s.serviceId}: removing ${leaving.map(describePeer).join(', ')} would leave the ring without a live majority (${lost})`,
        hint: 'start the members that are down first (scmctl status shows them), or remove fewer members at a time',
      });
      return;
    }
    for (const p of leaving) {
      b.add('remove', {
        kind: 'decommission-scm',
        id: `decommission:${s.serviceId}:${p.id}`,
        title: `remove ${describePeer(p)} from ${s.serviceId}: in the ring, not in the topology (ozone admin scm decommission)`,
        host: primordial.host,
        serviceId: s.serviceId,
        scmUuid: p.id,
        address: p.address ?? p.host,
        via: key(primordial),
      });
    }
    // 6. rolling restart of running nodes: followers first, the leader last
    const due = s.nodes.filter((n) => running(n) && !started.has(key(n)) && (restartReasons.has(key(n)) || markerPresent(n)));
    const isLeader = (n: ScmNode): boolean => {
      const p = ring ? peerOf({ key: key(n), address: n.address, ratisPort: n.ports.ratis }, ring) : undefined;
      return p?.role.toUpperCase() === 'LEADER';
    };
    for (const n of [...due.filter((x) => !isLeader(x)), ...due.filter(isLeader)]) {
      const why = [...(restartReasons.get(key(n)) ?? new Set(['pending']))].join(' and ');
      b.add('restart', {
        kind: 'restart-scm',
        id: `restart:${n.host}:${key(n)}`,
        title: `restart ${key(n)} on ${n.host} (${why === 'pending' ? 'a restart is pending from an earlier apply' : `${why} changed`})${isLeader(n) && !single ? ', after transferring leadership' : ''}`,
        host: n.host,
        node: key(n),
        reason: why,
      });
    }
  }

  // 7. verify, whenever something changes
  const changes = [...b.tasks.values()].some((t) => t.length > 0);
  if (changes) {
    for (const s of topology.services) {
      b.add('verify', {
        kind: 'verify-service',
        id: `verify:${s.serviceId}`,
        title: `verify ${s.serviceId}: one clusterID in every VERSION, one leader, ${s.nodes.length} node${s.nodes.length === 1 ? '' : 's'} in the ring`,
        host: s.nodes[0]!.host,
        serviceId: s.serviceId,
        nodes: s.nodes.map((n) => nodeKey(n.serviceId, n.nodeId)),
      });
    }
  }
  return { ...base, phases: b.phases(), fileChanges };
}

/** The keytab for `host`, when the topology distributes one and the host's copy differs (by sha256 only). */
export function keytabTask(topology: Topology, host: Host, files: Readonly<Record<string, string | null>>): Task | null {
  const k = keytabOnHost(topology, host.name);
  const src = k?.source;
  if (!k || !src || src.sha256 === undefined || files[k.path] === src.sha256) return null;
  const owner = topology.runtime.user === undefined ? undefined : `${topology.runtime.user}${topology.runtime.group ? `:${topology.runtime.group}` : ''}`;
  return {
    kind: 'install-keytab',
    id: `keytab:${host.name}`,
    title: `${files[k.path] ? 'replace' : 'install'} the Kerberos keytab ${k.path} on ${host.name} (0400${owner ? `, ${owner}` : ''})`,
    host: host.name,
    path: k.path,
    source: src.source,
    sha256: src.sha256,
    ...(owner ? { owner } : {}),
    sudo: hostSudo(host),
  };
}
