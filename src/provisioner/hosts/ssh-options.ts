/**
 * Options of the SSH transport (declared config; the topology maps onto these). Secrets are referenced by
 * environment variable NAME only, never by value; see secret-source.ts.
 */
import type { Logger } from '../../common/logger.js';
import type { HostKeyPolicy } from './host-key-policy.js';
import type { SudoOptions } from './runner-host.js';
import type { SecretContext } from './secret-source.js';

export interface SshAuthOptions {
  /** private key files tried in order (OpenSSH, PEM or PPK; encrypted ones need a passphrase) */
  readonly privateKeyPaths?: readonly string[];
  /** env var holding the passphrase of encrypted keys; without it, the prompt (if any) is asked */
  readonly passphraseEnv?: string;
  /** use ssh-agent: `true` = the socket in $SSH_AUTH_SOCK, or a socket path */
  readonly agent?: boolean | string;
  /** env var holding the login password (password auth, and password prompts of keyboard-interactive) */
  readonly passwordEnv?: string;
  /** try keyboard-interactive (default: true when a password or a prompt is available) */
  readonly keyboardInteractive?: boolean;
}

/** One SSH endpoint: the target host or a bastion (jump host). */
export interface SshEndpoint {
  /** logical name used in errors (topology host or bastion name) */
  readonly name: string;
  readonly address: string;
  readonly port?: number;
  readonly user: string;
  readonly auth: SshAuthOptions;
  readonly hostKey?: HostKeyPolicy;
  /** name to look up in known_hosts instead of `address` (OpenSSH HostKeyAlias) */
  readonly hostKeyAlias?: string;
}

export interface SshHostOptions extends SshEndpoint {
  /** jump hosts, first is dialled directly, each next one through the previous (ProxyJump a,b,…) */
  readonly bastions?: readonly SshEndpoint[];
  /** TCP connect + handshake + authentication, per hop; default 20 s */
  readonly connectTimeoutMs?: number;
  /** SSH-level keepalive; default 15 s, 0 disables */
  readonly keepaliveIntervalMs?: number;
  /** unanswered keepalives before the connection counts as lost; default 3 */
  readonly keepaliveCountMax?: number;
  /** concurrent session channels on the connection (sshd MaxSessions defaults to 10); default 8 */
  readonly maxChannels?: number;
  readonly sudo?: SudoOptions;
  readonly secrets: SecretContext;
  readonly logger?: Logger;
}

export const SSH_DEFAULTS = {
  port: 22,
  connectTimeoutMs: 20_000,
  keepaliveIntervalMs: 15_000,
  keepaliveCountMax: 3,
  maxChannels: 8,
} as const;
