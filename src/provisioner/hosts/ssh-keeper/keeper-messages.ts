/**
 * What the keeper's JSON frames hold (keeper-frames.ts), and which SSH connections it may keep.
 *
 * A kept connection is keyed by everything that decides who it reaches and as whom: the host's name and
 * address, port, user, key files, agent socket, host key policy (mode, pinned fingerprint, known_hosts
 * files) and the bastion chain. A run whose topology changes any of them gets a new connection; the old one
 * ends after its idle time. No secret travels to the keeper: specs that name a password or a passphrase
 * variable are not kept (the run connects directly), and a key the keeper cannot open without a passphrase
 * fails there with SSH_SECRET_MISSING, which makes the client connect directly (and ask for it).
 */
import { createHash } from 'node:crypto';
import type { HostErrorCode } from '../host-error.js';
import { HostError } from '../host-error.js';
import type { LogLevel } from '../../../common/logger.js';
import type { HostKeyPolicy } from '../host-key-policy.js';
import { defaultKnownHostsFiles } from '../known-hosts-file.js';
import type { SshAuthOptions, SshEndpoint, SshHostOptions } from '../ssh-options.js';

/** Bumped whenever a frame changes meaning: the socket's name carries it, so old and new keepers never meet. */
export const KEEPER_PROTOCOL = 1;

export interface WireEndpoint {
  readonly name: string;
  readonly address: string;
  readonly port?: number;
  readonly user: string;
  readonly auth: { readonly privateKeyPaths?: readonly string[]; readonly agent?: string | false };
  readonly hostKey: HostKeyPolicy;
  readonly hostKeyAlias?: string;
}

export interface WireSpec extends WireEndpoint {
  readonly bastions?: readonly WireEndpoint[];
  readonly connectTimeoutMs?: number;
  readonly keepaliveIntervalMs?: number;
  readonly keepaliveCountMax?: number;
  readonly maxChannels?: number;
}

export interface OpenRequest {
  readonly protocol: number;
  readonly spec: WireSpec;
  /** the connection stays open this long after its last client left */
  readonly persistMs: number;
}

export interface RunHeader {
  readonly script: string;
  readonly stdin: boolean;
  readonly timeoutMs?: number;
  readonly maxOutputBytes?: number;
}

export interface WireError {
  readonly code: string;
  readonly host: string;
  readonly detail: string;
  readonly hint?: string;
}

export interface WireLog {
  readonly level: LogLevel;
  readonly message: string;
  readonly fields?: Readonly<Record<string, unknown>>;
}

export interface WireResult {
  readonly exitCode: number;
  readonly signal?: string;
}

/** One line of `scmctl connections`. */
export interface KeptConnection {
  readonly host: string;
  readonly target: string;
  readonly hostKeyFingerprint?: string;
  readonly clients: number;
  readonly openedAt: string;
  /** ms since the last client left; null while one is attached */
  readonly idleMs: number | null;
  readonly persistMs: number;
}

function wireAuth(auth: SshAuthOptions, env: Readonly<Record<string, string | undefined>>): WireEndpoint['auth'] | null {
  // a password, a passphrase variable or keyboard-interactive asked for: a secret or a person is needed, which
  // the keeper (no environment, no terminal) must not hold
  if (auth.passwordEnv !== undefined || auth.passphraseEnv !== undefined || auth.keyboardInteractive === true) return null;
  const agent = auth.agent === true ? (env['SSH_AUTH_SOCK'] ?? false) : (auth.agent ?? false);
  return { ...(auth.privateKeyPaths ? { privateKeyPaths: auth.privateKeyPaths } : {}), agent };
}

function wireEndpoint(e: SshEndpoint, env: Readonly<Record<string, string | undefined>>): WireEndpoint | null {
  const auth = wireAuth(e.auth, env);
  if (auth === null) return null;
  return {
    name: e.name,
    address: e.address,
    ...(e.port !== undefined ? { port: e.port } : {}),
    user: e.user,
    auth,
    // the files named here, not the keeper's HOME: a run with another HOME gets another connection
    hostKey: { ...e.hostKey, knownHostsFiles: e.hostKey?.knownHostsFiles ?? defaultKnownHostsFiles() },
    ...(e.hostKeyAlias ? { hostKeyAlias: e.hostKeyAlias } : {}),
  };
}

/** The spec as the keeper receives it, or null when the connection may not be kept (it needs a secret). */
export function wireSpec(options: SshHostOptions): WireSpec | null {
  const env = options.secrets.env;
  const target = wireEndpoint(options, env);
  const bastions = (options.bastions ?? []).map((b) => wireEndpoint(b, env));
  if (target === null || bastions.some((b) => b === null)) return null;
  return {
    ...target,
    ...(bastions.length > 0 ? { bastions: bastions as WireEndpoint[] } : {}),
    ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
    ...(options.keepaliveIntervalMs !== undefined ? { keepaliveIntervalMs: options.keepaliveIntervalMs } : {}),
    ...(options.keepaliveCountMax !== undefined ? { keepaliveCountMax: options.keepaliveCountMax } : {}),
    ...(options.maxChannels !== undefined ? { maxChannels: options.maxChannels } : {}),
  };
}

/** A connection's identity: the whole spec (who, how, which keys, and its timeouts and channel count too). */
export function specKey(spec: WireSpec): string {
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex');
}

/** `user@address:port`, through bastions when any. */
export function describeTarget(spec: WireSpec): string {
  const hop = (e: WireEndpoint) => `${e.user}@${e.address}:${e.port ?? 22}`;
  return [...(spec.bastions ?? []).map(hop), hop(spec)].join(' → ');
}

/** The keeper's own failures (not the host's): the client then connects directly. */
export const KEEPER_INTERNAL = 'KEEPER_INTERNAL';

export function toWireError(err: unknown, host: string): WireError {
  if (err instanceof HostError) return { code: err.code, host: err.host, detail: err.detail, ...(err.hint ? { hint: err.hint } : {}) };
  return { code: KEEPER_INTERNAL, host, detail: `the connection keeper failed: ${(err as Error)?.message ?? String(err)}` };
}

/** The host's error as the keeper saw it; a failure of the keeper itself during a command reads as the connection lost. */
export function fromWireError(w: WireError): HostError {
  if (w.code === KEEPER_INTERNAL) return new HostError('SSH_DISCONNECTED', w.host, w.detail);
  return new HostError(w.code as HostErrorCode, w.host, w.detail, w.hint !== undefined ? { hint: w.hint } : {});
}
