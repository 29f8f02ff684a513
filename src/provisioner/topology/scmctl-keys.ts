/**
 * `scmctl.*` properties: how an exported ozone-site.xml carries the settings Ozone has no key for
 * (transport, SSH, listen mode, install/config/logs directories, per-host overrides, host labels, timeouts,
 * runtime), so YAML → XML → YAML gives the same model. Ozone ignores unknown keys.
 *
 * Scalar settings are one property each; structured per-host/per-node settings are one property holding
 * JSON in the same shape as the YAML (`scmctl.host.<name>` = a `hosts[]` entry without `name`,
 * `scmctl.node.<sid>.<nid>` = `{host?, directories?}`), so the schema validates them the same way.
 */
export const SCMCTL_PREFIX = 'scmctl.';

export const SCMCTL_SCALARS = {
  name: 'scmctl.name',
  transport: 'scmctl.transport',
  listen: 'scmctl.listen',
  ssh: 'scmctl.ssh',
  hosts: 'scmctl.hosts',
  installDir: 'scmctl.directories.install',
  configDir: 'scmctl.directories.config',
  logsDir: 'scmctl.directories.logs',
  connectTimeout: 'scmctl.timeouts.connect',
  commandTimeout: 'scmctl.timeouts.command',
  scmStartTimeout: 'scmctl.timeouts.scmStart',
  runtimeNode: 'scmctl.runtime.node',
  runtimeUser: 'scmctl.runtime.user',
  runtimeGroup: 'scmctl.runtime.group',
  /** JSON: runtime.kind apache-ozone with its ozone, java, heap and jvmOptions */
  runtimeRelease: 'scmctl.runtime.release',
  /** JSON: security.kerberos.keytabs (host name → keytab file on the machine running scmctl) */
  kerberosKeytabs: 'scmctl.kerberos.keytabs',
} as const;

export const SCMCTL_HOST_PREFIX = 'scmctl.host.';
export const SCMCTL_NODE_PREFIX = 'scmctl.node.';
export const SCMCTL_PRIMORDIAL_PREFIX = 'scmctl.primordial.';

/** every accepted name or name pattern, for did-you-mean */
export const SCMCTL_KEY_NAMES: readonly string[] = [
  ...Object.values(SCMCTL_SCALARS),
  `${SCMCTL_HOST_PREFIX}<host>`,
  `${SCMCTL_NODE_PREFIX}<serviceId>.<nodeId>`,
  `${SCMCTL_PRIMORDIAL_PREFIX}<serviceId>`,
];
