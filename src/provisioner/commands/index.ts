/**
 * Every scmctl subcommand, in the order `scmctl --help` lists them, each loaded only when needed: a run of one
 * command imports that command's module (and what it needs), `--version` imports none, `--help` all
 * (issue 13: start-up time).
 */
import type { CommandSpec } from '../command.js';

export interface CommandEntry {
  readonly name: string;
  readonly load: () => Promise<CommandSpec>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'init', load: async () => (await import('./init.js')).initCommand },
  { name: 'validate', load: async () => (await import('./validate.js')).validateCommand },
  { name: 'render', load: async () => (await import('./render.js')).renderCommand },
  { name: 'export', load: async () => (await import('./export.js')).exportCommand },
  { name: 'plan', load: async () => (await import('./plan.js')).planCommand },
  { name: 'apply', load: async () => (await import('./apply.js')).applyCommand },
  { name: 'migrate', load: async () => (await import('./migrate.js')).migrateCommand },
  { name: 'repair', load: async () => (await import('./repair.js')).repairCommand },
  { name: 'backup', load: async () => (await import('./backup.js')).backupCommand },
  { name: 'restore', load: async () => (await import('./restore.js')).restoreCommand },
  { name: 'status', load: async () => (await import('./status.js')).statusCommand },
  { name: 'unlock', load: async () => (await import('./unlock.js')).unlockCommand },
  { name: 'connections', load: async () => (await import('./connections.js')).connectionsCommand },
  { name: 'bundle', load: async () => (await import('./bundle.js')).bundleCommand },
  // completion reads every command's options from this registry, passed in (no import back into this file)
  { name: 'completion', load: async () => (await import('./completion.js')).completionCommand(COMMANDS) },
];

/**
 * The commands a command line needs: the one it names (its first word that is not an option), or every one
 * (help, a mistyped name: commander lists them); none for `--version` alone.
 */
export async function commandsFor(argv: readonly string[]): Promise<CommandSpec[]> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) return [];
  // the global options (-q, -v, --log-level LEVEL) may come before the command's name
  let i = 0;
  while (['-q', '--quiet', '-v', '--verbose'].includes(argv[i] ?? '') || argv[i]?.startsWith('--log-level=')) i++;
  if (argv[i] === '--log-level') return commandsFor([...argv.slice(0, i), ...argv.slice(i + 2)]);
  const first = argv[i];
  const named = COMMANDS.find((c) => c.name === first);
  const wanted = named && !argv.includes('--help') && !argv.includes('-h') ? [named] : COMMANDS;
  return Promise.all(wanted.map((c) => c.load()));
}
