/** Read-only questions about a Topology that render, rules, plan and apply share. */
import type { Host, KeytabSource, ScmNode, Topology } from './model.js';
import { TopologyError } from './topology-error.js';

export function allScmNodes(topology: Topology): ScmNode[] {
  return topology.services.flatMap((s) => s.nodes);
}

export function findHost(topology: Topology, name: string): Host | undefined {
  return topology.hosts.find((h) => h.name === name);
}

export function requireHost(topology: Topology, name: string): Host {
  const host = findHost(topology, name);
  if (!host) {
    throw new TopologyError('TOPOLOGY_HOST_NOT_FOUND', `the topology has no host "${name}"`, {
      hint: `hosts: ${topology.hosts.map((h) => h.name).join(', ')}`,
    });
  }
  return host;
}

// Topologies are immutable, so the host → nodes index is computed once per model.
const byHostCache = new WeakMap<Topology, ReadonlyMap<string, readonly ScmNode[]>>();

function nodesByHost(topology: Topology): ReadonlyMap<string, readonly ScmNode[]> {
  let index = byHostCache.get(topology);
  if (!index) {
    const m = new Map<string, ScmNode[]>();
    for (const n of allScmNodes(topology)) {
      const list = m.get(n.host);
      if (list) list.push(n);
      else m.set(n.host, [n]);
    }
    index = m;
    byHostCache.set(topology, index);
  }
  return index;
}

/** The SCM nodes placed on a host, in services order. */
export function scmNodesOnHost(topology: Topology, hostName: string): readonly ScmNode[] {
  return nodesByHost(topology).get(hostName) ?? [];
}

/**
 * True when the host gets a client ozone-site.xml of its own: it has an OM, datanode or client role and its
 * config directory is not already one of its SCM nodes' (an SCM's file carries every client key).
 */
export function needsClientConfig(topology: Topology, host: Host): boolean {
  if (!host.roles.some((r) => r.kind !== 'scm')) return false;
  return !scmNodesOnHost(topology, host.name).some((n) => n.directories.config === host.directories.config);
}

/** Hosts on one machine share ports and directories: every `local` host is this machine; SSH hosts are keyed by address. */
export function machineOf(host: Host): string {
  return host.transport.kind === 'local' ? 'local:' : `ssh:${host.address}`;
}

/** The Kerberos keytab apply puts on `host` (an SCM host the topology distributes one to): where, and from what. */
export function keytabOnHost(topology: Topology, hostName: string): { readonly path: string; readonly source: KeytabSource } | null {
  const k = topology.security.kerberos;
  const source = k?.keytabs?.[hostName];
  if (!k || !source || scmNodesOnHost(topology, hostName).length === 0) return null;
  return { path: k.keytab, source };
}
