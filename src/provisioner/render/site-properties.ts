/**
 * The ozone-site.xml properties of one rendered file, as Ozone names them (docs/ozone-scm-ha.md §1, §7),
 * sorted by name. Three variants share one cluster view (service ids, nodes, addresses, ports, ratis,
 * security, extras):
 *  - `scm`: one SCM node's own file: + `ozone.scm.node.id`, its service as default, its primordial, its
 *    metadata/db/ratis/snapshot directories, and its bind hosts when its listen is not `any`;
 *  - `client`: an OM/datanode/client host: the cluster's default service, `ozone.metadata.dirs` of the host,
 *    no node id, no primordial, no SCM directories, no bind hosts;
 *  - `export`: the cluster file of `scmctl export --format xml`: cluster-level directories, the default
 *    service's primordial, every node's bind hosts, and `scmctl.*` properties for what Ozone has no key for.
 * A port is written per node only where the node sets it (`<portKey>.<sid>.<nid>`), and cluster-wide only
 * where `spec.ports` differs from Ozone's default, so an import of the file gives back the same model.
 */
import { hasRatisEnableKey } from '../topology/ozone-release.js';
import { ANY_ADDRESS, DEFAULT_TIMEOUTS } from '../topology/defaults.js';
import { BUILTIN_DIRECTORIES, minimalDirectories } from '../topology/directories.js';
import { formatDuration } from '../topology/duration.js';
import { DEFAULT_SCM_PORTS, SCM_PORT_NAMES, type Directories, type Host, type OzoneProperty, type ScmNode, type ScmPortName, type Topology } from '../topology/model.js';
import { BIND_HOST_KEYS, KEY, PORT_KEYS } from '../topology/ozone-keys.js';
import { SCMCTL_HOST_PREFIX, SCMCTL_NODE_PREFIX, SCMCTL_PRIMORDIAL_PREFIX, SCMCTL_SCALARS } from '../topology/scmctl-keys.js';
import { toSpecDocument } from '../topology/to-spec.js';
import { TopologyError } from '../topology/topology-error.js';

export type SiteVariant =
  | { readonly kind: 'scm'; readonly node: ScmNode }
  | { readonly kind: 'client'; readonly host: Host }
  | { readonly kind: 'export' };

class PropertyList {
  readonly #values = new Map<string, string>();

  set(name: string, value: string): void {
    if (this.#values.has(name)) {
      throw new TopologyError('TOPOLOGY_RENDER_DUPLICATE_PROPERTY', `property ${name} would be rendered twice`, {
        hint: 'this is a bug in scmctl: extra properties may not set keys it renders',
      });
    }
    this.#values.set(name, value);
  }

