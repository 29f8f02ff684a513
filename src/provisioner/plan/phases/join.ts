/**
 * Phase `join`: start initialised nodes that are stopped (the primordial first; health-gated once a majority
 * of the initialised nodes runs, else a final wait-ring), then bootstrap + start each uninitialised node,
 * one at a time, each gated on "one LEADER and this node in the ring". A secure embedded SCM joins with
 * scmctl's join token; a secure Apache Ozone SCM authenticates its --bootstrap with its Kerberos keytab
 * (StorageContainerManager.scmBootstrap), so no token is minted. migrate: apply's tasks, except the existing
 * SCM's start when the convert stage starts it.
 */
import type { ScmService } from '../../topology/model.js';
import type { Task } from '../plan-model.js';
import { restoreSteps, stopNewSteps } from './migration-undo.js';
import type { MigrationContext, PhaseSpec, PlanContext } from './phase-context.js';
import { startTask } from './start-task.js';

function planJoin(ctx: PlanContext): void {
  const joinToken = ctx.topology.security.enabled && ctx.topology.runtime.kind === 'embedded';
  for (const s of ctx.topology.services) {
    startStopped(ctx, s);
    const primordial = s.nodes.find((n) => n.nodeId === s.primordial.nodeId)!;
    for (const n of s.nodes) {
      if (n === primordial || ctx.initialised(n)) continue;
      const key = ctx.key(n);
      ctx.add({
        kind: 'bootstrap-scm',
        id: `bootstrap:${n.host}:${key}`,
        title: `bootstrap ${key} on ${n.host} (ozone scm --bootstrap${joinToken ? ' with a join token' : ''})`,
        host: n.host,
        node: key,
        ...(joinToken ? { token: { via: ctx.key(primordial) } } : {}),
      });
      ctx.add(startTask(n, 'member'));
      ctx.started.add(key);
    }
  }
}

/** Initialised nodes that are stopped, the primordial first: no gate until a majority of them runs. */
function startStopped(ctx: PlanContext, s: ScmService): void {
  const primordial = s.nodes.find((n) => n.nodeId === s.primordial.nodeId)!;
  const members = s.nodes.filter((n) => ctx.initialised(n));
  const stopped = [...members.filter((n) => n === primordial), ...members.filter((n) => n !== primordial)].filter((n) => !ctx.running(n));
  let up = members.filter((n) => ctx.running(n)).length;
  const quorum = Math.floor(members.length / 2) + 1;
  let ungated = false;
  for (const n of stopped) {
    up++;
    const gate = s.nodes.length === 1 ? 'leader' : up >= quorum ? 'member' : 'none';
    if (gate === 'none') ungated = true;
    ctx.add(startTask(n, gate));
    ctx.started.add(ctx.key(n));
  }
  if (!ungated) return;
  ctx.add({
    kind: 'wait-ring',
    id: `wait-ring:${s.serviceId}`,
    title: `wait until ${s.serviceId} has one leader and ${stopped.map((n) => n.nodeId).join(', ')} are in the ring`,
    host: stopped[stopped.length - 1]!.host,
    serviceId: s.serviceId,
    nodes: stopped.map((n) => ctx.key(n)),
  });
}

function migrateJoin(m: MigrationContext): readonly Task[] {
  return m.from('join').filter((t) => !(m.convert && t.kind === 'start-scm' && m.isExisting(t)));
}

export const joinPhase = {
  id: 'join',
  title: 'Bootstrap and start the other SCMs',
  mode: 'sequential',
  plan: planJoin,
  migrate: { tasks: migrateJoin, rollback: (m) => `${stopNewSteps(m)}; then restore ${m.existing.nodeId}: ${restoreSteps(m)}` },
} as const satisfies PhaseSpec;
