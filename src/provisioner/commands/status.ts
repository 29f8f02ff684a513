/**
 * `scmctl status FILE [-o json]`: reads every host (read-only) and prints, per SCM node, its role,
 * clusterID, scmUuid, whether it runs, its release and whether its configuration matches the topology.
 * Exit 0 healthy and in sync, 2 healthy with configuration drift (or a restart pending), 1 unhealthy or error.
 * With `-o json` stdout is one JSON document, also on error (json-output.ts).
 */
import type { SessionOptions } from '../session/cluster-session.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { clusterStatus, formatStatus } from '../plan/cluster-status.js';
import { loadClusterInput, openSession, parseConcurrency, printError } from './cluster-input.js';
import { writeFailureJson } from './json-output.js';

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
    { flags: '-o, --output <format>', description: 'text or json (one document on stdout, errors included)', defaultValue: 'text', choices: ['text', 'json'] },
    { flags: '--concurrency <n>', description: 'hosts read at once', defaultValue: '30' },
  ],
  examples: ['scmctl status examples/local-ha.yaml', 'scmctl status examples/three-node.yaml -o json'],
  run: (args, options, ctx) => runStatus(args, options, ctx),
};

export async function runStatus(args: readonly string[], options: Readonly<Record<string, unknown>>, ctx: CommandContext, deps: { connect?: SessionOptions['connect'] } = {}): Promise<number> {
  const json = options['output'] === 'json';
  try {
    const input = await loadClusterInput(args[0]!, ctx, { json: json ? 'document' : undefined });
    if (!input || input.kind !== 'topology') return 1;
    const session = openSession(input.topology, ctx, parseConcurrency(options['concurrency']), deps.connect);
    try {
      const facts = await session.gather(ctx.signal);
      if (ctx.signal.aborted) return 130;
      const st = clusterStatus(input.topology, session.rendered, facts);
      ctx.stdout.write(json ? `${JSON.stringify(st, null, 2)}\n` : formatStatus(st));
      return !st.healthy ? 1 : st.drift ? 2 : 0;
    } finally {
      await session.close();
    }
  } catch (err) {
    if (ctx.signal.aborted) return 130;
    printError(ctx.stderr, err);
    if (json) writeFailureJson(ctx.stdout, 'document', err);
    return 1;
  }
}
