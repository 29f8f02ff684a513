/**
 * What `scmctl init` writes a starter topology from: the operator's answers (flags, or questions on a TTY)
 * checked one by one (answer-checks.ts) and completed with INIT_DEFAULTS — a local three-SCM quorum on
 * 127.0.0.1-3, like examples/local-ha.yaml. The defaults are safe in the sense that the starter always
 * validates: every combination either yields settings that do, or is refused here with a coded error.
 *
 * Derived, not asked: the transport (local when every host is this machine's loopback and no SSH setting
 * was given, else ssh), and whether the SCMs share one machine (local transport or loopback addresses: each
 * then gets its own directories, and with apache-ozone its own Ratis/gRPC ports, which Ozone binds on all
 * interfaces).
 */
import {
  checkAbsolute,
  checkName,
  checkOzoneTarball,
  checkPathValue,
  checkPrincipal,
  checkRuntime,
  checkSshUser,
  checkTransport,
  isLoopback,
  parseHosts,
  type OzoneRelease,
  type TransportChoice,
} from './answer-checks.js';
import { InitError } from './init-error.js';

/** What the operator said; undefined = not said (a default applies). */
export interface InitInput {
  readonly name?: string;
  /** comma- or space-separated addresses */
  readonly hosts?: string;
  readonly transport?: string;
  readonly sshUser?: string;
  readonly sshKey?: string;
  readonly security?: boolean;
  readonly runtime?: string;
  readonly ozoneTarball?: string;
  readonly ozoneVersion?: string;
  readonly javaHome?: string;
  readonly kerberosPrincipal?: string;
  readonly kerberosKeytab?: string;
  readonly dataDir?: string;
}

export const INIT_DEFAULTS = {
  name: 'scm-ha',
  hosts: '127.0.0.1,127.0.0.2,127.0.0.3',
  sshUser: 'root',
  security: false,
  runtime: 'embedded',
  javaHome: '/usr/lib/jvm/java-17-openjdk-amd64',
  kerberosPrincipal: 'scm/_HOST@EXAMPLE.COM',
  kerberosKeytab: '/etc/security/keytabs/scm.service.keytab',
  /** with SCMs on this machine; `<name>` is the cluster name */
  dataDir: '/tmp/scmctl-<name>',
} as const;

export type StarterRuntime = { readonly kind: 'embedded' } | ({ readonly kind: 'apache-ozone'; readonly javaHome: string } & OzoneRelease);

export interface StarterKerberos {
  readonly principal: string;
  /** the keytab's path on every SCM host */
  readonly keytab: string;
  /** the principal is INIT_DEFAULTS' (realm EXAMPLE.COM): the operator must write the realm */
  readonly placeholder: boolean;
}

export interface StarterSettings {
  readonly name: string;
  readonly hosts: readonly string[];
  readonly transport: TransportChoice;
  /** every SCM on this machine (local transport or loopback addresses) */
  readonly sharedMachine: boolean;
  readonly ssh?: { readonly user: string; readonly identityFile?: string };
  readonly security: boolean;
  readonly runtime: StarterRuntime;
  /** apache-ozone with security only */
  readonly kerberos?: StarterKerberos;
  /** per-host directories under it (shared machine) or cluster-wide ones; none: the built-in defaults */
  readonly dataDir?: string;
}

const given = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';

/** The transport the answers imply: the flag, else ssh when SSH settings were given or a host is not this machine. */
export function impliedTransport(input: InitInput, hosts: readonly string[]): TransportChoice {
  if (given(input.transport)) return checkTransport(input.transport.trim());
  if (given(input.sshUser) || given(input.sshKey)) return 'ssh';
  return hosts.every(isLoopback) ? 'local' : 'ssh';
}

export async function resolveStarterSettings(input: InitInput, cwd: string): Promise<StarterSettings> {
  const name = checkName(given(input.name) ? input.name : INIT_DEFAULTS.name);
  const hosts = parseHosts(given(input.hosts) ? input.hosts : INIT_DEFAULTS.hosts);
  const transport = impliedTransport(input, hosts);
  const sharedMachine = transport === 'local' || hosts.some(isLoopback);
  if (transport === 'local' && (given(input.sshUser) || given(input.sshKey))) {
    throw new InitError('INIT_BAD_VALUE', 'SSH settings were given with --transport local, which runs every command on this machine without SSH', {
      hint: 'drop --ssh-user/--ssh-key, or use --transport ssh',
    });
  }
  const ssh =
    transport === 'ssh'
      ? {
          user: checkSshUser(given(input.sshUser) ? input.sshUser : INIT_DEFAULTS.sshUser),
          ...(given(input.sshKey) ? { identityFile: checkPathValue('the SSH identity file', input.sshKey) } : {}),
        }
      : undefined;
  const security = input.security ?? INIT_DEFAULTS.security;
  const kind = checkRuntime(given(input.runtime) ? input.runtime : INIT_DEFAULTS.runtime);
  let runtime: StarterRuntime = { kind: 'embedded' };
  if (kind === 'apache-ozone') {
    if (!given(input.ozoneTarball)) {
      throw new InitError('INIT_OZONE_TARBALL_REQUIRED', 'the apache-ozone runtime needs the Ozone release tarball: scmctl cannot download it', {
        hint: 'download ozone-X.Y.Z.tar.gz and its .sha512 from an Apache mirror and add --ozone-tarball PATH (or use --runtime embedded)',
      });
    }
    const release = await checkOzoneTarball(input.ozoneTarball, cwd, input.ozoneVersion?.trim());
    runtime = { kind, ...release, javaHome: checkAbsolute('the Java home', given(input.javaHome) ? input.javaHome : INIT_DEFAULTS.javaHome) };
  } else if (given(input.ozoneTarball) || given(input.ozoneVersion) || given(input.javaHome)) {
    throw new InitError('INIT_BAD_VALUE', '--ozone-tarball, --ozone-version and --java-home only apply to --runtime apache-ozone', {
      hint: 'add --runtime apache-ozone, or drop them',
    });
  }
  const kerberos =
    kind === 'apache-ozone' && security
      ? {
          principal: checkPrincipal(given(input.kerberosPrincipal) ? input.kerberosPrincipal : INIT_DEFAULTS.kerberosPrincipal),
          keytab: checkAbsolute('the keytab path on the hosts', given(input.kerberosKeytab) ? input.kerberosKeytab : INIT_DEFAULTS.kerberosKeytab),
          placeholder: !given(input.kerberosPrincipal),
        }
      : undefined;
  if (!kerberos && (given(input.kerberosPrincipal) || given(input.kerberosKeytab))) {
    throw new InitError('INIT_BAD_VALUE', 'the Kerberos flags only apply to --runtime apache-ozone with --security (the embedded SCM has no Kerberos)', {
      hint: 'add --runtime apache-ozone --security, or drop --kerberos-principal/--kerberos-keytab',
    });
  }
  const dataDir = given(input.dataDir)
    ? checkAbsolute('the data directory', input.dataDir)
    : sharedMachine
      ? INIT_DEFAULTS.dataDir.replace('<name>', name)
      : undefined;
  return {
    name,
    hosts,
    transport,
    sharedMachine,
    ...(ssh ? { ssh } : {}),
    security,
    runtime,
    ...(kerberos ? { kerberos } : {}),
    ...(dataDir !== undefined ? { dataDir } : {}),
  };
}
