/**
 * Discovered state of one host (never mixed with the declared topology). Everything here was read by
 * read-only probes; `null` means "not probed" (spec section omitted) unless a field says otherwise.
 */
import type { HostTransport } from '../hosts/remote-host.js';

export interface OsFacts {
  /** `uname -s`, e.g. Linux */
  readonly kernel: string;
  readonly kernelRelease: string;
  /** `uname -m`, e.g. x86_64, aarch64 */
  readonly arch: string;
  /** `uname -n` */
  readonly hostname: string;
  /** /etc/os-release ID, VERSION_ID, PRETTY_NAME when present */
  readonly distroId: string | null;
  readonly distroVersion: string | null;
  readonly prettyName: string | null;
}

export interface NodeRuntime {
  /** `node` (from PATH) or the bundled binary's path */
  readonly path: string;
  /** e.g. v20.19.1 */
  readonly version: string;
  readonly major: number;
  /** major ≥ the spec's minNodeMajor */
  readonly satisfies: boolean;
}

export interface RuntimeFacts {
  readonly minNodeMajor: number;
  /** `node` on the non-interactive PATH, if any */
  readonly system: NodeRuntime | null;
  /** `<install>/current/node/bin/node`, if the installed release bundles one */
  readonly bundled: NodeRuntime | null;
  /** which one bin/ozone will use (it prefers the bundled one), or null if none satisfies */
  readonly usable: 'bundled' | 'system' | null;
  /** the Java an Apache Ozone release runs on (spec.javaHome), when asked */
  readonly java?: JavaFacts | null;
}

export interface JavaFacts {
  readonly home: string;
  /** `<home>/bin/java -version` ran and exited 0 */
  readonly ok: boolean;
  /** its first line (`openjdk version "17.0.15" 2025-04-15`), or why it failed */
  readonly version: string;
}

export interface ReleaseFacts {
  readonly installDir: string;
  /** the `current` symlink's text (e.g. `releases/0.1.0-1a2b3c4d`), null when missing */
  readonly current: string | null;
  /** its last path component */
  readonly releaseName: string | null;
  /** from `ozone version` (first line `ozone <version>`), null when not installed or not runnable */
  /** from `ozone version`'s banner, when the probe asked (OzoneProbe.askVersion); else null */
  readonly ozoneVersion: string | null;
}

/** VERSION file fields (docs/ozone-scm-ha.md §3); `properties` holds every key as read. */
export interface ScmVersionFile {
  readonly path: string;
  readonly nodeType: string | null;
  readonly clusterId: string | null;
  readonly scmUuid: string | null;
  readonly scmHa: boolean | null;
  readonly primaryScmNodeId: string | null;
  readonly layoutVersion: number | null;
  readonly cTime: number | null;
  readonly scmCertSerialId: string | null;
  readonly properties: Readonly<Record<string, string>>;
}

export interface RolePeer {
  /** the JSON key: the peer's host name */
  readonly host: string;
  /** `host:ratisPort` as printed */
  readonly address: string | null;
  /**
   * LEADER | FOLLOWER (Ozone prints FOLLOWER for every non-leader); the embedded SCM prints UNREACHABLE for a
   * member the leader has not heard from for an election timeout
   */
  readonly role: string;
  /** raft peer id = scmUuid */
  readonly id: string | null;
  readonly inetAddress: string | null;
  /** the leader's figures for a follower (embedded SCM; null when the output has none, as real Ozone's) */
  readonly lastContactMs?: number | null;
  readonly lagging?: boolean | null;
}

export type RolesFacts =
  | { readonly ok: true; readonly peers: readonly RolePeer[] }
  | { readonly ok: false; readonly exitCode: number; readonly message: string };

export interface ScmFacts {
  /** null when there is no VERSION file (storage NOT_INITIALIZED or NON_EXISTENT) */
  readonly version: ScmVersionFile | null;
  readonly running: boolean;
  /** how `running` was decided */
  readonly runningSource: 'systemd' | 'daemon-status' | 'pid-file' | 'none';
  readonly pid: number | null;
  /**
   * only asked when running (and ozone is probed), and not asked (null) when the caller has the ring from
   * another SCM of the service: every SCM answers with the leader's view (GatherFactsOptions.rolesTurn)
   */
  readonly roles: RolesFacts | null;
}

export interface PortFacts {
  readonly port: number;
  readonly address: string;
  /** in-use: something listens on the address or on a wildcard address that covers it */
  readonly state: 'free' | 'in-use';
  /** listening sockets that conflict, as `ip:port` */
  readonly listeners: readonly string[];
}

export interface DirectoryFacts {
  readonly path: string;
  readonly exists: boolean;
  /** the path is something else than a directory */
  readonly notDirectory: boolean;
  /** null when it does not exist or cannot be listed */
  readonly empty: boolean | null;
  readonly owner: string | null;
  readonly group: string | null;
  readonly mode: number | null;
  /** for the probing user (root with spec.sudo): writable if it exists, creatable (nearest ancestor writable) if not */
  readonly writable: boolean;
  /** the nearest existing ancestor, when it does not exist */
  readonly existingAncestor: string | null;
}

export interface DiskFacts {
  readonly path: string;
  /** the path df measured (the nearest existing ancestor) */
  readonly measured: string;
  readonly mountPoint: string;
  readonly totalBytes: number;
  readonly availableBytes: number;
}

export interface ClockFacts {
  /** host clock minus operator clock, ms (positive: host ahead) */
  readonly skewMs: number;
  /** half the round trip plus the host clock's resolution */
  readonly uncertaintyMs: number;
}

export interface HostFacts {
  readonly host: string;
  readonly transport: HostTransport;
  readonly address: string;
  readonly hostKeyFingerprint: string | null;
  /** operator clock, ISO 8601 */
  readonly gatheredAt: string;
  readonly os: OsFacts;
  readonly user: { readonly uid: number; readonly name: string };
  readonly runtime: RuntimeFacts;
  readonly release: ReleaseFacts | null;
  /** managed file → sha256 hex, or null when missing */
  readonly files: Readonly<Record<string, string | null>>;
  readonly scm: ScmFacts | null;
  readonly ports: readonly PortFacts[];
  readonly directories: readonly DirectoryFacts[];
  readonly initSystem: 'systemd' | 'other';
  /** null when the host's `date` cannot print epoch seconds */
  readonly clock: ClockFacts | null;
  readonly disk: readonly DiskFacts[];
}
