/**
 * TOPOLOGY_PORT_COLLISION: two listeners on one machine with one port, where they would really clash: same
 * bind address, or either binds 0.0.0.0. A machine is a host address for SSH hosts, and this machine for all
 * `local` hosts (so three local SCMs on 127.0.0.1–3 with default ports need `listen: address`). The
 * well-known default ports of an OM or datanode on the same host count too.
 */
import { ANY_ADDRESS } from '../defaults.js';
import { nodeKey } from '../normalise.js';
import { machineOf } from '../queries.js';
import type { Rule } from './rule.js';

interface Endpoint {
  readonly bind: string;
  readonly port: number;
  readonly owner: string;
  /** where to report when this endpoint is the second one; undefined = not declared in the file */
  readonly pointer: string | undefined;
}

/** Default listener ports of roles scmctl does not configure (ozone-default.xml). */
const ROLE_PORTS: Readonly<Record<'om' | 'datanode', ReadonlyArray<readonly [number, string]>>> = {
  om: [
    [9862, 'OM RPC (ozone.om.address)'],
    [9872, 'OM Ratis (ozone.om.ratis.port)'],
    [9874, 'OM HTTP (ozone.om.http-address)'],
    [9875, 'OM HTTPS (ozone.om.https-address)'],
  ],
  datanode: [
    [9855, 'datanode Ratis datastream (hdds.container.ratis.datastream.port)'],
    [9856, 'datanode Ratis server (hdds.container.ratis.server.port)'],
    [9857, 'datanode Ratis admin (hdds.container.ratis.admin.port)'],
    [9858, 'datanode Ratis IPC (hdds.container.ratis.ipc.port)'],
    [9859, 'datanode IPC (hdds.container.ipc.port)'],
    [9882, 'datanode HTTP (hdds.datanode.http-address)'],
    [9883, 'datanode HTTPS (hdds.datanode.https-address)'],
  ],
};

function clash(a: Endpoint, b: Endpoint): boolean {
  return a.port === b.port && (a.bind === b.bind || a.bind === ANY_ADDRESS || b.bind === ANY_ADDRESS);
}

export const portCollisions: Rule = ({ topology, provenance, reporter }) => {
  const byMachine = new Map<string, Map<number, Endpoint[]>>();
  // One diagnostic per pair of owners, listing every shared port, at the most specific declaration.
  const clashes = new Map<string, { owner: string; other: string; ports: number[]; binds: string[]; pointers: string[] }>();
  const add = (machine: string, e: Endpoint): void => {
    let ports = byMachine.get(machine);
    if (!ports) byMachine.set(machine, (ports = new Map()));
    const list = ports.get(e.port) ?? [];
    const other = list.find((x) => clash(x, e));
    if (other && e.pointer !== undefined) {
      const key = `${e.owner}\u0000${other.owner}`;
      const c = clashes.get(key) ?? { owner: e.owner, other: other.owner, ports: [], binds: [], pointers: [] };
      if (!c.ports.includes(e.port)) c.ports.push(e.port);
      c.binds.push(`${e.bind}:${e.port} / ${other.bind}:${other.port}`);
      c.pointers.push(e.pointer);
      clashes.set(key, c);
    }
    list.push(e);
    ports.set(e.port, list);
  };
  const hostsByName = new Map(topology.hosts.map((h) => [h.name as string, h]));
  // Only machines with an SCM can have a collision scmctl reports (the other listeners are not declared).
  const scmMachines = new Set(topology.hosts.filter((h) => h.roles.some((r) => r.kind === 'scm')).map(machineOf));
  for (const host of topology.hosts) {
    if (!scmMachines.has(machineOf(host))) continue;
    for (const role of host.roles) {
      if (role.kind !== 'om' && role.kind !== 'datanode') continue;
      for (const [port, what] of ROLE_PORTS[role.kind]) {
        add(machineOf(host), { bind: ANY_ADDRESS, port, owner: `${what} on ${host.name}`, pointer: undefined });
      }
    }
  }
  for (const service of topology.services) {
    for (const node of service.nodes) {
      const host = hostsByName.get(node.host);
      if (!host) continue;
      const key = nodeKey(service.serviceId, node.nodeId);
      for (const [name, port] of Object.entries(node.ports)) {
        add(machineOf(host), {
          bind: node.bindHost,
          port,
          owner: `SCM ${service.serviceId}/${node.nodeId}`,
          pointer: provenance.ports.get(`${key}/${name}`),
        });
      }
    }
  }
  for (const c of clashes.values()) {
    const explicit = c.pointers.find((p) => p.includes('/ports/')) ?? c.pointers[0]!;
    const self = c.owner === c.other;
    reporter.error(
      explicit,
      'TOPOLOGY_PORT_COLLISION',
      self
        ? `${c.owner} uses port ${c.ports.join(', ')} for two of its listeners`
        : `${c.owner} and ${c.other} both listen on port${c.ports.length > 1 ? 's' : ''} ${c.ports.join(', ')} of one machine`,
      {
        detail: `binds: ${c.binds.join('; ')}`,
        hint: self
          ? 'give each listener its own port (nodes[].ports)'
          : 'give one of them other ports (nodes[].ports), or, when their addresses differ, bind each to its own (listen: address)',
      },
    );
  }
};
