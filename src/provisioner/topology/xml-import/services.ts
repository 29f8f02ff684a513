/**
 * XML import, services and nodes: `ozone.scm.service.ids` (or, without it, the legacy non-HA
 * `ozone.scm.names` as one service "scmservice" with nodes scm1, scm2, …), `ozone.scm.nodes.<sid>` and each
 * node's `ozone.scm.address.<sid>.<nid>`. A node lives on the host its address names (or the label its
 * `scmctl.node.<sid>.<nid>` entry gives); its ports, directories, other scmctl settings and bind hosts come
 * from the per-node keys (ports.ts, directories.ts, hosts.ts). Also `ozone.scm.ratis.enable`, off for a
 * legacy file.
 */
import { pointer } from '../json-pointer.js';
import { KEY } from '../ozone-keys.js';
import type { XmlProperty } from '../xml-adapter.js';
import { importNodeDirectories } from './directories.js';
import { importBindHosts, placeNode, type HostTable } from './hosts.js';
import { setOwn, type Importer, type Json, type NodeAddress } from './importer.js';
import { importNodePorts } from './ports.js';
import type { ScmctlKeys } from './scmctl-settings.js';
import { boolValue, splitHostPort, splitList } from './values.js';

const LEGACY_SERVICE_ID = 'scmservice';

export interface ServiceIds {
  readonly ids: readonly string[];
  /** the file has only the legacy `ozone.scm.names` */
  readonly legacy: boolean;
  /** `ozone.scm.service.ids`, when set */
  readonly prop: XmlProperty | undefined;
}

export interface ImportedServices {
  /** spec.services */
  readonly services: Json[];
  /** the node ids of each service whose nodes key is present */
  readonly serviceNodes: ReadonlyMap<string, readonly string[]>;
}

/** The service ids; undefined (reported) when the file describes no SCM. */
export function readServiceIds(im: Importer): ServiceIds | undefined {
  const idsProp = im.take(KEY.serviceIds);
  if (idsProp) {
    const ids = splitList(idsProp.value);
    if (ids.length === 0) im.error(idsProp, 'TOPOLOGY_XML_MISSING_KEY', `${KEY.serviceIds} is empty`, 'list the SCM service ids, e.g. scmservice');
    return { ids, legacy: false, prop: idsProp };
  }
  const names = im.take(KEY.names);
  if (names && splitList(names.value).length > 0) {
    im.warn(names, 'TOPOLOGY_XML_LEGACY_NAMES', `no ${KEY.serviceIds}: importing the legacy non-HA ${KEY.names} as service "${LEGACY_SERVICE_ID}"`, 'scmctl names the nodes scm1, scm2, …; ports in the list are ignored');
    return { ids: [LEGACY_SERVICE_ID], legacy: true, prop: undefined };
  }
  im.error(undefined, 'TOPOLOGY_XML_NO_SERVICE', `the file sets neither ${KEY.serviceIds} nor ${KEY.names}: it describes no SCM`, `add ${KEY.serviceIds} and ${KEY.nodes}.<serviceId>, ${KEY.address}.<serviceId>.<nodeId>`);
  return undefined;
}

/** spec.services, placing each node on its host in `hosts`. */
export function importServices(im: Importer, ids: ServiceIds, keys: ScmctlKeys, hosts: HostTable): ImportedServices {
  const services: Json[] = [];
  const serviceNodes = new Map<string, string[]>();
  ids.ids.forEach((sid, i) => {
    const sAt = pointer('spec', 'services', i);
    const nodes: Json[] = [];
    services.push({ serviceId: sid, nodes });
    im.locate(`${sAt}/serviceId`, ids.prop);
    const entries = ids.legacy ? legacyAddresses(im, sAt) : declaredAddresses(im, ids.prop, sid, sAt);
    if (!entries) return;
    serviceNodes.set(sid, entries.map((e) => e.nid));
    entries.forEach((e, j) => nodes.push(importNode(im, keys, hosts, sid, e, `${sAt}/nodes/${j}`)));
  });
  return { services, serviceNodes };
}

/** The nodes of the legacy `ozone.scm.names` list (ports in it are ignored). */
function legacyAddresses(im: Importer, sAt: string): NodeAddress[] {
  const names = im.props.get(KEY.names)!;
  const entries = splitList(names.value).map((entry, k) => ({ nid: `scm${k + 1}`, address: splitHostPort(entry).host, addressProp: names }));
  im.locate(sAt, names);
  im.locate(`${sAt}/nodes`, names);
  return entries;
}

/** The nodes of `ozone.scm.nodes.<sid>` with their addresses; undefined (reported) when that key is missing. */
function declaredAddresses(im: Importer, idsProp: XmlProperty | undefined, sid: string, sAt: string): NodeAddress[] | undefined {
  const nodesProp = im.take(`${KEY.nodes}.${sid}`);
  if (!nodesProp) {
    im.error(idsProp, 'TOPOLOGY_XML_MISSING_KEY', `service "${sid}" has no ${KEY.nodes}.${sid}`, `add ${KEY.nodes}.${sid} with its node ids, e.g. scm1,scm2,scm3`);
    return undefined;
  }
  im.locate(sAt, nodesProp);
  im.locate(`${sAt}/nodes`, nodesProp);
  const nids = splitList(nodesProp.value);
  if (nids.length === 0) im.error(nodesProp, 'TOPOLOGY_XML_MISSING_KEY', `${KEY.nodes}.${sid} lists no node ids`, 'list the node ids, e.g. scm1,scm2,scm3');
  const entries: NodeAddress[] = [];
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
  return entries;
}

/** One `spec.services[].nodes[]` entry at `nAt`. */
function importNode(im: Importer, keys: ScmctlKeys, hosts: HostTable, sid: string, e: NodeAddress, nAt: string): Json {
  const extra = keys.nodeJson.get(`${sid}/${e.nid}`);
  const label = typeof extra?.value['host'] === 'string' ? extra.value['host'] : e.address;
  const node: Json = { nodeId: e.nid, host: label };
  im.locate(nAt, e.addressProp);
  im.locate(`${nAt}/nodeId`, e.addressProp);
  im.locate(`${nAt}/host`, e.addressProp);
  const host = hosts.ensure(label, e.addressProp);
  placeNode(im, host, label, e);

  const ports = importNodePorts(im, sid, e, nAt);
  if (Object.keys(ports).length > 0) node['ports'] = ports;
  const dirs = importNodeDirectories(im, sid, e, nAt, extra);
  if (Object.keys(dirs).length > 0) node['directories'] = dirs;
  if (extra) {
    for (const [k, v] of Object.entries(extra.value)) if (k !== 'host' && k !== 'directories') setOwn(node, k, v);
    im.locate(`${nAt}/directories`, extra.prop);
  }
  importBindHosts(im, sid, e, host);
  return node;
}

/** spec.ratis from `ozone.scm.ratis.enable`; a legacy file is standalone. */
export function importRatis(im: Importer, spec: Json, legacy: boolean): void {
  const ratisProp = im.take(KEY.ratisEnable);
  if (ratisProp) {
    spec['ratis'] = { enabled: boolValue(ratisProp.value) };
    im.locate('/spec/ratis/enabled', ratisProp);
  } else if (legacy) spec['ratis'] = { enabled: false };
}
