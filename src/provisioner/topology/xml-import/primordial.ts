/**
 * XML import, which node is which: `ozone.scm.default.service.id`; the primordial node of each service —
 * Ozone's one `ozone.scm.primordial.node.id` applies to every service holding a node with that id or address,
 * scmctl's per-service `scmctl.primordial.<sid>` (exports with several services) takes precedence; and
 * `ozone.scm.node.id` (a host file's own node), which must name a node of the file.
 */
import { didYouMean } from '../did-you-mean.js';
import { pointer } from '../json-pointer.js';
import { KEY } from '../ozone-keys.js';
import { SCMCTL_PRIMORDIAL_PREFIX } from '../scmctl-keys.js';
import type { ServiceNodes } from '../scm-key-check.js';
import type { XmlProperty } from '../xml-adapter.js';
import type { HostTable } from './hosts.js';
import type { Importer, Json } from './importer.js';
import type { ScmctlKeys } from './scmctl-settings.js';

/** spec.defaultServiceId; answers its property (the primordial fallback needs it). */
export function importDefaultService(im: Importer, spec: Json): XmlProperty | undefined {
  const defaultProp = im.take(KEY.defaultServiceId);
  if (defaultProp) {
    spec['defaultServiceId'] = defaultProp.value;
    im.locate('/spec/defaultServiceId', defaultProp);
  }
  return defaultProp;
}

/** services[].primordial; reports a `scmctl.primordial.<sid>` for a service the file does not list. */
export function importPrimordials(im: Importer, services: readonly Json[], serviceIds: readonly string[], keys: ScmctlKeys, hosts: HostTable, defaultProp: XmlProperty | undefined): void {
  const { primordials } = keys;
  const globalPrimordial = im.take(KEY.primordialNodeId);
  const isNodeOf = (service: Json, value: string): boolean => (service['nodes'] as Json[]).some((n) => n['nodeId'] === value || hosts.addressOf(n) === value);
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
}

/** `ozone.scm.node.id` is per host; it must name a node. */
export function checkNodeId(im: Importer, serviceNodes: ServiceNodes): void {
  const nodeIdProp = im.take(KEY.nodeId);
  if (!nodeIdProp) return;
  const all = [...serviceNodes.values()].flat();
  if (!all.includes(nodeIdProp.value)) {
    const s = didYouMean(nodeIdProp.value, all);
    im.error(nodeIdProp, 'TOPOLOGY_XML_INVALID_VALUE', `${KEY.nodeId} "${nodeIdProp.value}" is not one of the nodes`, s ? `did you mean "${s}"?` : `nodes: ${all.join(', ')}`);
  }
}
