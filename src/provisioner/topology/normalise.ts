/**
 * Schema-valid topology document → the normalised model (model.ts): defaults applied, references resolved
 * (node → host, primordial → node, defaultServiceId → service), inheritance applied (cluster → host → node).
 *
 * Reference problems are reported here (duplicate ids and host names, unknown hosts, a primordial that is not
 * a node, a default service that does not exist); the model is still built from what can be resolved so the
 * remaining rules can run, and the caller decides from the reporter whether it may be used. Provenance
 * records where each part came from, so rules on the model can point at the right token.
 *
 * Steps, in this order (the order of the diagnostics follows it): cluster defaults → hosts declared in
 * spec.hosts → each service (its nodes placed on hosts, their inherited settings, its primordial) → the
 * default service → each host (transport, roles) → the model with the cluster-wide settings.
 */
import { ANY_ADDRESS, DEFAULT_LISTEN, DEFAULT_RATIS_ENABLED, DEFAULT_RUNTIME, DEFAULT_SSH, DEFAULT_TIMEOUTS, DEFAULT_TRANSPORT } from './defaults.js';
import { didYouMean } from './did-you-mean.js';
import { BUILTIN_DIRECTORIES, resolveDirectories, type DeclaredDirectories } from './directories.js';
import { parseDuration } from './duration.js';
import { pointer } from './json-pointer.js';
import {
  API_VERSION,
  DECLARED_ROLES,
  DEFAULT_SCM_PORTS,
  DIRECTORY_NAMES,
  KIND,
  SCM_PORT_NAMES,
  type ClusterDefaults,
  type DirectoryName,
  type Host,
  type HostName,
  type HostRole,
  type NodeId,
  type OzoneProperty,
  type ScmNode,
  type ScmPortName,
  type ScmPorts,
  type ScmService,
  type ServiceId,
  type Runtime,
  type Timeouts,
  type Topology,
  type Transport,
} from './model.js';
import type { Reporter } from './reporter.js';
import { resolveSsh } from './ssh-settings.js';
import { versionFromTarballName } from './ozone-release.js';
import type { SpecHost, SpecPorts, SpecRuntime, TopologyDocument } from './spec-types.js';

/** Where the parts of a model came from in the document (JSON pointers). */
export interface Provenance {
  /** `/spec/services/i/nodes/j` of each node, keyed `sid/nid` */
  readonly nodes: ReadonlyMap<string, string>;
  /** `/spec/hosts/k` of declared hosts; absent for hosts only named by a node */
  readonly hosts: ReadonlyMap<string, string>;
  /** pointer of the value that decided a node's port, keyed `sid/nid/port` (the node's `host` when defaulted) */
  readonly ports: ReadonlyMap<string, string>;
  /** pointer of the most specific level declaring a node directory, keyed `sid/nid/dir` */
  readonly nodeDirectories: ReadonlyMap<string, string>;
}

export interface NormaliseResult {
  readonly topology: Topology;
  readonly provenance: Provenance;
}

export const nodeKey = (sid: string, nid: string): string => `${sid}/${nid}`;

function resolvePorts(parent: ScmPorts, declared: SpecPorts | undefined): ScmPorts {
  if (!declared) return parent;
  const out = {} as Record<ScmPortName, number>;
  for (const name of SCM_PORT_NAMES) out[name] = declared[name] ?? parent[name];
  return Object.freeze(out);
}

function resolveListen(listen: string, address: string): string {
  if (listen === 'any') return ANY_ADDRESS;
  if (listen === 'address') return address;
  return listen;
}

function timeouts(spec: TopologyDocument['spec']['timeouts']): Timeouts {
  const t = spec ?? {};
  const pick = (v: string | undefined, d: number): number => (v === undefined ? d : (parseDuration(v) ?? d));
  return {
    connectMs: pick(t.connect, DEFAULT_TIMEOUTS.connectMs),
    commandMs: pick(t.command, DEFAULT_TIMEOUTS.commandMs),
    scmStartMs: pick(t.scmStart, DEFAULT_TIMEOUTS.scmStartMs),
    scmInfoWaitMs: pick(t.scmInfoWait, DEFAULT_TIMEOUTS.scmInfoWaitMs),
  };
}

