/**
 * `--add-nodes scm2=HOST2,scm3=HOST3`: the target topology of a migration, as an edit of the operator's
 * YAML that keeps its comments and layout: the nodes are appended to the service (HOST is a `hosts[].name`,
 * or an address, as a node's `host` always is), `spec.ratis.enabled` becomes true, and the existing node is
 * made the primordial node unless the file already says so. Adding a node that is already there on the same
 * host changes nothing, so a re-run with the same option is a no-op.
 */
import type { ScmService, Topology } from '../topology/model.js';
import { editYaml, type YamlEditor } from '../topology/yaml-adapter.js';
import { MigrateError } from './migrate-error.js';

export interface NodeToAdd {
  readonly nodeId: string;
  readonly host: string;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
const HOST = /^[A-Za-z0-9_.:[\]-]{1,253}$/;

export function parseAddNodes(value: string): NodeToAdd[] {
  const items = value
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
  if (items.length === 0) throw new MigrateError('MIGRATE_BAD_ADD_NODES', '--add-nodes is empty', { hint: 'e.g. --add-nodes scm2=host2.example.com,scm3=host3.example.com' });
  const out: NodeToAdd[] = [];
  for (const item of items) {
    const m = /^([^=]+)=(.+)$/.exec(item);
    const nodeId = m?.[1]!.trim() ?? '';
    const host = m?.[2]!.trim() ?? '';
    if (!m || !ID.test(nodeId) || !HOST.test(host)) {
      throw new MigrateError('MIGRATE_BAD_ADD_NODES', `--add-nodes: "${item}" is not NODE_ID=HOST`, {
        hint: 'node ids are letters, digits, - and _; HOST is a hosts[].name of the topology or an address, e.g. scm2=10.0.0.12',
      });
    }
    if (out.some((o) => o.nodeId === nodeId)) throw new MigrateError('MIGRATE_BAD_ADD_NODES', `--add-nodes names ${nodeId} twice`);
    if (out.some((o) => o.host === host)) throw new MigrateError('MIGRATE_BAD_ADD_NODES', `--add-nodes puts two nodes on ${host}`, { hint: 'one SCM of a service per host' });
    out.push({ nodeId, host });
  }
  return out;
}

/** The service that grows: --service-id, else the only one. */
export function pickService(topology: Topology, serviceId: string | undefined): ScmService {
  if (serviceId !== undefined) {
    const s = topology.services.find((x) => x.serviceId === serviceId);
    if (!s) {
      throw new MigrateError('MIGRATE_SERVICE_UNKNOWN', `the topology has no service ${serviceId}`, { hint: `services: ${topology.services.map((x) => x.serviceId).join(', ')}` });
    }
    return s;
  }
  if (topology.services.length > 1) {
    throw new MigrateError('MIGRATE_SERVICE_UNKNOWN', `the topology has ${topology.services.length} services; say which one grows`, {
      hint: `--service-id ${topology.services.map((x) => x.serviceId).join(' | ')}`,
    });
  }
  return topology.services[0]!;
}

export interface ExtendedTopology {
  readonly text: string;
  readonly changed: boolean;
}

/**
 * Applies --add-nodes to the YAML `text` whose loaded model is `topology`. Refuses a node id already used
 * on another host, and a host that already carries a node of the service.
 */
export function extendTopology(text: string, topology: Topology, service: ScmService, add: readonly NodeToAdd[]): ExtendedTopology {
  const hostOf = (name: string): string => topology.hosts.find((h) => h.name === name || h.address === name)?.name ?? name;
  const fresh: NodeToAdd[] = [];
  for (const a of add) {
    const existing = service.nodes.find((n) => n.nodeId === a.nodeId);
    if (existing) {
      if (existing.host === hostOf(a.host)) continue;
      throw new MigrateError('MIGRATE_BAD_ADD_NODES', `${a.nodeId} is already in service ${service.serviceId}, on ${existing.host}, not ${a.host}`, {
        hint: 'pick another node id; moving an SCM to another host is not a migration',
      });
    }
    const taken = service.nodes.find((n) => n.host === hostOf(a.host));
    if (taken) throw new MigrateError('MIGRATE_BAD_ADD_NODES', `${a.host} already carries ${taken.nodeId} of service ${service.serviceId}`, { hint: 'one SCM of a service per host' });
    fresh.push({ nodeId: a.nodeId, host: hostOf(a.host) });
  }
  const primordial = service.nodes.length === 1 ? service.nodes[0]!.nodeId : service.primordial.nodeId;
  const needsRatis = !topology.ratis.enabled;
  if (fresh.length === 0 && !needsRatis) return { text, changed: false };
  let failure: MigrateError | null = null;
  const out = editYaml(text, (e: YamlEditor) => {
    const services = e.get(['spec', 'services']);
    const index = Array.isArray(services) ? services.findIndex((s) => (s as { serviceId?: unknown }).serviceId === service.serviceId) : -1;
    if (index < 0) {
      failure = new MigrateError('MIGRATE_BAD_ADD_NODES', `cannot find service ${service.serviceId} under spec.services in the file`, {
        hint: 'add the nodes to the topology by hand and run migrate without --add-nodes',
      });
      return;
    }
    for (const a of fresh) e.append(['spec', 'services', index, 'nodes'], { nodeId: a.nodeId, host: a.host });
    // a host the file does not declare yet is declared (the topology requires it once spec.hosts exists)
    const declared = e.get(['spec', 'hosts']);
    if (Array.isArray(declared)) {
      for (const a of fresh) {
        if (!declared.some((h) => (h as { name?: unknown }).name === a.host)) e.append(['spec', 'hosts'], { name: a.host, address: a.host });
      }
    }
    if (service.primordial.nodeId !== primordial || e.get(['spec', 'services', index, 'primordial']) === undefined) e.set(['spec', 'services', index, 'primordial'], primordial);
    if (needsRatis) e.set(['spec', 'ratis', 'enabled'], true);
  });
  if (failure) throw failure;
  if (out === null) throw new MigrateError('MIGRATE_NEEDS_YAML', 'the topology file does not parse as YAML', { hint: 'run `scmctl validate FILE`' });
  return { text: out, changed: out !== text };
}
