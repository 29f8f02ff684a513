/**
 * `verify-containers`: every node's `containers` column family agrees (followers may trail the leader by a
 * few entries: compared until they agree, within the start timeout) and holds the containers recorded
 * before a migration, when there is such a record.
 */
import type { PlanNode, Task } from '../../plan/plan-model.js';
import { ApplyError } from '../apply-error.js';
import { scansAgree, scanContainers, type ContainerScan } from '../container-scan.js';
import type { TaskContext } from '../task-context.js';

export async function runVerifyContainers(t: Extract<Task, { kind: 'verify-containers' }>, ctx: TaskContext, progress: (m: string) => void): Promise<string> {
  const list = t.nodes.map((k) => ctx.node(k));
  const before = ctx.deps.containersBefore?.() ?? null;
  let last = '';
  try {
    return await ctx.waitFor(
      `identical containers on ${list.map((n) => n.nodeId).join(', ')}`,
      t.host,
      async () => {
        const scans: [PlanNode, ContainerScan][] = [];
        for (const n of list) scans.push([n, await scanContainers(await ctx.ops(n.key), ctx.sig)]);
        const verdict = scansAgree(scans.map(([n, sc]) => ({ name: n.nodeId, scan: sc })));
        const missing = before ? scans.flatMap(([n, sc]) => before.filter((id) => !(id in sc.records)).map((id) => `${id} on ${n.nodeId}`)) : [];
        if (verdict.agree && missing.length === 0) return { done: true, detail: `${verdict.detail}${before ? `; all ${before.length} from before the migration present` : ''}` };
        last = [
          ...(verdict.agree ? [] : [verdict.detail]),
          ...(missing.length > 0 ? [`containers recorded before the migration are missing: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}`] : []),
        ].join('; ');
        return { done: false, detail: last };
      },
      progress,
    );
  } catch (err) {
    if (ctx.signal?.aborted || last === '') throw err;
    throw new ApplyError('APPLY_CONTAINERS_DIFFER', `service ${t.serviceId}: ${last}`, {
      host: t.host,
      hint: 'stop writing to the cluster and compare `ozone debug ldb … scan --column-family=containers` on the nodes; the migration backup restores the SCM as it was (see its rollback)',
    });
  }
}
