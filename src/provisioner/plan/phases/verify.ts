/**
 * Phase `verify`, whenever an earlier phase changes something. apply: per service, one clusterID in every
 * VERSION, one leader, every node in the ring. migrate: the same for the grown service (its clusterID
 * named), apply's verification of the other services, and identical `containers` on every node of the grown
 * service, holding every container recorded by the backup.
 */
import { nodeKey, type Task } from '../plan-model.js';
import type { MigrationContext, PhaseSpec, PlanContext } from './phase-context.js';

function planVerify(ctx: PlanContext): void {
  if (!ctx.hasTasks()) return;
  for (const s of ctx.topology.services) {
    ctx.add({
      kind: 'verify-service',
      id: `verify:${s.serviceId}`,
      title: `verify ${s.serviceId}: one clusterID in every VERSION, one leader, ${s.nodes.length} node${s.nodes.length === 1 ? '' : 's'} in the ring`,
      host: s.nodes[0]!.host,
      serviceId: s.serviceId,
      nodes: s.nodes.map((n) => nodeKey(n.serviceId, n.nodeId)),
    });
  }
}

function migrateVerify(m: MigrationContext): readonly Task[] {
  if (![...m.planned.values()].some((l) => l.length > 0)) return [];
  const { service, existing: e } = m;
  return [
    {
      kind: 'verify-service',
      id: `verify:${service.serviceId}`,
      title: `verify ${service.serviceId}: clusterID ${m.version?.clusterId ?? '?'} in every VERSION, one leader, ${service.nodes.length} nodes in the ring`,
      host: e.host,
      serviceId: service.serviceId,
      nodes: service.nodes.map((n) => m.key(n)),
    },
    ...m.from('verify').filter((t) => !(t.kind === 'verify-service' && t.serviceId === service.serviceId)),
    {
      kind: 'verify-containers',
      id: `verify-containers:${service.serviceId}`,
      title: `verify ${service.serviceId}: identical containers (ozone debug ldb … --column-family=containers) on ${service.nodes.map((n) => n.nodeId).join(', ')}`,
      host: e.host,
      serviceId: service.serviceId,
      nodes: service.nodes.map((n) => m.key(n)),
    },
  ];
}

export const verifyPhase = {
  id: 'verify',
  title: 'Verify the cluster',
  mode: 'sequential',
  plan: planVerify,
  migrate: { tasks: migrateVerify, rollback: () => "nothing changes in this stage; to undo the whole migration, follow the join stage's rollback" },
} as const satisfies PhaseSpec;
