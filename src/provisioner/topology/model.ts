/**
 * The normalised topology: what a YAML topology file and an imported ozone-site.xml both load into, with
 * every default applied and every reference resolved. Render, facts, plan and apply consume only this model
 * (docs/design.md §5). It is plain data: readonly, JSON-serialisable, no methods, no classes, so two loads of
 * equivalent inputs compare equal with a deep equality and a model can be journalled as JSON.
 *
 * Vocabulary (docs/topology.md has the user-facing reference):
 *  - a *host* is a machine scmctl reaches (over SSH, or `local` = this machine); `name` is the topology's
 *    label for it, `address` is the hostname/IP written into Ozone's keys and used to connect;
 *  - an *SCM node* is one SCM process of one service, placed on a host;
 *  - *defaults* are the cluster-level settings (built-in defaults + `spec.*`), which hosts and nodes inherit.
 */
import type { Brand } from '../../common/brand.js';

export type ServiceId = Brand<string, 'ServiceId'>;
export type NodeId = Brand<string, 'NodeId'>;
export type HostName = Brand<string, 'HostName'>;

export const API_VERSION = 'scmctl.io/v1alpha1';
export const KIND = 'ScmCluster';

/** The eight listeners of an SCM, in the order scmctl lists them everywhere (docs/ozone-scm-ha.md §1.2). */
export const SCM_PORT_NAMES = ['client', 'block', 'datanode', 'security', 'ratis', 'grpc', 'http', 'https'] as const;
export type ScmPortName = (typeof SCM_PORT_NAMES)[number];
export type ScmPorts = Readonly<Record<ScmPortName, number>>;

/** Ozone's built-in default ports (ScmConfigKeys / ozone-default.xml). */
export const DEFAULT_SCM_PORTS: ScmPorts = Object.freeze({
  client: 9860,
  block: 9863,
  datanode: 9861,
  security: 9961,
  ratis: 9894,
  grpc: 9895,
  http: 9876,
  https: 9877,
});

export const DIRECTORY_NAMES = ['install', 'config', 'metadata', 'db', 'ratis', 'snapshot', 'logs'] as const;
export type DirectoryName = (typeof DIRECTORY_NAMES)[number];
/** Absolute paths on the host (docs/design.md §4.1). */
export type Directories = Readonly<Record<DirectoryName, string>>;

export type KnownHostsMode = 'strict' | 'accept-new' | 'off';

export interface Bastion {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly identityFile?: string;
  readonly hostKeyFingerprint?: string;
}

export interface Become {
  readonly enabled: boolean;
  readonly method: 'sudo';
  /** NAME of the environment variable holding the sudo password; the password itself is never in a file */
  readonly passwordEnv?: string;
}

/** Effective SSH settings of one host: cluster `spec.ssh` merged with the host's `ssh` (host wins per field). */
export interface SshSettings {
  readonly user: string;
  readonly port: number;
  /** path on the operator machine; `~/` is expanded by the SSH layer, not here */
  readonly identityFile?: string;
  /** offer keys from the agent at $SSH_AUTH_SOCK */
  readonly agent: boolean;
  readonly knownHosts: KnownHostsMode;
  readonly knownHostsFile?: string;
  /** pinned host key, OpenSSH form `SHA256:<base64>`; when set it is checked whatever knownHosts says */
  readonly hostKeyFingerprint?: string;
  /** jump hosts, nearest to the operator first (like `ssh -J a,b`); a host's list replaces the cluster's */
  readonly bastions: readonly Bastion[];
  readonly become: Become;
}

export type Transport = { readonly kind: 'local' } | { readonly kind: 'ssh'; readonly ssh: SshSettings };
export type TransportKind = Transport['kind'];

export type HostRole =
  | { readonly kind: 'scm'; readonly serviceId: ServiceId; readonly nodeId: NodeId }
  | { readonly kind: 'om' }
  | { readonly kind: 'datanode' }
  | { readonly kind: 'client' };
/** Roles a host declares in `hosts[].roles`; `scm` comes from `services[].nodes[]`. */
export const DECLARED_ROLES = ['om', 'datanode', 'client'] as const;
export type DeclaredRole = (typeof DECLARED_ROLES)[number];

export interface Host {
  readonly name: HostName;
  /** hostname or IP: written into `ozone.scm.address.<sid>.<nid>` and used to connect */
  readonly address: string;
  readonly transport: Transport;
  /** `scm` roles first (services order, then node order), then om, datanode, client */
  readonly roles: readonly HostRole[];
  /** the host's effective directories (its SCM nodes may override some, see ScmNode.directories) */
  readonly directories: Directories;
}

