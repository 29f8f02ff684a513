/**
 * Phase `runtime`: install or upgrade the bundle on SCM hosts whose `current` release differs, once per
 * install directory. Running SCMs of that install are first marked "restart pending" (durable, on the host):
 * the restart phase restarts them onto the new release. migrate: apply's tasks, except the existing SCM's
 * mark when the convert stage starts it on the new release anyway.
 */
import { scmNodesOnHost } from '../../topology/queries.js';
import type { Task } from '../plan-model.js';
import { hostSudo } from '../probe-specs.js';
import type { MigrationContext, PhaseSpec, PlanContext } from './phase-context.js';

function planRuntime(ctx: PlanContext): void {
  const bundle = ctx.input.bundle;
  if (!bundle) return;
  for (const host of ctx.topology.hosts) {
    const onHost = scmNodesOnHost(ctx.topology, host.name);
    const obs = ctx.host(host.name)!;
    const installs = [...new Set(onHost.map((n) => n.directories.install))];
    for (const dir of installs) {
      const users = onHost.filter((n) => n.directories.install === dir);
      const rel = obs.nodes[ctx.key(users[0]!)]?.release ?? null;
      if (rel?.releaseName === bundle.release) continue;
      for (const n of users) ctx.markForRestart(n, 'runtime');
      ctx.add({
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

function migrateRuntime(m: MigrationContext): readonly Task[] {
  return m.from('runtime').filter((t) => !(m.convert && t.kind === 'mark-restart-pending' && m.isExisting(t)));
}

function runtimeRollback(m: MigrationContext): string {
  return `nothing to undo for the SCM: installing the runtime touches no SCM data (an unused release can stay or be removed from ${[...new Set(m.others.map((n) => n.directories.install))].join(', ')})`;
}

export const runtimePhase = {
  id: 'runtime',
  title: 'Install or upgrade the runtime',
  mode: 'per-host',
  plan: planRuntime,
  migrate: { tasks: migrateRuntime, rollback: runtimeRollback },
} as const satisfies PhaseSpec;
