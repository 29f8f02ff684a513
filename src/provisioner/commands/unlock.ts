/**
 * `scmctl unlock LOCK_ID FILE`: removes the apply lock with that id from every host of the topology (a lock
 * with another id is left alone and reported). For an apply that died without releasing its lock and cannot
 * be resumed from its own machine. Exit 0 when at least one lock was removed, 1 otherwise.
 */
import type { CommandContext, CommandSpec } from '../command.js';
import type { SessionOptions } from '../session/cluster-session.js';
import { ApplyError } from '../apply/apply-error.js';
import { readLock, removeLock } from '../apply/cluster-lock.js';
import { lockFilePath } from '../plan/host-paths.js';
import { hostSudo } from '../plan/probe-specs.js';
import { loadClusterInput, openSession, parseConcurrency, printError } from './cluster-input.js';

export const unlockCommand: CommandSpec = {
  name: 'unlock',
  summary: 'remove a stale apply lock by its id',
  description:
    'An apply holds a lock on every host while it runs. If it died and cannot be resumed (another machine, lost ' +
    'journal), `scmctl unlock LOCK_ID FILE` removes that lock, and only that one: make sure the apply is really gone.',
  args: ['<lock-id>', '<file>'],
  options: [{ flags: '--concurrency <n>', description: 'hosts worked on at once', defaultValue: '30' }],
  examples: ['scmctl unlock 3f9a2c1b4d5e examples/three-node.yaml'],
  run: (args, options, ctx) => runUnlock(args, options, ctx),
};

export async function runUnlock(args: readonly string[], options: Readonly<Record<string, unknown>>, ctx: CommandContext, deps: { connect?: SessionOptions['connect'] } = {}): Promise<number> {
  const id = args[0]!;
  try {
    const input = await loadClusterInput(args[1]!, ctx);
    if (!input || input.kind !== 'topology') return 1;
    const topology = input.topology;
    const session = openSession(topology, ctx, parseConcurrency(options['concurrency']), deps.connect);
    try {
      const outcomes = await session.pool.forEach(async (h, name) => {
        const host = topology.hosts.find((x) => x.name === name)!;
        const target = { name, lockPath: lockFilePath(host.directories.config), sudo: hostSudo(host) };
        const before = await readLock(h, target, ctx.signal);
        const removed = await removeLock(h, target, id, ctx.signal);
        return { removed, other: before && !removed ? (before.info?.id ?? 'unreadable') : null };
      });
      let removed = 0;
      for (const o of outcomes) {
        if (!o.ok) {
          printError(ctx.stderr, o.error);
          continue;
        }
        if (o.value.removed) {
          removed++;
          ctx.stdout.write(`${o.host}: removed lock ${id}\n`);
        } else if (o.value.other) ctx.stdout.write(`${o.host}: holds another lock (${o.value.other}); left alone\n`);
      }
      if (removed === 0) {
        printError(ctx.stderr, new ApplyError('APPLY_LOCK_NOT_FOUND', `no host of ${topology.name} holds lock ${id}`, { hint: 'the id is in the APPLY_LOCKED message of the apply that was refused' }));
        return 1;
      }
      return 0;
    } finally {
      await session.close();
    }
  } catch (err) {
    printError(ctx.stderr, err);
    return 1;
  }
}
