/**
 * The warning every command that connects prints when the topology turns host key checking off
 * (`ssh.knownHosts: off`): such a host's key is accepted unchecked when it is not in known_hosts, so a man in
 * the middle can impersonate it and receive the commands, files and sudo password scmctl sends. Pure: the
 * caller (cluster-input.ts `openSession`, once per run) writes the text to stderr, never to stdout, so
 * `--output json` stays parseable.
 *
 * A host (or bastion) with a pinned `hostKeyFingerprint` is checked against the pin whatever `knownHosts`
 * says (host-key-policy.ts), so it does not count; `local` hosts have no host key.
 */
import type { Topology } from '../topology/model.js';

export const HOST_KEYS_UNCHECKED = 'SSH_HOST_KEYS_UNCHECKED';

/** `scm1 (10.0.0.1)`, `bastion jump.example.com (for scm2)`: every SSH endpoint whose key goes unchecked. */
export function uncheckedHostKeys(topology: Topology): string[] {
  const out: string[] = [];
  for (const h of topology.hosts) {
    if (h.transport.kind !== 'ssh') continue;
    const ssh = h.transport.ssh;
    if (ssh.knownHosts !== 'off') continue;
    for (const b of ssh.bastions) {
      const label = `bastion ${b.host}`;
      if (b.hostKeyFingerprint === undefined && !out.includes(label)) out.push(label);
    }
    if (ssh.hostKeyFingerprint === undefined) out.push(h.address === h.name ? h.name : `${h.name} (${h.address})`);
  }
  return out;
}

/** The warning (lines ending in a newline), or null when every host key is checked. */
export function hostKeyWarning(topology: Topology, max = 10): string | null {
  const hosts = uncheckedHostKeys(topology);
  if (hosts.length === 0) return null;
  const listed = hosts.length > max ? `${hosts.slice(0, max).join(', ')} and ${hosts.length - max} more` : hosts.join(', ');
  return (
    `warning[${HOST_KEYS_UNCHECKED}]: cluster ${topology.name} sets knownHosts: off, so the SSH host keys of ${listed} are NOT checked. ` +
    'Anyone who can intercept these connections (a man in the middle) can impersonate the hosts and receive the commands, files and sudo password scmctl sends them.\n' +
    '  hint: use knownHosts: strict (the default) with the keys in known_hosts, accept-new once, or pin hostKeyFingerprint\n'
  );
}
