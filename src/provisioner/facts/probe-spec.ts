/**
 * What to look at on one host. The plan builds it from the topology (facts never reads the topology model):
 * every path absolute, every port an integer in 1..65535. Omitted sections are not probed, and their
 * HostFacts fields are null / empty.
 */
export interface OzoneProbe {
  /** `<install>/current/bin/ozone` */
  readonly bin: string;
  /** environment for ozone commands, e.g. { OZONE_CONF_DIR: '/etc/ozone' } (the values scm.env holds) */
  readonly env?: Readonly<Record<string, string>>;
  /** extra flags for `ozone admin scm roles --json`, e.g. ['--service-id=cluster1'] (each must start with --) */
  readonly rolesArgs?: readonly string[];
  /** per ozone command; default 15 s */
  readonly timeoutMs?: number;
  /**
   * ask `ozone version` for the installed release's version banner (ReleaseFacts.ozoneVersion). Off by
   * default: no plan decision reads it, and on a real release it starts a JVM (seconds per SCM host).
   */
  readonly askVersion?: boolean;
}

export interface ScmProbe {
  /** `ozone.scm.db.dirs`: VERSION is read from `<dbDir>/scm/current/VERSION` */
  readonly dbDir: string;
  /** `$OZONE_PID_DIR/ozone-<user>-scm.pid` */
  readonly pidFile?: string;
  /** e.g. `ozone-scm.service`, checked with `systemctl is-active` when the host runs systemd */
  readonly systemdUnit?: string;
}

export interface FactsProbeSpec {
  /** read protected files, hashes and directories as root (RemoteHost sudo) */
  readonly sudo?: boolean;
  /** `<install>`: its `current` symlink and bundled `node/bin/node` */
  readonly installDir?: string;
  /** needs `scm` to ask for the version, whether it runs and its roles */
  readonly ozone?: OzoneProbe;
  /** files whose sha256 to report (rendered config files) */
  readonly managedFiles?: readonly string[];
  readonly scm?: ScmProbe;
  /** ports that must be free (or are expected to be ours) on `address` */
  readonly ports?: { readonly address: string; readonly ports: readonly number[] };
  /** directories to check (exists, empty, owner, writable) */
  readonly directories?: readonly string[];
  /** paths whose file system free space to report (the nearest existing ancestor is measured) */
  readonly diskPaths?: readonly string[];
  /** the oldest Node major that runs scmctl's host side; default 20 */
  readonly minNodeMajor?: number;
  /**
   * ask `node --version` (PATH and the release's bundled one); default true. Off on hosts that run no
   * embedded SCM (a config-only host, an apache-ozone SCM): each ask starts a Node.js process there.
   */
  readonly probeNode?: boolean;
  /** an Apache Ozone release's JAVA_HOME on the host: `<home>/bin/java -version` is asked */
  readonly javaHome?: string;
}
