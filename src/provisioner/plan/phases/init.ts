/**
 * Phase `init` (apply): only when the primordial node of a service has no VERSION (dangerous-states.ts
 * refuses a plan where another node has one): `--init` the primordial node, start it, wait until it leads.
 */
import type { PhaseSpec, PlanContext } from './phase-context.js';
import { startTask } from './start-task.js';

function planInit(ctx: PlanContext): void {
  for (const s of ctx.topology.services) {
    const primordial = s.nodes.find((n) => n.nodeId === s.primordial.nodeId)!;
    if (ctx.initialised(primordial)) continue;
    const key = ctx.key(primordial);
    ctx.add({ kind: 'init-scm', id: `init:${primordial.host}:${key}`, title: `initialise ${key} on ${primordial.host} (ozone scm --init)`, host: primordial.host, node: key });
    ctx.add(startTask(primordial, 'leader'));
    ctx.started.add(key);
  }
}

export const initPhase = {
  id: 'init',
  title: 'Initialise and start the primordial SCM',
  mode: 'sequential',
  plan: planInit,
} as const satisfies PhaseSpec;
