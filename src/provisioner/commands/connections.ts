/**
 * `scmctl connections [--close] [-o json]`: the SSH connections the operator's connection keeper holds between
 * runs (kept when SCMCTL_SSH_PERSIST is set, like OpenSSH's ControlPersist), and a way to close them all at
 * once — after changing keys or known_hosts, or before leaving the machine.
 */
import type { CommandContext, CommandSpec } from '../command.js';
import { stateDir } from '../apply/state-dirs.js';
import { closeKeptConnections, keeperSocket, keptConnections, type KeptConnection } from '../session/kept-connections.js';
import { printError } from './cluster-input.js';

function seconds(ms: number): string {
  return ms >= 60_000 ? `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s` : `${Math.round(ms / 1000)}s`;
}

function table(rows: readonly KeptConnection[]): string {
  const lines = [['HOST', 'TARGET', 'IN USE', 'IDLE', 'CLOSES AFTER', 'OPENED'], ...rows.map((r) => [r.host, r.target, String(r.clients), r.idleMs === null ? '-' : seconds(r.idleMs), seconds(r.persistMs), r.openedAt])];
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  return lines.map((l) => l.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

export const connectionsCommand: CommandSpec = {
  name: 'connections',
  summary: 'list or close the SSH connections kept between runs',
  description:
    'With SCMCTL_SSH_PERSIST set (for example `export SCMCTL_SSH_PERSIST=60s`), scmctl keeps its SSH connections in a ' +
    'background keeper of yours after each run, and the next run reuses them instead of connecting afresh (OpenSSH\'s ' +
    'ControlPersist). The keeper listens on a socket in a 0700 directory under the state directory; each connection ' +
    'closes once unused for that long, and the keeper exits when it keeps none. `--close` closes them all now.',
  args: [],
  options: [
    { flags: '--close', description: 'close every kept connection and stop the keeper' },
    { flags: '-o, --output <format>', description: 'text or json', defaultValue: 'text', choices: ['text', 'json'] },
  ],
  examples: ['scmctl connections', 'scmctl connections --close'],
  run: (_args, options, ctx) => runConnections(options, ctx),
};

export async function runConnections(options: Readonly<Record<string, unknown>>, ctx: CommandContext): Promise<number> {
  const dir = stateDir(ctx.env);
  const json = options['output'] === 'json';
  try {
    if (options['close'] === true) {
      const before = await keptConnections(dir);
      const was = await closeKeptConnections(dir);
      if (json) ctx.stdout.write(JSON.stringify({ closed: was, connections: before.length }) + '\n');
      else ctx.stdout.write(was ? `closed ${before.length} kept SSH connection${before.length === 1 ? '' : 's'}; the keeper stopped\n` : 'no SSH connection keeper was running\n');
      return 0;
    }
    const rows = await keptConnections(dir);
    if (json) ctx.stdout.write(JSON.stringify({ socket: keeperSocket(dir), connections: rows }) + '\n');
    else if (rows.length === 0) ctx.stdout.write(`no SSH connections are kept (${ctx.env['SCMCTL_SSH_PERSIST'] ? 'none yet' : 'set SCMCTL_SSH_PERSIST=60s to keep them between runs'})\n`);
    else ctx.stdout.write(table(rows));
    return 0;
  } catch (err) {
    printError(ctx.stderr, err);
    return 1;
  }
}