export interface ScmNode {
  readonly serviceId: ServiceId;
  readonly nodeId: NodeId;
  readonly host: HostName;
  /** = the host's address (`ozone.scm.address.<sid>.<nid>`) */
  readonly address: string;
  /** all eight effective ports: node override, else cluster `spec.ports`, else Ozone's default */
  readonly ports: ScmPorts;
  /** ports set on this node itself (rendered as `<portKey>.<sid>.<nid>`), in SCM_PORT_NAMES order */
  readonly explicitPorts: readonly ScmPortName[];
  /** interface every listener binds: `0.0.0.0` (Ozone's default), the node address, or a given IP */
  readonly bindHost: string;
  /** effective directories of this SCM process (host directories + node overrides) */
  readonly directories: Directories;
  readonly primordial: boolean;
}

export interface ScmService {
  readonly serviceId: ServiceId;
  /** in `ozone.scm.nodes.<sid>` order; every node is a Raft voter */
  readonly nodes: readonly ScmNode[];
  /** `ozone.scm.primordial.node.id`: `given` as written (a node id or the node's address), `nodeId` resolved */
  readonly primordial: { readonly nodeId: NodeId; readonly given: string };
}

export interface Security {
  /** `ozone.security.enabled` */
  readonly enabled: boolean;
  /** `hdds.grpc.tls.enabled` (mutual TLS for Ratis and inter-SCM gRPC; needs `enabled`) */
  readonly tls: boolean;
  /** when set: `hadoop.security.authentication=kerberos`, `hdds.scm.kerberos.principal`, `.keytab.file` */
  readonly kerberos?: Kerberos;
}

export interface Kerberos {
  readonly principal: string;
  /** the keytab's path on the hosts (`hdds.scm.kerberos.keytab.file`) */
  readonly keytab: string;
  /** per host name: the keytab apply distributes there (paths as written; `sha256` once read by the command) */
  readonly keytabs?: Readonly<Record<string, KeytabSource>>;
}

export interface KeytabSource {
  readonly source: string;
  /** sha256 of the file, filled in by the command that plans (never its content) */
  readonly sha256?: string;
}

export interface Timeouts {
  /** SSH connection establishment, per host */
  readonly connectMs: number;
  /** one remote command (unless a step says otherwise) */
  readonly commandMs: number;
  /** waiting for a started SCM to be up and for the ring to have a leader */
  readonly scmStartMs: number;
  /** `ozone.scm.info.wait.duration`: how long `--bootstrap` keeps asking the leader */
  readonly scmInfoWaitMs: number;
}

export type NodeRuntime = 'system' | 'bundled' | 'auto';

/** what runs the SCMs: scmctl's embedded SCM, or a real Apache Ozone release with a Java runtime */
export type RuntimeKind = 'embedded' | 'apache-ozone';

/** kind apache-ozone: the release tarball on the operator machine (paths as written, relative to the topology file) */
export interface OzoneRelease {
  readonly tarball: string;
  readonly sha256?: string;
  readonly sha512?: string;
  /** `runtime.ozone.version`, else read from the tarball's name (`ozone-2.2.0.tar.gz`); null when neither tells */
  readonly version: string | null;
}

/** kind apache-ozone: an existing JAVA_HOME on the SCM hosts, or a JDK/JRE tarball installed with the release */
export type JavaRuntime = { readonly home: string } | { readonly tarball: string; readonly sha256?: string };

export interface Runtime {
  readonly kind: RuntimeKind;
  /** kind embedded: which Node.js runs bin/ozone on hosts: PATH's (`system`), the bundle's (`bundled`), or bundled-if-present */
  readonly node: NodeRuntime;
  readonly ozone?: OzoneRelease;
  readonly java?: JavaRuntime;
  /** OZONE_HEAPSIZE_MAX of the SCM JVM */
  readonly heap?: string;
  /** OZONE_SCM_OPTS */
  readonly jvmOptions?: string;
  /** OS user/group the SCM runs as (systemd `User=`/`Group=`); unset = the connecting user */
  readonly user?: string;
  readonly group?: string;
}

export type ListenMode = 'any' | 'address' | string;

/** Cluster-level effective settings (built-in defaults + `spec.*`), what hosts and nodes inherit. */
export interface ClusterDefaults {
  readonly transport: TransportKind;
  readonly ssh: SshSettings;
  /** `any` (0.0.0.0), `address` (each node's own address) or an explicit IP */
  readonly listen: ListenMode;
  readonly directories: Directories;
  readonly ports: ScmPorts;
}

export interface OzoneProperty {
  readonly name: string;
  readonly value: string;
}

export interface Topology {
  readonly apiVersion: typeof API_VERSION;
  readonly kind: typeof KIND;
  readonly name: string;
  readonly services: readonly ScmService[];
  readonly defaultServiceId: ServiceId;
  /** declared order (`spec.hosts`), then hosts only named by SCM nodes in order of first appearance */
  readonly hosts: readonly Host[];
  readonly ratis: { readonly enabled: boolean };
  readonly security: Security;
  /** extra ozone-site.xml properties for every host, sorted by name */
  readonly properties: readonly OzoneProperty[];
  readonly timeouts: Timeouts;
  readonly runtime: Runtime;
  readonly defaults: ClusterDefaults;
}