const DERIVED_DIRECTORIES: readonly DirectoryName[] = ['db', 'ratis', 'snapshot'];

/** The pointer of the most specific level that decided directory `d` (declared it, or moved it via metadata). */
function declaringPointer(levels: ReadonlyArray<{ declared: DeclaredDirectories | undefined; at: string }>, d: DirectoryName): string | undefined {
  for (const level of levels) {
    if (level.declared?.[d] !== undefined) return `${level.at}/${d}`;
    if (DERIVED_DIRECTORIES.includes(d) && level.declared?.metadata !== undefined) return `${level.at}/metadata`;
  }
  return undefined;
}

interface HostDraft {
  readonly name: string;
  readonly address: string;
  readonly spec: SpecHost | undefined;
  readonly pointer: string | undefined;
}

/** What the steps of one normalise run share: the document, the cluster defaults, hosts met so far, provenance. */
interface Run {
  readonly spec: TopologyDocument['spec'];
  readonly reporter: Reporter;
  readonly defaults: ClusterDefaults;
  /** hosts by name: those of spec.hosts, then those only named by a node (when spec.hosts is absent) */
  readonly drafts: Map<string, HostDraft>;
  readonly ratisEnabled: boolean;
  /** the SCM nodes placed on each host */
  readonly scmRoles: Map<string, HostRole[]>;
  readonly nodePointers: Map<string, string>;
  readonly hostPointers: Map<string, string>;
  readonly portPointers: Map<string, string>;
  readonly dirPointers: Map<string, string>;
}

/** Builds the model; reports reference problems. The caller decides from the reporter whether it is usable. */
export function normalise(doc: TopologyDocument, reporter: Reporter): NormaliseResult {
  const spec = doc.spec;
  const run: Run = {
    spec,
    reporter,
    defaults: clusterDefaults(spec),
    drafts: new Map(),
    ratisEnabled: spec.ratis?.enabled ?? DEFAULT_RATIS_ENABLED,
    scmRoles: new Map(),
    nodePointers: new Map(),
    hostPointers: new Map(),
    portPointers: new Map(),
    dirPointers: new Map(),
  };
  declareHosts(run);
  const seenServices = new Set<string>();
  const services: ScmService[] = [];
  spec.services.forEach((s, i) => {
    const sAt = pointer('spec', 'services', i);
    if (seenServices.has(s.serviceId)) {
      reporter.error(`${sAt}/serviceId`, 'TOPOLOGY_DUPLICATE_SERVICE_ID', `service "${s.serviceId}" is declared twice`, {
        hint: 'service ids must be unique (ozone.scm.service.ids)',
      });
      return;
    }
    seenServices.add(s.serviceId);
    const service = normaliseService(run, s, sAt);
    if (service) services.push(service);
  });
  const defaultServiceId = defaultService(run, services, seenServices);
  const hosts = [...run.drafts.values()].map((draft) => normaliseHost(run, draft));
  return {
    topology: assemble(doc, run, services, defaultServiceId, hosts),
    provenance: { nodes: run.nodePointers, hosts: run.hostPointers, ports: run.portPointers, nodeDirectories: run.dirPointers },
  };
}

/** The cluster level: spec values over the built-in defaults. */
function clusterDefaults(spec: TopologyDocument['spec']): ClusterDefaults {
  return {
    transport: spec.transport ?? DEFAULT_TRANSPORT,
    ssh: resolveSsh(DEFAULT_SSH, spec.ssh),
    listen: spec.listen ?? DEFAULT_LISTEN,
    directories: resolveDirectories(BUILTIN_DIRECTORIES, spec.directories),
    ports: resolvePorts(DEFAULT_SCM_PORTS, spec.ports),
  };
}

/** Hosts declared in spec.hosts; a name declared twice is reported and the later entry dropped. */
function declareHosts(run: Run): void {
  (run.spec.hosts ?? []).forEach((h, k) => {
    const at = pointer('spec', 'hosts', k);
    if (run.drafts.has(h.name)) {
      run.reporter.error(`${at}/name`, 'TOPOLOGY_DUPLICATE_HOST_NAME', `host "${h.name}" is declared twice in spec.hosts`, {
        hint: 'give each host a unique name (merge the two entries)',
      });
      return;
    }
    run.drafts.set(h.name, { name: h.name, address: h.address ?? h.name, spec: h, pointer: at });
    run.hostPointers.set(h.name, at);
  });
}

