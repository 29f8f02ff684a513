/**
 * The operator's SSH connection keeper as the commands see it: where it listens (under the state directory),
 * what it keeps (`scmctl connections`), and closing it (`scmctl connections --close`).
 */
import type { Logger } from '../../common/logger.js';
import { KeeperClient, type KeeperClientOptions } from '../hosts/ssh-keeper/keeper-client.js';
import type { KeptConnection } from '../hosts/ssh-keeper/keeper-messages.js';
import { keeperSocketPath } from '../hosts/ssh-keeper/keeper-paths.js';

export type { KeptConnection };

export function keeperOptions(keep: { readonly stateDir: string; readonly persistMs: number }, logger?: Logger): KeeperClientOptions {
  return { socketPath: keeperSocketPath(keep.stateDir), persistMs: keep.persistMs, ...(logger ? { logger } : {}) };
}

export function keptConnections(stateDir: string): Promise<KeptConnection[]> {
  return new KeeperClient(keeperOptions({ stateDir, persistMs: 0 })).list();
}

/** false when no keeper was running */
export function closeKeptConnections(stateDir: string): Promise<boolean> {
  return new KeeperClient(keeperOptions({ stateDir, persistMs: 0 })).shutdown();
}

export function keeperSocket(stateDir: string): string {
  return keeperSocketPath(stateDir);
}
