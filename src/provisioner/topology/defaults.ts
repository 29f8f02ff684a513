/**
 * Built-in defaults of the topology (docs/topology.md lists them; docs/design.md §4.1 fixes the directories).
 * Everything here is what a topology gets when neither `spec.*` nor a host or node says otherwise.
 */
import type { SshSettings, Timeouts, Runtime, TransportKind } from './model.js';

export const DEFAULT_TRANSPORT: TransportKind = 'ssh';
export const DEFAULT_LISTEN = 'any';
/** the wildcard address Ozone binds by default (`*.bind.host`) */
export const ANY_ADDRESS = '0.0.0.0';

export const DEFAULT_SSH: SshSettings = Object.freeze({
  user: 'root',
  port: 22,
  agent: true,
  knownHosts: 'strict',
  bastions: Object.freeze([]),
  become: Object.freeze({ enabled: false, method: 'sudo' }),
});

export const DEFAULT_BASTION_PORT = 22;

export const DEFAULT_TIMEOUTS: Timeouts = Object.freeze({
  connectMs: 10_000,
  commandMs: 300_000,
  scmStartMs: 120_000,
  /** Ozone's own default for ozone.scm.info.wait.duration (10m) */
  scmInfoWaitMs: 600_000,
});

export const DEFAULT_RUNTIME: Runtime = Object.freeze({ kind: 'embedded', node: 'auto' });

export const DEFAULT_RATIS_ENABLED = true;