type SpecService = TopologyDocument['spec']['services'][number];
type SpecNode = SpecService['nodes'][number];

/** One service: its nodes, its primordial node; undefined when no node could be placed. */
function normaliseService(run: Run, s: SpecService, sAt: string): ScmService | undefined {
  const seenNodes = new Set<string>();
  const addressOwner = new Map<string, string>();
  const nodes: ScmNode[] = [];
  s.nodes.forEach((n, j) => {
    const nAt = `${sAt}/nodes/${j}`;
    if (seenNodes.has(n.nodeId)) {
      run.reporter.error(`${nAt}/nodeId`, 'TOPOLOGY_DUPLICATE_NODE_ID', `node id "${n.nodeId}" appears twice in service "${s.serviceId}"`, {
        hint: `node ids must be unique within a service (ozone.scm.nodes.${s.serviceId})`,
      });
      return;
    }
    seenNodes.add(n.nodeId);
    const draft = hostOf(run, n, nAt);
    if (!draft) return;
    const other = addressOwner.get(draft.address);
    if (other !== undefined) {
      run.reporter.error(`${nAt}/host`, 'TOPOLOGY_DUPLICATE_HOST', `nodes "${other}" and "${n.nodeId}" of service "${s.serviceId}" are on the same host (${draft.address})`, {
        hint: 'put each node of a service on its own host: the nodes of one Raft ring must fail independently',
      });
    } else addressOwner.set(draft.address, n.nodeId);
    nodes.push(normaliseNode(run, s.serviceId as ServiceId, n, nAt, draft));
  });
  if (nodes.length === 0) return undefined;

  const primordialId = primordialOf(run, s, sAt, nodes);
  if (!run.ratisEnabled && nodes.length > 1) {
    run.reporter.error(`${sAt}/nodes`, 'TOPOLOGY_RATIS_DISABLED_MULTI_NODE', `service "${s.serviceId}" has ${nodes.length} nodes but spec.ratis.enabled is false`, {
      detail: 'Without Ratis an SCM is standalone and not replicated; more nodes would be independent clusters.',
      hint: 'set spec.ratis.enabled: true, or keep one node per service',
    });
  }
  return {
    serviceId: s.serviceId as ServiceId,
    nodes: nodes.map((n) => (n.nodeId === primordialId ? { ...n, primordial: true } : n)),
    primordial: { nodeId: primordialId, given: s.primordial ?? nodes[0]!.nodeId },
  };
}

/** The host a node is placed on: a declared one, or (without spec.hosts) one named by its address. */
function hostOf(run: Run, n: SpecNode, nAt: string): HostDraft | undefined {
  const draft = run.drafts.get(n.host);
  if (draft) return draft;
  if (run.spec.hosts !== undefined) {
    const suggestion = didYouMean(n.host, run.drafts.keys());
    run.reporter.error(`${nAt}/host`, 'TOPOLOGY_UNKNOWN_HOST', `node "${n.nodeId}" is placed on host "${n.host}", which spec.hosts does not declare`, {
      hint: suggestion ? `did you mean "${suggestion}"?` : 'add the host to spec.hosts, or remove spec.hosts to name hosts by address',
    });
    return undefined;
  }
  const named: HostDraft = { name: n.host, address: n.host, spec: undefined, pointer: undefined };
  run.drafts.set(n.host, named);
  return named;
}

