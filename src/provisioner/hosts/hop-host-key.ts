/**
 * The host key check of one SSH hop (ssh-host.ts opens the hops): reads the known_hosts files the hop's
 * policy names (unreadable → KNOWN_HOSTS_READ_FAILED; skipped lines are logged), and verifies the key the
 * server presents during the handshake with host-key-policy.ts — before any credential is sent. Under
 * accept-new a new key is recorded in the first known_hosts file before it is accepted; a re-key on a live
 * connection must present the same key. A refusal is kept in `refusal`, so the connection fails with that
 * coded error rather than with ssh2's generic one. No ssh2 import: the verifier has ssh2's callback shape.
 */
import type { Logger } from '../../common/logger.js';
import { HostError } from './host-error.js';
import { decideHostKey, type HostKeyPolicy } from './host-key-policy.js';
import { defaultKnownHostsFiles, KnownHostsFileError, loadKnownHosts, recordKnownHost } from './known-hosts-file.js';
import { fingerprintSha256, lookupHost, type HostKeyLookup } from './known-hosts.js';
import type { SshEndpoint } from './ssh-options.js';

/** What a hop's host key is checked against. */
export interface HopKnownKeys {
  readonly policy: HostKeyPolicy;
  /** known_hosts files, in order; accept-new writes to the first */
  readonly files: readonly string[];
  /** the name looked up in (and recorded to) known_hosts: the HostKeyAlias, else the address */
  readonly lookupName: string;
  readonly lookup: HostKeyLookup;
}

/** Reads the known keys of `endpoint:port`; errors name `target` and the hop (`hopLabel`). */
export async function readHopKnownKeys(endpoint: SshEndpoint, port: number, target: string, hopLabel: string, logger: Logger | undefined): Promise<HopKnownKeys> {
  const policy = endpoint.hostKey ?? {};
  const files = policy.knownHostsFiles ?? defaultKnownHostsFiles();
  let known;
  try {
    known = await loadKnownHosts(files);
  } catch (err) {
    if (err instanceof KnownHostsFileError) {
      throw new HostError('KNOWN_HOSTS_READ_FAILED', target, `${err.message} (checking ${hopLabel})`, { cause: err });
    }
    throw err;
  }
  const lookupName = endpoint.hostKeyAlias ?? endpoint.address;
  const lookup = lookupHost(known.entries, lookupName, port);
  for (const s of known.skipped) logger?.warn('known_hosts line skipped', { file: s.source, line: s.line, reason: s.reason });
  return { policy, files, lookupName, lookup };
}

export interface HostKeyCheckOptions {
  readonly keys: HopKnownKeys;
  readonly port: number;
  /** the host as errors name it */
  readonly target: string;
  /** the hop's endpoint name, for the log line of a recorded key */
  readonly hopName: string;
  /** the hop as the host key messages name it, e.g. `scm1 (10.0.0.1:22)` */
  readonly label: string;
  readonly logger: Logger | undefined;
}

/** The verifier of one connection attempt, and what it decided. */
export class HostKeyCheck {
  /** why the key was refused (the error the connection fails with) */
  refusal: HostError | undefined;
  /** the key accepted for this connection */
  acceptedKey: Buffer | undefined;
  readonly #o: HostKeyCheckOptions;

  constructor(options: HostKeyCheckOptions) {
    this.#o = options;
  }

  /** ssh2's `hostVerifier` (the callback form). */
  readonly verify = (key: Buffer, verify: (ok: boolean) => void): void => {
    const { keys, target, label } = this.#o;
    if (this.acceptedKey) {
      // Re-key on a live connection: the key must not change mid-connection.
      if (key.equals(this.acceptedKey)) verify(true);
      else {
        this.refusal = new HostError('SSH_HOST_KEY_CHANGED', target, `${label} changed its host key during the connection`);
        verify(false);
      }
      return;
    }
    const verdict = decideHostKey(keys.policy, keys.lookup, key, label);
    if (!verdict.accept) {
      this.refusal = new HostError(verdict.code, target, verdict.message);
      verify(false);
      return;
    }
    if (!verdict.record) {
      this.acceptedKey = key;
      verify(true);
      return;
    }
    this.#record(key, verify);
  };

  /** accept-new: records the key in the first known_hosts file, then accepts it. */
  #record(key: Buffer, verify: (ok: boolean) => void): void {
    const { keys, port, target, label, hopName, logger } = this.#o;
    const file = keys.files[0];
    if (file === undefined) {
      this.refusal = new HostError('KNOWN_HOSTS_WRITE_FAILED', target, 'accept-new needs a known_hosts file to write to');
      verify(false);
      return;
    }
    recordKnownHost(file, keys.lookupName, port, key, { hashed: keys.policy.hashKnownHosts ?? false }).then(
      (outcome) => {
        if (outcome.kind === 'conflict') {
          this.refusal = new HostError('SSH_HOST_KEY_CHANGED', target, `${label} presented ${fingerprintSha256(key)} but another key was recorded for it meanwhile in ${file}`);
          verify(false);
          return;
        }
        logger?.info('recorded new host key', { host: target, hop: hopName, fingerprint: fingerprintSha256(key), file });
        this.acceptedKey = key;
        verify(true);
      },
      (err: unknown) => {
        this.refusal = new HostError('KNOWN_HOSTS_WRITE_FAILED', target, `cannot record the key of ${label} in ${file}: ${(err as Error).message}`, {
          cause: err,
        });
        verify(false);
      },
    );
  }
}
