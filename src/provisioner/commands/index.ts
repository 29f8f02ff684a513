import type { CommandSpec } from '../command.js';

/** Every scmctl subcommand, in the order `scmctl --help` lists them. */
export const commands: readonly CommandSpec[] = [];
