/**
 * ozone-site.xml import: maps Ozone's keys (docs/ozone-scm-ha.md §1, §7) and scmctl's own `scmctl.*` keys onto a
 * topology document of the same shape as a YAML file, with every value located at the `<property>` it came
 * from. The loader then validates that document exactly as it validates YAML (schema, normalise, rules), so
 * both inputs give one model and one set of diagnostics.
 *
 * Mapping (reverse of the renderer): service ids, default service, nodes, addresses (hosts), per-node and
 * cluster ports, bind hosts (listen), primordial, ratis, metadata/db/ratis/snapshot directories (a per-node
 * `ozone.scm.db.dirs.<sid>.<nid>` too), security and Kerberos, `ozone.scm.info.wait.duration`. Everything
 * else becomes an extra property, except mistyped SCM keys (scm-key-check.ts), which are errors.
 * Hadoop `${…}` substitutions in values are kept as written.
 */
import { didYouMean } from './did-you-mean.js';
import { formatDuration } from './duration.js';
import { pointer } from './json-pointer.js';
import { LocatedDocument, type Located } from './located-document.js';
import { API_VERSION, KIND, SCM_PORT_NAMES } from './model.js';
import { BIND_HOST_KEYS, KEY, PORT_KEYS, PROTOCOL_ADDRESS_KEYS, isManagedKey, parseHadoopDurationMs } from './ozone-keys.js';
import type { Reporter } from './reporter.js';
import { checkScmKey } from './scm-key-check.js';
import {
  SCMCTL_HOST_PREFIX,
  SCMCTL_KEY_NAMES,
  SCMCTL_NODE_PREFIX,
  SCMCTL_PREFIX,
  SCMCTL_PRIMORDIAL_PREFIX,
  SCMCTL_SCALARS,
} from './scmctl-keys.js';
import type { SourceText, Span } from './source-text.js';
import { parseHadoopXml, type XmlProperty } from './xml-adapter.js';

const LEGACY_SERVICE_ID = 'scmservice';

type Json = Record<string, unknown>;

/** Sets an own property even for names like `__proto__` (which plain assignment would swallow). */
function setOwn(target: Json, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** `host`, `host:port`, `[v6]:port` → parts (port undefined when absent). */
function splitHostPort(value: string): { host: string; port: string | undefined } {
  const v6 = /^\[([^\]]+)\](?::(.*))?$/.exec(value);
  if (v6) return { host: v6[1]!, port: v6[2] };
  const i = value.lastIndexOf(':');
  if (i > 0 && value.indexOf(':') === i) return { host: value.slice(0, i), port: value.slice(i + 1) };
  return { host: value, port: undefined };
}

/** A port as the schema wants it: an integer when it is one, else the text (so the schema reports it). */
function portValue(raw: string): number | string {
  return /^\d{1,5}$/.test(raw) ? Number(raw) : raw;
}

function boolValue(raw: string): boolean | string {
  const v = raw.toLowerCase();
  return v === 'true' ? true : v === 'false' ? false : raw;
}

class Importer {
  readonly props = new Map<string, XmlProperty>();
  readonly consumed = new Set<string>();
  readonly spans = new Map<string, Located>();
  readonly source: SourceText;
  readonly reporter: Reporter;
  rootSpan: Span = { start: 0, end: 0 };

  constructor(source: SourceText, reporter: Reporter) {
    this.source = source;
    this.reporter = reporter;
  }

  take(name: string): XmlProperty | undefined {
    const p = this.props.get(name);
    if (p) this.consumed.add(name);
    return p;
  }

  /** Records that the value at `ptr` came from `prop` (first writer wins). */
  locate(ptr: string, prop: XmlProperty | undefined): void {
    if (!prop || this.spans.has(ptr)) return;
    this.spans.set(ptr, { key: prop.nameSpan, value: prop.valueSpan });
  }

  error(prop: XmlProperty | undefined, code: Parameters<Reporter['atSpan']>[2], summary: string, hint?: string, on: 'name' | 'value' = 'value'): void {
    const span = prop ? (on === 'name' ? prop.nameSpan : prop.valueSpan) : this.rootSpan;
    this.reporter.atSpan(span, 'error', code, summary, hint === undefined ? {} : { hint });
  }

