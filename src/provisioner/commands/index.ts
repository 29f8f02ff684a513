import type { CommandSpec } from '../command.js';
import { exportCommand } from './export.js';
import { renderCommand } from './render.js';
import { validateCommand } from './validate.js';

/** Every scmctl subcommand, in the order `scmctl --help` lists them. */
export const commands: readonly CommandSpec[] = [validateCommand, renderCommand, exportCommand];
