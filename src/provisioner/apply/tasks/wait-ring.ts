/** `wait-ring`: one LEADER and every listed node a voter, read through any listed node that answers. */
import type { Task } from '../../plan/plan-model.js';
import { hasMembers, type TaskContext } from '../task-context.js';

export async function runWaitRing(t: Extract<Task, { kind: 'wait-ring' }>, ctx: TaskContext, progress: (m: string) => void): Promise<string> {
  const list = t.nodes.map((k) => ctx.node(k));
  return ctx.waitRing(list, hasMembers(t.nodes), progress, `${t.serviceId} electing a leader with ${list.map((x) => x.nodeId).join(', ')} in the ring`);
}
