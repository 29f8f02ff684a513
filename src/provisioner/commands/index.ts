import type { CommandSpec } from '../command.js';
import { applyCommand } from './apply.js';
import { backupCommand } from './backup.js';
import { bundleCommand } from './bundle.js';
import { exportCommand } from './export.js';
import { migrateCommand } from './migrate.js';
import { planCommand } from './plan.js';
import { renderCommand } from './render.js';
import { repairCommand } from './repair.js';
import { restoreCommand } from './restore.js';
import { statusCommand } from './status.js';
import { unlockCommand } from './unlock.js';
import { validateCommand } from './validate.js';

/** Every scmctl subcommand, in the order `scmctl --help` lists them. */
export const commands: readonly CommandSpec[] = [
  validateCommand,
  renderCommand,
  exportCommand,
  planCommand,
  applyCommand,
  migrateCommand,
  repairCommand,
  backupCommand,
  restoreCommand,
  statusCommand,
  unlockCommand,
  bundleCommand,
];