  sorted(): OzoneProperty[] {
    return [...this.#values.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, value]) => ({ name, value }));
  }
}

/** A host as Ozone writes it in host[:port] values: IPv6 literals in brackets. */
function hostValue(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function portValue(name: ScmPortName, port: number, host: string): string {
  return PORT_KEYS[name].form === 'address' ? `${hostValue(host)}:${port}` : String(port);
}

function directoryProperties(list: PropertyList, dirs: Partial<Directories>): void {
  if (dirs.metadata !== undefined) list.set(KEY.metadataDirs, dirs.metadata);
  if (dirs.db !== undefined) list.set(KEY.dbDirs, dirs.db);
  if (dirs.ratis !== undefined) list.set(KEY.ratisStorageDir, dirs.ratis);
  if (dirs.snapshot !== undefined) list.set(KEY.ratisSnapshotDir, dirs.snapshot);
}

function scmctlProperties(list: PropertyList, t: Topology): void {
  const doc = toSpecDocument(t);
  const spec = doc.spec;
  list.set(SCMCTL_SCALARS.name, t.name);
  if (spec.transport !== undefined) list.set(SCMCTL_SCALARS.transport, spec.transport);
  if (spec.listen !== undefined) list.set(SCMCTL_SCALARS.listen, spec.listen);
  if (spec.ssh !== undefined) list.set(SCMCTL_SCALARS.ssh, JSON.stringify(spec.ssh));
  if (spec.directories?.install !== undefined) list.set(SCMCTL_SCALARS.installDir, spec.directories.install);
  if (spec.directories?.config !== undefined) list.set(SCMCTL_SCALARS.configDir, spec.directories.config);
  if (spec.directories?.logs !== undefined) list.set(SCMCTL_SCALARS.logsDir, spec.directories.logs);
  if (spec.timeouts?.connect !== undefined) list.set(SCMCTL_SCALARS.connectTimeout, spec.timeouts.connect);
  if (spec.timeouts?.command !== undefined) list.set(SCMCTL_SCALARS.commandTimeout, spec.timeouts.command);
  if (spec.timeouts?.scmStart !== undefined) list.set(SCMCTL_SCALARS.scmStartTimeout, spec.timeouts.scmStart);
  if (spec.runtime?.node !== undefined) list.set(SCMCTL_SCALARS.runtimeNode, spec.runtime.node);
  if (spec.runtime?.user !== undefined) list.set(SCMCTL_SCALARS.runtimeUser, spec.runtime.user);
  if (spec.runtime?.group !== undefined) list.set(SCMCTL_SCALARS.runtimeGroup, spec.runtime.group);
  if (spec.runtime?.kind !== undefined) {
    const { kind, ozone, java, heap, jvmOptions } = spec.runtime;
    list.set(SCMCTL_SCALARS.runtimeRelease, JSON.stringify({ kind, ozone, java, heap, jvmOptions }));
  }
  if (spec.security?.kerberos?.keytabs !== undefined) list.set(SCMCTL_SCALARS.kerberosKeytabs, JSON.stringify(Object.fromEntries(spec.security.kerberos.keytabs.map((k) => [k.host, k.file]))));
  list.set(SCMCTL_SCALARS.hosts, t.hosts.map((h) => h.name).join(','));
  const scmHosts = new Set(t.services.flatMap((s) => s.nodes.map((n) => n.host as string)));
  for (const h of spec.hosts ?? []) {
    // Ozone's keys already say an SCM host's address (ozone.scm.address.*) and listen mode (bind hosts).
    const { name, ...rest } = h;
    if (scmHosts.has(name)) {
      delete rest.address;
      delete rest.listen;
    }
    if (Object.keys(rest).length > 0) list.set(`${SCMCTL_HOST_PREFIX}${name}`, JSON.stringify(rest));
  }
  for (const s of spec.services) {
    // With several services the one Ozone key cannot say each service's primordial; say it per service.
    const primordial = t.services.find((x) => x.serviceId === s.serviceId)?.primordial.given;
    if (spec.services.length > 1 && primordial !== undefined) list.set(`${SCMCTL_PRIMORDIAL_PREFIX}${s.serviceId}`, primordial);
    for (const n of s.nodes) {
      const node = t.services.find((x) => x.serviceId === s.serviceId)?.nodes.find((x) => x.nodeId === n.nodeId);
      const extra = {
        ...(node && node.host !== node.address ? { host: n.host } : {}),
        ...(n.directories ? { directories: n.directories } : {}),
      };
      if (Object.keys(extra).length > 0) list.set(`${SCMCTL_NODE_PREFIX}${s.serviceId}.${n.nodeId}`, JSON.stringify(extra));
    }
  }
}

export function siteProperties(t: Topology, variant: SiteVariant): OzoneProperty[] {
  const list = new PropertyList();
  const self = variant.kind === 'scm' ? variant.node : undefined;

  // Identity: every service, every node (docs/ozone-scm-ha.md §1.1).
  list.set(KEY.serviceIds, t.services.map((s) => s.serviceId).join(','));
  list.set(KEY.defaultServiceId, self ? self.serviceId : t.defaultServiceId);
  for (const s of t.services) {
    list.set(`${KEY.nodes}.${s.serviceId}`, s.nodes.map((n) => n.nodeId).join(','));
    for (const n of s.nodes) {
      list.set(`${KEY.address}.${s.serviceId}.${n.nodeId}`, hostValue(n.address));
      for (const p of n.explicitPorts) list.set(`${PORT_KEYS[p].key}.${s.serviceId}.${n.nodeId}`, portValue(p, n.ports[p], n.bindHost));
    }
  }
  for (const p of SCM_PORT_NAMES) {
    if (t.defaults.ports[p] !== DEFAULT_SCM_PORTS[p]) list.set(PORT_KEYS[p].key, portValue(p, t.defaults.ports[p], ANY_ADDRESS));
  }
  // ozone.scm.ratis.enable exists in Ozone 1.x only: a 2.x release neither reads nor needs it
  if (t.runtime.kind === 'embedded' || (t.runtime.ozone?.version && hasRatisEnableKey(t.runtime.ozone.version))) list.set(KEY.ratisEnable, String(t.ratis.enabled));
  if (t.timeouts.scmInfoWaitMs !== DEFAULT_TIMEOUTS.scmInfoWaitMs) list.set(KEY.infoWaitDuration, formatDuration(t.timeouts.scmInfoWaitMs));

  // SCM-side keys.
  if (variant.kind !== 'client') {
    const service = self ? t.services.find((s) => s.serviceId === self.serviceId) : t.services.find((s) => s.serviceId === t.defaultServiceId);
    if (service) list.set(KEY.primordialNodeId, service.primordial.given);
    // Bind hosts apply to the local node only (Ozone copies `<key>.<sid>.<nid>` over `<key>` for it), so a
    // node's file carries its own; the cluster export carries every node's.
    const bound = self ? [self] : t.services.flatMap((s) => s.nodes);
    for (const n of bound) {
      if (n.bindHost === ANY_ADDRESS) continue;
      for (const k of BIND_HOST_KEYS) list.set(`${k}.${n.serviceId}.${n.nodeId}`, n.bindHost);
    }
  }
  let metadata: string;
  switch (variant.kind) {
    case 'scm':
      list.set(KEY.nodeId, variant.node.nodeId);
      directoryProperties(list, variant.node.directories);
      metadata = variant.node.directories.metadata;
      break;
    case 'client':
      // Contract (render-host.ts caches on it): a client file depends on its host only through this value.
      list.set(KEY.metadataDirs, variant.host.directories.metadata);
      metadata = variant.host.directories.metadata;
      break;
    case 'export': {
      const declared = minimalDirectories(BUILTIN_DIRECTORIES, t.defaults.directories);
      directoryProperties(list, { metadata: t.defaults.directories.metadata, db: declared.db, ratis: declared.ratis, snapshot: declared.snapshot });
      metadata = t.defaults.directories.metadata;
      scmctlProperties(list, t);
      break;
    }
    default: {
      const unreachable: never = variant;
      return unreachable;
    }
  }

  // Security (docs/ozone-scm-ha.md §1.7, §7).
  if (t.security.enabled) {
    list.set(KEY.securityEnabled, 'true');
    list.set(KEY.hddsMetadataDir, metadata);
  }
  if (t.security.enabled || t.security.tls) list.set(KEY.grpcTlsEnabled, String(t.security.tls));
  if (t.security.kerberos) {
    list.set(KEY.hadoopAuthentication, 'kerberos');
    list.set(KEY.scmKerberosPrincipal, t.security.kerberos.principal);
    list.set(KEY.scmKerberosKeytab, t.security.kerberos.keytab);
  }

  for (const p of t.properties) list.set(p.name, p.value);
  return list.sorted();
}
