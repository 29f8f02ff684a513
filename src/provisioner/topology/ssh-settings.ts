/**
 * SSH settings inheritance: built-in defaults → `spec.ssh` → `hosts[].ssh`, field by field. A level's
 * `bastions` list replaces the inherited list as a whole; `become` merges field by field. A bastion without
 * `user`/`port` uses the level's effective user and port 22.
 */
import { DEFAULT_BASTION_PORT } from './defaults.js';
import type { Bastion, Become, SshSettings } from './model.js';
import type { SpecBastion, SpecSsh } from './spec-types.js';

function bastion(spec: SpecBastion, user: string): Bastion {
  return {
    host: spec.host,
    port: spec.port ?? DEFAULT_BASTION_PORT,
    user: spec.user ?? user,
    ...(spec.identityFile === undefined ? {} : { identityFile: spec.identityFile }),
    ...(spec.hostKeyFingerprint === undefined ? {} : { hostKeyFingerprint: spec.hostKeyFingerprint }),
  };
}

export function resolveSsh(parent: SshSettings, declared: SpecSsh | undefined): SshSettings {
  if (declared === undefined) return parent;
  const user = declared.user ?? parent.user;
  const identityFile = declared.identityFile ?? parent.identityFile;
  const knownHostsFile = declared.knownHostsFile ?? parent.knownHostsFile;
  const hostKeyFingerprint = declared.hostKeyFingerprint ?? parent.hostKeyFingerprint;
  const passwordEnv = declared.become?.passwordEnv ?? parent.become.passwordEnv;
  const become: Become = {
    enabled: declared.become?.enabled ?? parent.become.enabled,
    method: declared.become?.method ?? parent.become.method,
    ...(passwordEnv === undefined ? {} : { passwordEnv }),
  };
  return {
    user,
    port: declared.port ?? parent.port,
    ...(identityFile === undefined ? {} : { identityFile }),
    agent: declared.agent ?? parent.agent,
    knownHosts: declared.knownHosts ?? parent.knownHosts,
    ...(knownHostsFile === undefined ? {} : { knownHostsFile }),
    ...(hostKeyFingerprint === undefined ? {} : { hostKeyFingerprint }),
    bastions: declared.bastions === undefined ? parent.bastions : declared.bastions.map((b) => bastion(b, user)),
    become,
  };
}

function sameBastions(a: readonly Bastion[], b: readonly Bastion[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The smallest `ssh:` block that turns `parent` into `effective` under resolveSsh (used by export). */
export function minimalSsh(parent: SshSettings, effective: SshSettings): SpecSsh | undefined {
  const out: SpecSsh = {};
  if (effective.user !== parent.user) out.user = effective.user;
  if (effective.port !== parent.port) out.port = effective.port;
  if (effective.identityFile !== parent.identityFile && effective.identityFile !== undefined) out.identityFile = effective.identityFile;
  if (effective.agent !== parent.agent) out.agent = effective.agent;
  if (effective.knownHosts !== parent.knownHosts) out.knownHosts = effective.knownHosts;
  if (effective.knownHostsFile !== parent.knownHostsFile && effective.knownHostsFile !== undefined) out.knownHostsFile = effective.knownHostsFile;
  if (effective.hostKeyFingerprint !== parent.hostKeyFingerprint && effective.hostKeyFingerprint !== undefined) {
    out.hostKeyFingerprint = effective.hostKeyFingerprint;
  }
  // Bastions depend on the level's user (a bastion without `user` takes it), so compare after resolution.
  const inherited = resolveSsh(parent, out);
  if (!sameBastions(inherited.bastions, effective.bastions)) {
    out.bastions = effective.bastions.map((b) => ({
      host: b.host,
      ...(b.port === DEFAULT_BASTION_PORT ? {} : { port: b.port }),
      ...(b.user === effective.user ? {} : { user: b.user }),
      ...(b.identityFile === undefined ? {} : { identityFile: b.identityFile }),
      ...(b.hostKeyFingerprint === undefined ? {} : { hostKeyFingerprint: b.hostKeyFingerprint }),
    }));
  }
  const become: NonNullable<SpecSsh['become']> = {};
  if (effective.become.enabled !== parent.become.enabled) become.enabled = effective.become.enabled;
  if (effective.become.method !== parent.become.method) become.method = effective.become.method;
  if (effective.become.passwordEnv !== parent.become.passwordEnv && effective.become.passwordEnv !== undefined) {
    become.passwordEnv = effective.become.passwordEnv;
  }
  if (Object.keys(become).length > 0) out.become = become;
  return Object.keys(out).length > 0 ? out : undefined;
}
