/**
 * Model → topology document: the smallest YAML-shaped document that loads back into the same model
 * (normalise(toSpecDocument(t)) deep-equals t). Used by `scmctl export --format yaml` and by the XML exporter
 * for the settings only scmctl understands. Every host is listed, so host order survives.
 */
import { versionFromTarballName } from './ozone-release.js';
import { ANY_ADDRESS, DEFAULT_LISTEN, DEFAULT_RATIS_ENABLED, DEFAULT_RUNTIME, DEFAULT_SSH, DEFAULT_TIMEOUTS, DEFAULT_TRANSPORT } from './defaults.js';
import { BUILTIN_DIRECTORIES, minimalDirectories } from './directories.js';
import { formatDuration } from './duration.js';
import { DEFAULT_SCM_PORTS, SCM_PORT_NAMES, type Host, type ListenMode, type ScmNode, type Topology } from './model.js';
import { scmNodesOnHost } from './queries.js';
import { minimalSsh } from './ssh-settings.js';
import type { Spec, SpecHost, SpecNode, SpecPorts, SpecService, SpecTimeouts, TopologyDocument } from './spec-types.js';

function nonEmpty<T extends object>(o: T): T | undefined {
  return Object.keys(o).length > 0 ? o : undefined;
}

function bindHostOf(listen: ListenMode, address: string): string {
  return listen === 'any' ? ANY_ADDRESS : listen === 'address' ? address : listen;
}

/** The listen mode that gives `bindHost` for a node at `address`. */
export function listenFor(bindHost: string, address: string): ListenMode {
  return bindHost === ANY_ADDRESS ? 'any' : bindHost === address ? 'address' : bindHost;
}

function specNode(node: ScmNode, host: Host | undefined): SpecNode {
  const out: SpecNode = { nodeId: node.nodeId, host: node.host };
  const ports: SpecPorts = {};
  for (const p of node.explicitPorts) ports[p] = node.ports[p];
  if (node.explicitPorts.length > 0) out.ports = ports;
  const dirs = host ? nonEmpty(minimalDirectories(host.directories, node.directories)) : undefined;
  if (dirs) out.directories = dirs;
  return out;
}

function specHost(t: Topology, host: Host): SpecHost {
  const out: SpecHost = { name: host.name };
  if (host.address !== host.name) out.address = host.address;
  if (host.transport.kind !== t.defaults.transport) out.transport = host.transport.kind;
  const node = scmNodesOnHost(t, host.name)[0];
  if (node && node.bindHost !== bindHostOf(t.defaults.listen, host.address)) out.listen = listenFor(node.bindHost, host.address);
  const roles = host.roles.flatMap((r) => (r.kind === 'scm' ? [] : [r.kind]));
  if (roles.length > 0) out.roles = roles;
  if (host.transport.kind === 'ssh') {
    const ssh = minimalSsh(t.defaults.ssh, host.transport.ssh);
    if (ssh) out.ssh = ssh;
  }
  const dirs = nonEmpty(minimalDirectories(t.defaults.directories, host.directories));
  if (dirs) out.directories = dirs;
  return out;
}

export function toSpecDocument(t: Topology): TopologyDocument {
  const hosts = new Map(t.hosts.map((h) => [h.name as string, h]));
  const services: SpecService[] = t.services.map((s) => {
    const out: SpecService = { serviceId: s.serviceId, nodes: [] };
    if (s.primordial.given !== s.nodes[0]?.nodeId) out.primordial = s.primordial.given;
    out.nodes = s.nodes.map((n) => specNode(n, hosts.get(n.host)));
    return out;
  });
  const spec: Spec = { services };
  if (t.services.length > 1) spec.defaultServiceId = t.defaultServiceId;
  if (t.ratis.enabled !== DEFAULT_RATIS_ENABLED) spec.ratis = { enabled: t.ratis.enabled };
  if (t.security.enabled || t.security.tls || t.security.kerberos) {
    const k = t.security.kerberos;
    spec.security = {
      enabled: t.security.enabled,
      tls: t.security.tls,
      ...(k ? { kerberos: { principal: k.principal, keytab: k.keytab, ...(k.keytabs ? { keytabs: Object.entries(k.keytabs).map(([host, s]) => ({ host, file: s.source })) } : {}) } } : {}),
    };
  }
  const ports: SpecPorts = {};
  for (const p of SCM_PORT_NAMES) if (t.defaults.ports[p] !== DEFAULT_SCM_PORTS[p]) ports[p] = t.defaults.ports[p];
  if (nonEmpty(ports)) spec.ports = ports;
  if (t.defaults.listen !== DEFAULT_LISTEN) spec.listen = t.defaults.listen;
  if (t.defaults.transport !== DEFAULT_TRANSPORT) spec.transport = t.defaults.transport;
  const dirs = nonEmpty(minimalDirectories(BUILTIN_DIRECTORIES, t.defaults.directories));
  if (dirs) spec.directories = dirs;
  const ssh = minimalSsh(DEFAULT_SSH, t.defaults.ssh);
  if (ssh) spec.ssh = ssh;
  spec.hosts = t.hosts.map((h) => specHost(t, h));
  if (t.properties.length > 0) spec.properties = Object.fromEntries(t.properties.map((p) => [p.name, p.value]));
  const timeouts: SpecTimeouts = {};
  if (t.timeouts.connectMs !== DEFAULT_TIMEOUTS.connectMs) timeouts.connect = formatDuration(t.timeouts.connectMs);
  if (t.timeouts.commandMs !== DEFAULT_TIMEOUTS.commandMs) timeouts.command = formatDuration(t.timeouts.commandMs);
  if (t.timeouts.scmStartMs !== DEFAULT_TIMEOUTS.scmStartMs) timeouts.scmStart = formatDuration(t.timeouts.scmStartMs);
  if (t.timeouts.scmInfoWaitMs !== DEFAULT_TIMEOUTS.scmInfoWaitMs) timeouts.scmInfoWait = formatDuration(t.timeouts.scmInfoWaitMs);
  if (nonEmpty(timeouts)) spec.timeouts = timeouts;
  const o = t.runtime.ozone;
  const runtime = {
    ...(t.runtime.kind !== DEFAULT_RUNTIME.kind ? { kind: t.runtime.kind } : {}),
    ...(t.runtime.node !== DEFAULT_RUNTIME.node ? { node: t.runtime.node } : {}),
    ...(o ? { ozone: { tarball: o.tarball, ...(o.sha256 ? { sha256: o.sha256 } : {}), ...(o.sha512 ? { sha512: o.sha512 } : {}), ...(o.version !== null && o.version !== versionFromTarballName(o.tarball) ? { version: o.version } : {}) } } : {}),
    ...(t.runtime.java ? { java: { ...t.runtime.java } } : {}),
    ...(t.runtime.heap !== undefined ? { heap: t.runtime.heap } : {}),
    ...(t.runtime.jvmOptions !== undefined ? { jvmOptions: t.runtime.jvmOptions } : {}),
    ...(t.runtime.user !== undefined ? { user: t.runtime.user } : {}),
    ...(t.runtime.group !== undefined ? { group: t.runtime.group } : {}),
  };
  if (nonEmpty(runtime)) spec.runtime = runtime;
  return { apiVersion: t.apiVersion, kind: t.kind, metadata: { name: t.name }, spec };
}