/** One node with inheritance applied (cluster → host → node) and the provenance of its ports and directories. */
function normaliseNode(run: Run, sid: ServiceId, n: SpecNode, nAt: string, draft: HostDraft): ScmNode {
  const { spec, defaults } = run;
  const key = nodeKey(sid, n.nodeId);
  run.nodePointers.set(key, nAt);
  const hostDirectories = resolveDirectories(defaults.directories, draft.spec?.directories);
  const directories = resolveDirectories(hostDirectories, n.directories);
  const levels = [
    { declared: n.directories, at: `${nAt}/directories` },
    { declared: draft.spec?.directories, at: `${draft.pointer ?? ''}/directories` },
    { declared: spec.directories, at: '/spec/directories' },
  ];
  for (const d of DIRECTORY_NAMES) run.dirPointers.set(`${key}/${d}`, declaringPointer(levels, d) ?? `${nAt}/host`);
  const ports = resolvePorts(defaults.ports, n.ports);
  const explicitPorts = SCM_PORT_NAMES.filter((p) => n.ports?.[p] !== undefined);
  for (const p of SCM_PORT_NAMES) {
    run.portPointers.set(
      `${key}/${p}`,
      n.ports?.[p] !== undefined ? `${nAt}/ports/${p}` : spec.ports?.[p] !== undefined ? `/spec/ports/${p}` : `${nAt}/host`,
    );
  }
  const listen = draft.spec?.listen ?? defaults.listen;
  const roles = run.scmRoles.get(draft.name) ?? [];
  roles.push({ kind: 'scm', serviceId: sid, nodeId: n.nodeId as NodeId });
  run.scmRoles.set(draft.name, roles);
  return {
    serviceId: sid,
    nodeId: n.nodeId as NodeId,
    host: draft.name as HostName,
    address: draft.address,
    ports,
    explicitPorts,
    bindHost: resolveListen(listen, draft.address),
    directories,
    primordial: false,
  };
}

/** Primordial: a node id, or a node's address (Ozone compares with the configured host string); else the first node. */
function primordialOf(run: Run, s: SpecService, sAt: string, nodes: readonly ScmNode[]): NodeId {
  const first = nodes[0]!.nodeId;
  if (s.primordial === undefined) return first;
  const match = nodes.find((n) => n.nodeId === s.primordial) ?? nodes.find((n) => n.address === s.primordial);
  if (match) return match.nodeId;
  const byLabel = nodes.find((n) => n.host === s.primordial);
  const suggestion = didYouMean(s.primordial, nodes.flatMap((n) => [n.nodeId, n.address]));
  run.reporter.error(`${sAt}/primordial`, 'TOPOLOGY_PRIMORDIAL_NOT_A_NODE', `primordial "${s.primordial}" is not a node of service "${s.serviceId}"`, {
    detail: `nodes: ${nodes.map((n) => `${n.nodeId} (${n.address})`).join(', ')}`,
    hint: byLabel
      ? `Ozone matches the node id or the node's address: use "${byLabel.nodeId}"`
      : suggestion
        ? `did you mean "${suggestion}"?`
        : `use one of the node ids: ${nodes.map((n) => n.nodeId).join(', ')}`,
  });
  return first;
}

/** spec.defaultServiceId when it names a service; else the first service (required with several). */
function defaultService(run: Run, services: readonly ScmService[], seenServices: ReadonlySet<string>): ServiceId {
  const { spec, reporter } = run;
  if (spec.defaultServiceId !== undefined) {
    if (seenServices.has(spec.defaultServiceId)) return spec.defaultServiceId as ServiceId;
    const suggestion = didYouMean(spec.defaultServiceId, seenServices);
    reporter.error('/spec/defaultServiceId', 'TOPOLOGY_DEFAULT_SERVICE_UNKNOWN', `defaultServiceId "${spec.defaultServiceId}" is not one of the services`, {
      hint: suggestion ? `did you mean "${suggestion}"?` : `use one of: ${[...seenServices].join(', ')}`,
    });
  } else if (seenServices.size > 1) {
    reporter.error('/spec/services', 'TOPOLOGY_DEFAULT_SERVICE_REQUIRED', `spec.defaultServiceId is required with ${seenServices.size} services`, {
      detail: 'OM, datanode and client hosts find their SCM service through ozone.scm.default.service.id; Ozone clients fail without it.',
      hint: `add defaultServiceId: ${[...seenServices][0]!}`,
      at: 'key',
    });
  }
  return services[0]?.serviceId ?? ('' as ServiceId);
}

