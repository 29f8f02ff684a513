/**
 * The `bin/ozone` commands apply runs on a host, built with the quoting tag only (docs/design.md §4.3):
 * `set -a; . <config>/scm.env; set +a; exec <install>/current/bin/ozone …`, so every command sees exactly the
 * environment the SCM runs with.
 */
import { sh, type ShellCommand } from '../hosts/shell-quote.js';
import type { PlanNode } from '../plan/plan-model.js';

export function ozoneCommand(node: PlanNode, args: readonly string[]): ShellCommand {
  return sh`set -a; . ${node.envFile}; set +a; exec ${node.ozoneBin} ${args}`;
}

export const SCM_INIT = ['scm', '--init'] as const;
export const SCM_BOOTSTRAP = ['scm', '--bootstrap'] as const;
export const DAEMON_START = ['--daemon', 'start', 'scm'] as const;
export const DAEMON_STOP = ['--daemon', 'stop', 'scm'] as const;
export const DAEMON_STATUS = ['--daemon', 'status', 'scm'] as const;
/** what `--daemon start` prints on stderr (exit 1) when the SCM already runs (Ozone's hadoop_start_daemon_wrapper) */
export const ALREADY_RUNNING = /is running as process \d+\.\s+Stop it first\./;
export const ROLES_JSON = ['admin', 'scm', 'roles', '--json'] as const;

/** `--bootstrap` of a secure cluster: the token comes on stdin, the root CA hash to pin on the command line */
export function secureBootstrapArgs(caCertHash: string): string[] {
  return ['scm', '--bootstrap', '--token-file', '-', '--ca-cert-hash', caCertHash];
}

/** mints a single-use SCM join token (JSON on stdout) for node `nodeId` at `host`, valid 15 minutes */
export function scmTokenArgs(nodeId: string, host: string): string[] {
  return ['admin', 'scm', 'token', 'create', '--type', 'scm', '--node-id', nodeId, '--host', host, '--ttl', '15m', '--uses', '1', '--description', `scmctl apply: bootstrap of ${nodeId}`, '--json'];
}

export function decommissionArgs(scmUuid: string): string[] {
  return ['admin', 'scm', 'decommission', '--nodeid', scmUuid];
}

/** Ozone's SafeModeCheckSubcommand for one SCM (`--scm host:clientPort`) */
export function safeModeStatusArgs(address: string, clientPort: number): string[] {
  return ['admin', 'safemode', 'status', '--scm', `${address}:${clientPort}`];
}

/** whether that output says the SCM is out of safe mode (`… out of safe mode` / `SCM is out of safe mode.`) */
export function outOfSafeMode(stdout: string): boolean {
  return /\bout of safe mode\b/i.test(stdout) && !/\bin safe mode\b/i.test(stdout.replace(/out of safe mode/gi, ''));
}

export function transferArgs(target: string): string[] {
  return ['admin', 'scm', 'transfer', '-n', target];
}
