/**
 * `scmctl status FILE [--output json]`: reads every host (read-only) and prints, per SCM node, its role,
 * clusterID, scmUuid, whether it runs, its release and whether its configuration matches the topology.
 * Exit 0 healthy and in sync, 2 healthy with configuration drift (or a restart pending), 1 unhealthy or error.
 */
import type { CommandSpec } from '../command.js';
import { clusterStatus, formatStatus } from '../plan/cluster-status.js';
import { loadClusterInput, openSession, parseConcurrency, printError } from './cluster-input.js';

export const statusCommand: CommandSpec = {
  name: 'status',
  summary: 'show every SCM node: role, clusterID, scmUuid, running, release, config drift (exit 1 when unhealthy)',
  description:
    'Reads every host without changing anything. A service is healthy when each node is reachable, initialised ' +
    'and running, all VERSION files carry one clusterID, the ring has exactly one LEADER and every node is in ' +
    'it. Exit status: 0 healthy and in sync, 2 healthy but the files differ from the topology (or a restart is ' +
    'pending), 1 unhealthy or error.',
  args: ['<file>'],
  options: [
    { flags: '--output <format>', description: 'text or json', defaultValue: 'text', choices: ['text', 'json'] },
    { flags: '--concurrency <n>', description: 'hosts read at once', defaultValue: '10' },
  ],
  examples: ['scmctl status examples/local-ha.yaml', 'scmctl status examples/three-node.yaml --output json'],
  async run(args, options, ctx) {
    try {
      const input = await loadClusterInput(args[0]!, ctx);
      if (!input || input.kind !== 'topology') return 1;
      const session = openSession(input.topology, ctx, parseConcurrency(options['concurrency']));
      try {
        const facts = await session.gather(ctx.signal);
        if (ctx.signal.aborted) return 130;
        const st = clusterStatus(input.topology, session.rendered, facts);
        ctx.stdout.write(options['output'] === 'json' ? `${JSON.stringify(st, null, 2)}\n` : formatStatus(st));
        return !st.healthy ? 1 : st.drift ? 2 : 0;
      } finally {
        await session.close();
      }
    } catch (err) {
      if (ctx.signal.aborted) return 130;
      printError(ctx.stderr, err);
      return 1;
    }
  },
};