/** One host (in declared order, then first appearance): transport, roles, directories. */
function normaliseHost(run: Run, draft: HostDraft): Host {
  const { defaults, reporter } = run;
  const transportKind = draft.spec?.transport ?? defaults.transport;
  if (transportKind === 'local' && draft.spec?.ssh !== undefined) {
    reporter.warning(`${draft.pointer}/ssh`, 'TOPOLOGY_SSH_IGNORED', `host "${draft.name}" uses transport local, so its ssh settings are ignored`, {
      hint: 'remove ssh: from this host, or set transport: ssh',
      at: 'key',
    });
  }
  const transport: Transport = transportKind === 'local' ? { kind: 'local' } : { kind: 'ssh', ssh: resolveSsh(defaults.ssh, draft.spec?.ssh) };
  const declared = DECLARED_ROLES.filter((r) => draft.spec?.roles?.includes(r)).map((kind) => ({ kind }));
  const roles: HostRole[] = [...(run.scmRoles.get(draft.name) ?? []), ...declared];
  if (roles.length === 0 && draft.pointer !== undefined) {
    reporter.warning(`${draft.pointer}/name`, 'TOPOLOGY_HOST_WITHOUT_ROLE', `host "${draft.name}" has no SCM node and no roles, so nothing is rendered for it`, {
      hint: 'add roles: [om | datanode | client], place an SCM node on it, or remove it',
    });
  }
  return {
    name: draft.name as HostName,
    address: draft.address,
    transport,
    roles,
    directories: resolveDirectories(defaults.directories, draft.spec?.directories),
  };
}

/** The model from its parts and the cluster-wide settings (properties sorted by name). */
function assemble(doc: TopologyDocument, run: Run, services: ScmService[], defaultServiceId: ServiceId, hosts: Host[]): Topology {
  const spec = doc.spec;
  const properties: OzoneProperty[] = Object.entries(spec.properties ?? {})
    .map(([name, value]) => ({ name, value: String(value) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const kerberos = spec.security?.kerberos;
  const runtimeUser = spec.runtime?.user;
  const runtimeGroup = spec.runtime?.group;
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    name: doc.metadata?.name ?? defaultServiceId,
    services,
    defaultServiceId,
    hosts,
    ratis: { enabled: run.ratisEnabled },
    security: {
      enabled: spec.security?.enabled ?? false,
      tls: spec.security?.tls ?? false,
      ...(kerberos
        ? {
            kerberos: {
              principal: kerberos.principal,
              keytab: kerberos.keytab,
              ...(kerberos.keytabs ? { keytabs: Object.fromEntries(kerberos.keytabs.map((k) => [k.host, { source: k.file }])) } : {}),
            },
          }
        : {}),
    },
    properties,
    timeouts: timeouts(spec.timeouts),
    runtime: {
      kind: spec.runtime?.kind ?? DEFAULT_RUNTIME.kind,
      node: spec.runtime?.node ?? DEFAULT_RUNTIME.node,
      ...(runtimeUser === undefined ? {} : { user: runtimeUser }),
      ...(runtimeGroup === undefined ? {} : { group: runtimeGroup }),
      ...releaseRuntime(spec.runtime),
    },
    defaults: run.defaults,
  };
}

/** `runtime.ozone`, `runtime.java`, heap and JVM options as the model keeps them (the rules judge them) */
function releaseRuntime(r: SpecRuntime | undefined): Pick<Runtime, 'ozone' | 'java' | 'heap' | 'jvmOptions'> {
  if (!r) return {};
  const o = r.ozone;
  const j = r.java;
  return {
    ...(o ? { ozone: { tarball: o.tarball, ...(o.sha256 ? { sha256: o.sha256.toLowerCase() } : {}), ...(o.sha512 ? { sha512: o.sha512.toLowerCase() } : {}), version: o.version ?? versionFromTarballName(o.tarball) } } : {}),
    ...(j?.home !== undefined ? { java: { home: j.home } } : j?.tarball !== undefined ? { java: { tarball: j.tarball, ...(j.sha256 ? { sha256: j.sha256.toLowerCase() } : {}) } } : {}),
    ...(r.heap !== undefined ? { heap: r.heap } : {}),
    ...(r.jvmOptions !== undefined ? { jvmOptions: r.jvmOptions } : {}),
  };
}
