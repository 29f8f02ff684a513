/**
 * Topology host → HostConnectionSpec (what connectHost / HostPool take), pure. SSH settings map one to one;
 * `~/` in key and known_hosts paths is expanded with the operator's HOME; secrets stay referenced by
 * environment variable name (the SecretContext resolves them when a connection needs one).
 */
import type { HostConnectionSpec } from '../hosts/connect-host.js';
import type { HostKeyPolicy } from '../hosts/host-key-policy.js';
import type { SecretContext } from '../hosts/secret-source.js';
import type { SshEndpoint } from '../hosts/ssh-options.js';
import { expandHome } from '../topology/home-path.js';
import type { Host, SshSettings, Timeouts } from '../topology/model.js';

export { expandHome };

function hostKeyPolicy(ssh: SshSettings, env: SecretContext['env'], fingerprint: string | undefined): HostKeyPolicy {
  return {
    mode: ssh.knownHosts,
    ...(fingerprint ? { fingerprint } : {}),
    ...(ssh.knownHostsFile ? { knownHostsFiles: [expandHome(ssh.knownHostsFile, env)] } : {}),
  };
}

export function connectionSpec(host: Host, timeouts: Timeouts, secrets: SecretContext): HostConnectionSpec {
  if (host.transport.kind === 'local') {
    return { transport: 'local', name: host.name, address: host.address, secrets };
  }
  const ssh = host.transport.ssh;
  const env = secrets.env;
  const keys = ssh.identityFile ? [expandHome(ssh.identityFile, env)] : undefined;
  const bastions: SshEndpoint[] = ssh.bastions.map((b) => ({
    name: `bastion ${b.host}`,
    address: b.host,
    port: b.port,
    user: b.user,
    auth: { ...(b.identityFile ? { privateKeyPaths: [expandHome(b.identityFile, env)] } : keys ? { privateKeyPaths: keys } : {}), agent: ssh.agent },
    hostKey: hostKeyPolicy(ssh, env, b.hostKeyFingerprint),
  }));
  return {
    transport: 'ssh',
    name: host.name,
    address: host.address,
    port: ssh.port,
    user: ssh.user,
    auth: { ...(keys ? { privateKeyPaths: keys } : {}), agent: ssh.agent },
    hostKey: hostKeyPolicy(ssh, env, ssh.hostKeyFingerprint),
    ...(bastions.length > 0 ? { bastions } : {}),
    connectTimeoutMs: timeouts.connectMs,
    ...(ssh.become.enabled ? { sudo: ssh.become.passwordEnv ? { passwordEnv: ssh.become.passwordEnv } : {} } : {}),
    secrets,
  };
}