  warn(prop: XmlProperty | undefined, code: Parameters<Reporter['atSpan']>[2], summary: string, hint?: string, on: 'name' | 'value' = 'value'): void {
    const span = prop ? (on === 'name' ? prop.nameSpan : prop.valueSpan) : this.rootSpan;
    this.reporter.atSpan(span, 'warning', code, summary, hint === undefined ? {} : { hint });
  }

  json(prop: XmlProperty): Json | undefined {
    try {
      const v: unknown = JSON.parse(prop.value);
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Json;
    } catch {
      // reported below
    }
    this.error(prop, 'TOPOLOGY_XML_INVALID_VALUE', `${prop.name} must hold a JSON object`, 'the value is JSON in the shape of the YAML entry, e.g. {"address":"10.0.0.1"}');
    return undefined;
  }
}

/** Builds the topology document from an ozone-site.xml; undefined when the file cannot be read as one. */
export function importOzoneSite(source: SourceText, reporter: Reporter): LocatedDocument | undefined {
  const parsed = parseHadoopXml(source.text);
  for (const p of parsed.problems) {
    reporter.atSpan(p.span, p.severity, p.kind === 'syntax' ? 'TOPOLOGY_XML_SYNTAX' : 'TOPOLOGY_XML_STRUCTURE', p.kind === 'syntax' ? `malformed XML: ${p.message}` : p.message, {
      hint: p.kind === 'syntax' ? 'fix the XML at this position (every tag closed, in order; & written as &amp;)' : 'a Hadoop configuration is <configuration> with <property><name>…</name><value>…</value></property> elements',
    });
  }
  if (parsed.problems.some((p) => p.severity === 'error')) return undefined;

  const im = new Importer(source, reporter);
  const rootAt = source.text.indexOf('<configuration');
  im.rootSpan = rootAt >= 0 ? { start: rootAt, end: rootAt + '<configuration'.length } : { start: 0, end: 0 };
  for (const p of parsed.properties) {
    const earlier = im.props.get(p.name);
    if (earlier) {
      im.warn(p, 'TOPOLOGY_XML_DUPLICATE_PROPERTY', `property "${p.name}" is set twice; the last one wins, as in Hadoop`, 'remove the earlier definition', 'name');
    }
    im.props.set(p.name, p);
  }

  const spec: Json = {};
  const doc: Json = { apiVersion: API_VERSION, kind: KIND, spec };

  // scmctl.* first: they may name hosts and carry per-node settings the Ozone keys refer to.
  const scalars = new Map<string, XmlProperty>();
  const hostJson = new Map<string, { prop: XmlProperty; value: Json }>();
  const nodeJson = new Map<string, { prop: XmlProperty; value: Json }>();
  const primordials = new Map<string, XmlProperty>();
  const knownScalars = new Set<string>(Object.values(SCMCTL_SCALARS));
  for (const [name, prop] of im.props) {
    if (!name.startsWith(SCMCTL_PREFIX)) continue;
    im.consumed.add(name);
    if (knownScalars.has(name)) scalars.set(name, prop);
    else if (name.startsWith(SCMCTL_HOST_PREFIX) && name.length > SCMCTL_HOST_PREFIX.length) {
      const v = im.json(prop);
      if (v) hostJson.set(name.slice(SCMCTL_HOST_PREFIX.length), { prop, value: v });
    } else if (name.startsWith(SCMCTL_NODE_PREFIX) && name.slice(SCMCTL_NODE_PREFIX.length).split('.').length === 2) {
      const v = im.json(prop);
      if (v) nodeJson.set(name.slice(SCMCTL_NODE_PREFIX.length).replace('.', '/'), { prop, value: v });
    } else if (name.startsWith(SCMCTL_PRIMORDIAL_PREFIX) && name.length > SCMCTL_PRIMORDIAL_PREFIX.length) {
      primordials.set(name.slice(SCMCTL_PRIMORDIAL_PREFIX.length), prop);
    } else {
      const s = didYouMean(name, SCMCTL_KEY_NAMES, 4);
      im.error(prop, 'TOPOLOGY_XML_UNKNOWN_SCMCTL_KEY', `"${name}" is not an scmctl setting`, s ? `did you mean "${s}"?` : `scmctl keys: ${SCMCTL_KEY_NAMES.join(', ')}`, 'name');
    }
  }
  const scalar = (name: string, target: Json, field: string, ptr: string): void => {
    const p = scalars.get(name);
    if (!p) return;
    target[field] = p.value;
    im.locate(ptr, p);
  };
  const nameProp = scalars.get(SCMCTL_SCALARS.name);
  if (nameProp) {
    doc['metadata'] = { name: nameProp.value };
    im.locate('/metadata/name', nameProp);
  }
  scalar(SCMCTL_SCALARS.transport, spec, 'transport', '/spec/transport');
  scalar(SCMCTL_SCALARS.listen, spec, 'listen', '/spec/listen');
  const sshProp = scalars.get(SCMCTL_SCALARS.ssh);
  if (sshProp) {
    const v = im.json(sshProp);
    if (v) {
      spec['ssh'] = v;
      im.locate('/spec/ssh', sshProp);
    }
  }

  // Services and nodes.
  let legacy = false;
  let serviceIds: string[] = [];
  const idsProp = im.take(KEY.serviceIds);
  if (idsProp) {
    serviceIds = splitList(idsProp.value);
    if (serviceIds.length === 0) im.error(idsProp, 'TOPOLOGY_XML_MISSING_KEY', `${KEY.serviceIds} is empty`, 'list the SCM service ids, e.g. scmservice');
  } else {
    const names = im.take(KEY.names);
    if (names && splitList(names.value).length > 0) {
      legacy = true;
      serviceIds = [LEGACY_SERVICE_ID];
      im.warn(names, 'TOPOLOGY_XML_LEGACY_NAMES', `no ${KEY.serviceIds}: importing the legacy non-HA ${KEY.names} as service "${LEGACY_SERVICE_ID}"`, 'scmctl names the nodes scm1, scm2, …; ports in the list are ignored');
    } else {
      im.error(undefined, 'TOPOLOGY_XML_NO_SERVICE', `the file sets neither ${KEY.serviceIds} nor ${KEY.names}: it describes no SCM`, `add ${KEY.serviceIds} and ${KEY.nodes}.<serviceId>, ${KEY.address}.<serviceId>.<nodeId>`);
      return undefined;
    }
  }

  interface HostEntry {
    json: Json;
    prop: XmlProperty | undefined;
  }
  const hosts = new Map<string, HostEntry>();
  const hostOrder: string[] = [];
  const hostsListProp = scalars.get(SCMCTL_SCALARS.hosts);
  const ensureHost = (name: string, prop: XmlProperty | undefined): HostEntry => {
    let h = hosts.get(name);
    if (!h) {
      const j = hostJson.get(name);
      h = { json: { name, ...(j ? Object.fromEntries(Object.entries(j.value).filter(([k]) => k !== 'name')) : {}) }, prop: j?.prop ?? prop };
      hosts.set(name, h);
      hostOrder.push(name);
    }
    return h;
  };
  if (hostsListProp) for (const name of splitList(hostsListProp.value)) ensureHost(name, hostsListProp);

  const services: Json[] = [];
  const serviceNodes = new Map<string, string[]>();
  serviceIds.forEach((sid, i) => {
    const sAt = pointer('spec', 'services', i);
    const nodes: Json[] = [];
    const service: Json = { serviceId: sid, nodes };
    services.push(service);
    im.locate(`${sAt}/serviceId`, idsProp);
    const entries: Array<{ nid: string; address: string; addressProp: XmlProperty; port?: string }> = [];
    if (legacy) {
      const names = im.props.get(KEY.names)!;
      splitList(names.value).forEach((entry, k) => {
        entries.push({ nid: `scm${k + 1}`, address: splitHostPort(entry).host, addressProp: names });
      });
      im.locate(sAt, names);
      im.locate(`${sAt}/nodes`, names);
    } else {
      const nodesProp = im.take(`${KEY.nodes}.${sid}`);
      if (!nodesProp) {
        im.error(idsProp, 'TOPOLOGY_XML_MISSING_KEY', `service "${sid}" has no ${KEY.nodes}.${sid}`, `add ${KEY.nodes}.${sid} with its node ids, e.g. scm1,scm2,scm3`);
        return;
      }
      im.locate(sAt, nodesProp);
      im.locate(`${sAt}/nodes`, nodesProp);
      const nids = splitList(nodesProp.value);
      if (nids.length === 0) im.error(nodesProp, 'TOPOLOGY_XML_MISSING_KEY', `${KEY.nodes}.${sid} lists no node ids`, 'list the node ids, e.g. scm1,scm2,scm3');
      for (const nid of nids) {
        const addrProp = im.take(`${KEY.address}.${sid}.${nid}`);
        if (!addrProp) {
          im.error(nodesProp, 'TOPOLOGY_XML_MISSING_KEY', `node "${nid}" of service "${sid}" has no ${KEY.address}.${sid}.${nid}`, `add ${KEY.address}.${sid}.${nid} with the node's hostname`);
          continue;
        }
        const { host, port } = splitHostPort(addrProp.value);
        if (host === '') {
          im.error(addrProp, 'TOPOLOGY_XML_MISSING_KEY', `${addrProp.name} is empty`, "set it to the node's hostname");
          continue;
        }
        entries.push({ nid, address: host, addressProp: addrProp, ...(port === undefined ? {} : { port }) });
      }
    }
    serviceNodes.set(sid, entries.map((e) => e.nid));
    entries.forEach((e, j) => {
      const nAt = `${sAt}/nodes/${j}`;
      const extra = nodeJson.get(`${sid}/${e.nid}`);
      const label = typeof extra?.value['host'] === 'string' ? extra.value['host'] : e.address;
      const node: Json = { nodeId: e.nid, host: label };
      im.locate(nAt, e.addressProp);
      im.locate(`${nAt}/nodeId`, e.addressProp);
      im.locate(`${nAt}/host`, e.addressProp);
      const host = ensureHost(label, e.addressProp);
      const declared = host.json['address'];
      if (declared !== undefined && declared !== e.address) {
        im.error(e.addressProp, 'TOPOLOGY_XML_INVALID_VALUE', `${e.addressProp.name} is ${e.address}, but scmctl.host.${label} says address ${String(declared)}`, 'make the two agree');
      } else if (label !== e.address) host.json['address'] = e.address;
      if (host.prop === undefined) host.prop = e.addressProp;

      // Ports: <portKey>.<sid>.<nid>; the deprecated port inside an address key counts when no port key is set.
      const ports: Json = {};
      for (const name of SCM_PORT_NAMES) {
        const pk = PORT_KEYS[name];
        const prop = im.take(`${pk.key}.${sid}.${e.nid}`);
        if (prop) {
          ports[name] = pk.form === 'port' ? portValue(prop.value) : portValue(splitHostPort(prop.value).port ?? prop.value);
          im.locate(`${nAt}/ports/${name}`, prop);
          continue;
        }
        const legacyKey = PROTOCOL_ADDRESS_KEYS[name];
        const addrKeyProp = legacyKey ? im.take(`${legacyKey}.${sid}.${e.nid}`) : undefined;
        const inAddress = name === 'client' ? e.port : undefined;
        const deprecatedPort = addrKeyProp ? splitHostPort(addrKeyProp.value).port : inAddress;
        if (addrKeyProp) {
          im.warn(addrKeyProp, 'TOPOLOGY_XML_DEPRECATED_KEY', `${addrKeyProp.name} is deprecated; scmctl keeps its port only`, `use ${pk.key}.${sid}.${e.nid}`, 'name');
        }
        if (deprecatedPort !== undefined) {
          ports[name] = portValue(deprecatedPort);
          im.locate(`${nAt}/ports/${name}`, addrKeyProp ?? e.addressProp);
          if (!addrKeyProp) im.warn(e.addressProp, 'TOPOLOGY_XML_DEPRECATED_KEY', `a port inside ${e.addressProp.name} is deprecated; scmctl reads it as the client port`, `write the hostname only and set ${PORT_KEYS.client.key}.${sid}.${e.nid}`);
        }
      }
      if (Object.keys(ports).length > 0) node['ports'] = ports;

      // Directories: JSON overrides, plus a per-node db dir.
      const dirs: Json = {};
      const jsonDirs = extra?.value['directories'];
      if (jsonDirs !== null && typeof jsonDirs === 'object' && !Array.isArray(jsonDirs)) for (const [k, v] of Object.entries(jsonDirs)) setOwn(dirs, k, v);
      const dbProp = im.take(`${KEY.dbDirs}.${sid}.${e.nid}`);
      if (dbProp) {
        dirs['db'] = dbProp.value;
        im.locate(`${nAt}/directories/db`, dbProp);
      }
      if (Object.keys(dirs).length > 0) node['directories'] = dirs;
      if (extra) {
        for (const [k, v] of Object.entries(extra.value)) if (k !== 'host' && k !== 'directories') setOwn(node, k, v);
        im.locate(`${nAt}/directories`, extra.prop);
      }

      // Bind hosts → the host's listen mode.
      const binds = BIND_HOST_KEYS.map((k) => im.take(`${k}.${sid}.${e.nid}`)).filter((p): p is XmlProperty => p !== undefined);
      if (binds.length > 0) {
        const values = new Set(binds.map((b) => b.value));
        if (values.size > 1) {
          im.error(binds[1], 'TOPOLOGY_XML_INVALID_VALUE', `node ${sid}/${e.nid} binds its listeners to different addresses (${[...values].join(', ')})`, 'scmctl binds every listener of a node to one address: make the bind-host keys agree');
        } else if (host.json['listen'] === undefined) {
          const v = binds[0]!.value;
          host.json['listen'] = v === '0.0.0.0' ? 'any' : v === e.address ? 'address' : v;
        }
      }
      nodes.push(node);
    });
  });
  spec['services'] = services;
  for (const [key, { prop }] of nodeJson) {
    const [sid, nid] = key.split('/') as [string, string];
    if (serviceNodes.get(sid)?.includes(nid)) continue;
    const known = [...serviceNodes].flatMap(([s, ns]) => ns.map((n) => `${SCMCTL_NODE_PREFIX}${s}.${n}`));
    const s = didYouMean(prop.name, known);
    im.error(prop, 'TOPOLOGY_XML_UNKNOWN_SCMCTL_KEY', `${prop.name} names node ${sid}/${nid}, which the file does not declare`, s ? `did you mean "${s}"?` : 'remove it, or add the node to ozone.scm.nodes.<serviceId>', 'name');
  }

  // Hosts named only by scmctl.host.* (e.g. datanodes), in name order after the rest.
  for (const name of [...hostJson.keys()].sort()) ensureHost(name, undefined);
  spec['hosts'] = hostOrder.map((name, k) => {
    const h = hosts.get(name)!;
    im.locate(pointer('spec', 'hosts', k), h.prop);
    return h.json;
  });

  // Default service and primordial.
  const defaultProp = im.take(KEY.defaultServiceId);
  if (defaultProp) {
    spec['defaultServiceId'] = defaultProp.value;
    im.locate('/spec/defaultServiceId', defaultProp);
  }
  // The one Ozone key applies to every service holding a node with that id or address; scmctl's per-service
  // key (exports with several services) takes precedence.
  const globalPrimordial = im.take(KEY.primordialNodeId);
  const addressOf = (n: Json): unknown => hosts.get(String(n['host']))?.json['address'] ?? n['host'];
  const isNodeOf = (service: Json, value: string): boolean => (service['nodes'] as Json[]).some((n) => n['nodeId'] === value || addressOf(n) === value);
  services.forEach((service, i) => {
    const own = primordials.get(String(service['serviceId']));
    const chosen = own ?? (globalPrimordial && isNodeOf(service, globalPrimordial.value) ? globalPrimordial : undefined);
    if (!chosen) return;
    service['primordial'] = chosen.value;
    im.locate(pointer('spec', 'services', i, 'primordial'), chosen);
  });
  if (globalPrimordial && services.length > 0 && !services.some((s) => isNodeOf(s, globalPrimordial.value))) {
    // Let normalise report it, at this property, against the default (or first) service.
    const target = services.findIndex((s) => s['serviceId'] === defaultProp?.value);
    const i = target >= 0 ? target : 0;
    if (primordials.has(String(services[i]!['serviceId']))) {
      im.error(globalPrimordial, 'TOPOLOGY_PRIMORDIAL_NOT_A_NODE', `${KEY.primordialNodeId} "${globalPrimordial.value}" is not a node id or address of any service`, 'use a node id listed in ozone.scm.nodes.<serviceId>');
    } else {
      services[i]!['primordial'] = globalPrimordial.value;
      im.locate(pointer('spec', 'services', i, 'primordial'), globalPrimordial);
    }
  }
  for (const sid of primordials.keys()) {
    if (!serviceIds.includes(sid)) {
      const p = primordials.get(sid)!;
      const s = didYouMean(sid, serviceIds);
      im.error(p, 'TOPOLOGY_XML_UNKNOWN_SCMCTL_KEY', `${p.name} names service "${sid}", which ${KEY.serviceIds} does not list`, s ? `did you mean "${SCMCTL_PRIMORDIAL_PREFIX}${s}"?` : `services: ${serviceIds.join(', ')}`, 'name');
    }
  }

  // ozone.scm.node.id is per host; it must name a node.
  const nodeIdProp = im.take(KEY.nodeId);
  if (nodeIdProp) {
    const all = [...serviceNodes.values()].flat();
    if (!all.includes(nodeIdProp.value)) {
      const s = didYouMean(nodeIdProp.value, all);
      im.error(nodeIdProp, 'TOPOLOGY_XML_INVALID_VALUE', `${KEY.nodeId} "${nodeIdProp.value}" is not one of the nodes`, s ? `did you mean "${s}"?` : `nodes: ${all.join(', ')}`);
    }
  }

  // Ratis.
  const ratisProp = im.take(KEY.ratisEnable);
  if (ratisProp) {
    spec['ratis'] = { enabled: boolValue(ratisProp.value) };
    im.locate('/spec/ratis/enabled', ratisProp);
  } else if (legacy) spec['ratis'] = { enabled: false };

  // Cluster-wide ports.
  const ports: Json = {};
  for (const name of SCM_PORT_NAMES) {
    const pk = PORT_KEYS[name];
    const prop = im.take(pk.key);
    if (!prop) continue;
    ports[name] = pk.form === 'port' ? portValue(prop.value) : portValue(splitHostPort(prop.value).port ?? prop.value);
    im.locate(`/spec/ports/${name}`, prop);
  }
  if (Object.keys(ports).length > 0) spec['ports'] = ports;

  // Directories.
  const dirs: Json = {};
  const metaProp = im.take(KEY.metadataDirs);
  if (!metaProp) {
    im.error(undefined, 'TOPOLOGY_DIRECTORY_REQUIRED', `the file does not set ${KEY.metadataDirs}, which Ozone requires`, `add ${KEY.metadataDirs} (e.g. /var/lib/ozone/metadata)`);
  } else {
    const list = splitList(metaProp.value);
    if (list.length > 1) im.warn(metaProp, 'TOPOLOGY_XML_IGNORED_VALUE', `${KEY.metadataDirs} lists ${list.length} directories; an SCM uses the first`, 'keep one directory');
    dirs['metadata'] = list[0] ?? metaProp.value;
    im.locate('/spec/directories/metadata', metaProp);
  }
  const dirKeys: ReadonlyArray<readonly [string, string]> = [
    [KEY.dbDirs, 'db'],
    [KEY.ratisStorageDir, 'ratis'],
    [KEY.ratisSnapshotDir, 'snapshot'],
    [SCMCTL_SCALARS.installDir, 'install'],
    [SCMCTL_SCALARS.configDir, 'config'],
    [SCMCTL_SCALARS.logsDir, 'logs'],
  ];
  for (const [key, field] of dirKeys) {
    const prop = key.startsWith(SCMCTL_PREFIX) ? scalars.get(key) : im.take(key);
    if (!prop) continue;
    dirs[field] = prop.value;
    im.locate(`/spec/directories/${field}`, prop);
  }
  if (Object.keys(dirs).length > 0) spec['directories'] = dirs;
  const hddsMeta = im.take(KEY.hddsMetadataDir);
  if (hddsMeta && hddsMeta.value !== dirs['metadata']) {
    im.warn(hddsMeta, 'TOPOLOGY_XML_IGNORED_VALUE', `${KEY.hddsMetadataDir} differs from ${KEY.metadataDirs}; scmctl renders it as the metadata directory`, `keep security material under ${KEY.metadataDirs}`);
  }

  // Security.
  const security: Json = {};
  const secProp = im.take(KEY.securityEnabled);
  if (secProp) {
    security['enabled'] = boolValue(secProp.value);
    im.locate('/spec/security/enabled', secProp);
  }
  const tlsProp = im.take(KEY.grpcTlsEnabled);
  if (tlsProp) {
    security['tls'] = boolValue(tlsProp.value);
    im.locate('/spec/security/tls', tlsProp);
  }
  const principal = im.take(KEY.scmKerberosPrincipal);
  const keytab = im.take(KEY.scmKerberosKeytab);
  const auth = im.take(KEY.hadoopAuthentication);
  if (principal && keytab) {
    security['kerberos'] = { principal: principal.value, keytab: keytab.value };
    im.locate('/spec/security/kerberos/principal', principal);
    im.locate('/spec/security/kerberos/keytab', keytab);
    if (auth && auth.value.toLowerCase() !== 'kerberos') {
      im.warn(auth, 'TOPOLOGY_XML_IGNORED_VALUE', `${KEY.hadoopAuthentication} is "${auth.value}" although a Kerberos principal is set; scmctl renders kerberos`);
    }
  } else if (principal || keytab) {
    const present = (principal ?? keytab)!;
    im.error(present, 'TOPOLOGY_XML_MISSING_KEY', `${present.name} is set without ${principal ? KEY.scmKerberosKeytab : KEY.scmKerberosPrincipal}`, 'set both the SCM Kerberos principal and keytab, or neither', 'name');
  } else if (auth) {
    im.warn(auth, 'TOPOLOGY_XML_IGNORED_VALUE', `${KEY.hadoopAuthentication} is ignored without ${KEY.scmKerberosPrincipal} and ${KEY.scmKerberosKeytab}`, 'set spec.security.kerberos to render Kerberos settings', 'name');
  }
  const keytabsProp = scalars.get(SCMCTL_SCALARS.kerberosKeytabs);
  if (keytabsProp && typeof security['kerberos'] === 'object' && security['kerberos'] !== null) {
    const v = im.json(keytabsProp);
    if (v) {
      (security['kerberos'] as Json)['keytabs'] = Object.entries(v).map(([host, file]) => ({ host, file }));
      im.locate('/spec/security/kerberos/keytabs', keytabsProp);
    }
  }
  if (Object.keys(security).length > 0) spec['security'] = security;

  // Timeouts and runtime.
  const timeouts: Json = {};
  const waitProp = im.take(KEY.infoWaitDuration);
  if (waitProp) {
    const ms = parseHadoopDurationMs(waitProp.value, 1000);
    timeouts['scmInfoWait'] = ms === undefined ? waitProp.value : formatDuration(ms);
    im.locate('/spec/timeouts/scmInfoWait', waitProp);
  }
  scalar(SCMCTL_SCALARS.connectTimeout, timeouts, 'connect', '/spec/timeouts/connect');
  scalar(SCMCTL_SCALARS.commandTimeout, timeouts, 'command', '/spec/timeouts/command');
  scalar(SCMCTL_SCALARS.scmStartTimeout, timeouts, 'scmStart', '/spec/timeouts/scmStart');
  if (Object.keys(timeouts).length > 0) spec['timeouts'] = timeouts;
  const runtime: Json = {};
  scalar(SCMCTL_SCALARS.runtimeNode, runtime, 'node', '/spec/runtime/node');
  scalar(SCMCTL_SCALARS.runtimeUser, runtime, 'user', '/spec/runtime/user');
  scalar(SCMCTL_SCALARS.runtimeGroup, runtime, 'group', '/spec/runtime/group');
  const releaseProp = scalars.get(SCMCTL_SCALARS.runtimeRelease);
  if (releaseProp) {
    const v = im.json(releaseProp);
    if (v) {
      Object.assign(runtime, v);
      im.locate('/spec/runtime/kind', releaseProp);
    }
  }
  if (Object.keys(runtime).length > 0) spec['runtime'] = runtime;

  // Everything else: mistyped SCM keys are errors, the rest are extra properties.
  const extras: Json = {};
  for (const [name, prop] of im.props) {
    if (im.consumed.has(name)) continue;
    const problem = checkScmKey(name, serviceNodes);
    if (problem) {
      im.error(prop, 'TOPOLOGY_UNKNOWN_SCM_KEY', problem.summary, problem.hint, 'name');
      continue;
    }
    if (isManagedKey(name)) {
      im.error(prop, 'TOPOLOGY_UNKNOWN_SCM_KEY', `"${name}" does not fit the SCM topology this file describes`, 'check the service and node ids in the key', 'name');
      continue;
    }
    setOwn(extras, name, prop.value);
    const ptr = pointer('spec', 'properties', name);
    im.spans.set(ptr, { key: prop.nameSpan, value: prop.valueSpan });
  }
  if (Object.keys(extras).length > 0) spec['properties'] = extras;

  return new LocatedDocument(doc, im.spans);
}
