/**
 * XML import, ports: per node `<portKey>.<sid>.<nid>` (ozone-keys.ts PORT_KEYS; a `…-address` key gives its
 * port), where the deprecated port inside a protocol address key — or, for the client port, inside the
 * node's address — counts when no port key is set (with a warning); and the cluster-wide `<portKey>`.
 */
import { SCM_PORT_NAMES } from '../model.js';
import { PORT_KEYS, PROTOCOL_ADDRESS_KEYS } from '../ozone-keys.js';
import type { Importer, Json, NodeAddress } from './importer.js';
import { portOfKey, portValue, splitHostPort } from './values.js';

/** The node's `ports` (empty when it sets none). */
export function importNodePorts(im: Importer, sid: string, e: NodeAddress, nAt: string): Json {
  const ports: Json = {};
  for (const name of SCM_PORT_NAMES) {
    const pk = PORT_KEYS[name];
    const prop = im.take(`${pk.key}.${sid}.${e.nid}`);
    if (prop) {
      ports[name] = portOfKey(pk.form, prop.value);
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
  return ports;
}

/** spec.ports from the cluster-wide port keys. */
export function importClusterPorts(im: Importer, spec: Json): void {
  const ports: Json = {};
  for (const name of SCM_PORT_NAMES) {
    const pk = PORT_KEYS[name];
    const prop = im.take(pk.key);
    if (!prop) continue;
    ports[name] = portOfKey(pk.form, prop.value);
    im.locate(`/spec/ports/${name}`, prop);
  }
  if (Object.keys(ports).length > 0) spec['ports'] = ports;
}
