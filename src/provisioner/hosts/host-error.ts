/**
 * Errors of the host layer (RemoteHost, ssh and local transports, pool). Every one names the host it is
 * about (`host`), and its message starts with that name. Messages never contain secrets (passwords,
 * passphrases): those only travel on stdin or in memory. docs/hosts.md lists every code with its fix.
 */
import { CodedError } from '../../common/coded-error.js';

export type HostErrorCode =
  /** strict known_hosts: the host has no entry; nothing was sent to it */
  | 'SSH_HOST_KEY_UNKNOWN'
  /** the presented key differs from the one known or pinned: refused in every mode */
  | 'SSH_HOST_KEY_CHANGED'
  /** the presented key is marked @revoked in a known_hosts file */
  | 'SSH_HOST_KEY_REVOKED'
  /** a known_hosts file exists but cannot be read */
  | 'KNOWN_HOSTS_READ_FAILED'
  /** could not record a newly accepted key (accept-new) */
  | 'KNOWN_HOSTS_WRITE_FAILED'
  /** the server refused every configured authentication method */
  | 'SSH_AUTH_FAILED'
  /** a private key file is missing, unparsable, or its passphrase is wrong */
  | 'SSH_KEY_UNREADABLE'
  /** a secret is configured by environment variable name but the variable is not set (and no prompt) */
  | 'SSH_SECRET_MISSING'
  /** no TCP connection (refused, no route, DNS), directly or from a bastion */
  | 'SSH_UNREACHABLE'
  /** the SSH handshake did not finish within connectTimeoutMs, or keepalives went unanswered */
  | 'SSH_TIMEOUT'
  /** the connection dropped while in use */
  | 'SSH_DISCONNECTED'
  /** the server broke the protocol or no common algorithm */
  | 'SSH_PROTOCOL'
  /** the server refused to open a session channel (e.g. MaxSessions) */
  | 'SSH_CHANNEL_FAILED'
  /** sudo refused (wrong or missing password, not in sudoers, requiretty) */
  | 'SUDO_FAILED'
  /** a command ran longer than its timeoutMs and was killed */
  | 'HOST_COMMAND_TIMEOUT'
  /** the caller's AbortSignal fired */
  | 'HOST_ABORTED'
  /** the RemoteHost was used after close() */
  | 'HOST_CLOSED'
  | 'HOST_READ_FAILED'
  | 'HOST_WRITE_FAILED'
  | 'HOST_UPLOAD_FAILED'
  | 'HOST_STAT_FAILED'
  /** a command printed more than the output limit (64 MiB by default) and was stopped */
  | 'HOST_OUTPUT_TOO_LARGE'
  /** a path given to a file primitive is not absolute or contains NUL/newline */
  | 'HOST_INVALID_PATH'
  /** the local transport could not start `sh` */
  | 'LOCAL_SPAWN_FAILED';

const defaultHints: Partial<Record<HostErrorCode, string>> = {
  SSH_HOST_KEY_UNKNOWN:
    'verify the fingerprint out of band, then add it with `ssh-keyscan HOST >> ~/.ssh/known_hosts`, or pin it (hostKey.fingerprint), or use hostKey.mode accept-new once',
  SSH_HOST_KEY_CHANGED:
    'the host key differs from the known one: this may be an attack. If the host was really reinstalled, remove the old entry with `ssh-keygen -R HOST` and verify the new fingerprint',
  SSH_HOST_KEY_REVOKED: 'the key is marked @revoked in known_hosts; the host must get a new key',
  KNOWN_HOSTS_WRITE_FAILED: 'check that the known_hosts file and its directory are writable',
  SSH_AUTH_FAILED: 'check the user, that the public key is in ~/.ssh/authorized_keys on the host, and the password environment variable',
  SSH_KEY_UNREADABLE: 'check the key path and the passphrase environment variable',
  SSH_SECRET_MISSING: 'export the named environment variable before running scmctl, or run on a terminal to be prompted',
  SSH_UNREACHABLE: 'check the address and port, that sshd runs on the host, and firewalls (from the last bastion when one is used)',
  SSH_TIMEOUT: 'the host or a bastion accepted TCP but did not finish the SSH handshake in time; raise connectTimeout or check the network',
  SSH_DISCONNECTED: 'the connection dropped; re-run the command (it resumes) once the host is reachable',
  SSH_CHANNEL_FAILED: 'the server refused a new session; lower ssh.maxChannels or raise MaxSessions in sshd_config',
  SUDO_FAILED: 'check the sudo password environment variable and the sudoers entry (`sudo -l` on the host); requiretty must be off for this user',
  HOST_COMMAND_TIMEOUT: 'the command was killed after its timeout; raise --timeout or check the host',
};

/** Failures that may disappear on their own: worth a retry with backoff. */
const transient = new Set<HostErrorCode>(['SSH_UNREACHABLE', 'SSH_TIMEOUT', 'SSH_DISCONNECTED', 'SSH_CHANNEL_FAILED']);

/** One failed attempt of a retried operation (retry.ts). */
export interface AttemptFailure {
  /** 1-based */
  readonly attempt: number;
  readonly of: number;
  /** the error's code when it has one */
  readonly code: string | undefined;
  readonly reason: string;
  /** the wait before the next attempt; null when this was the last one */
  readonly retryInMs: number | null;
}

export class HostError extends CodedError<HostErrorCode> {
  /** the logical host name (topology name, e.g. `scm1`) */
  readonly host: string;
  /** the message without the `host NAME: ` prefix */
  readonly detail: string;
  /** when the error ends a retried operation: every attempt, in order */
  readonly attempts: readonly AttemptFailure[];

  constructor(
    code: HostErrorCode,
    host: string,
    message: string,
    options: { cause?: unknown; hint?: string; attempts?: readonly AttemptFailure[] } = {},
  ) {
    super(code, `host ${host}: ${message}`, { cause: options.cause, hint: options.hint ?? defaultHints[code] });
    this.host = host;
    this.detail = message;
    this.attempts = options.attempts ?? [];
  }

  get retryable(): boolean {
    return transient.has(this.code);
  }
}

export function isHostError(value: unknown, code?: HostErrorCode): value is HostError {
  return value instanceof HostError && (code === undefined || value.code === code);
}
