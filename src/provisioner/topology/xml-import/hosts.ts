/**
 * XML import, hosts: `spec.hosts` is built from the hosts the nodes are placed on (in the order the file first
 * names them), `scmctl.hosts` (hosts listed up front) and `scmctl.host.<name>` entries (per-host settings;
 * hosts named only there, e.g. datanodes, come last in name order). A node's address becomes its host's
 * address; its bind-host keys become the host's listen mode.
 */
import { pointer } from '../json-pointer.js';
import { BIND_HOST_KEYS } from '../ozone-keys.js';
import type { XmlProperty } from '../xml-adapter.js';
import type { Importer, Json, JsonProperty, NodeAddress } from './importer.js';

export interface HostEntry {
  json: Json;
  prop: XmlProperty | undefined;
}

export class HostTable {
  readonly #hosts = new Map<string, HostEntry>();
  readonly #order: string[] = [];
  readonly #hostJson: ReadonlyMap<string, JsonProperty>;

  constructor(hostJson: ReadonlyMap<string, JsonProperty>) {
    this.#hostJson = hostJson;
  }

  /** The host `name`, added (with its `scmctl.host.<name>` settings) the first time it is named. */
  ensure(name: string, prop: XmlProperty | undefined): HostEntry {
    let h = this.#hosts.get(name);
    if (!h) {
      const j = this.#hostJson.get(name);
      h = { json: { name, ...(j ? Object.fromEntries(Object.entries(j.value).filter(([k]) => k !== 'name')) : {}) }, prop: j?.prop ?? prop };
      this.#hosts.set(name, h);
      this.#order.push(name);
    }
    return h;
  }

  /** The address of a node's host (the host label when it has none), as Ozone compares it. */
  addressOf(node: Json): unknown {
    return this.#hosts.get(String(node['host']))?.json['address'] ?? node['host'];
  }

  /** `spec.hosts`: every host named so far, then those named only by `scmctl.host.*`, in name order. */
  toSpec(im: Importer): Json[] {
    for (const name of [...this.#hostJson.keys()].sort()) this.ensure(name, undefined);
    return this.#order.map((name, k) => {
      const h = this.#hosts.get(name)!;
      im.locate(pointer('spec', 'hosts', k), h.prop);
      return h.json;
    });
  }
}

/** Puts the node's address on its host (labelled `label`); reports a host whose declared address disagrees. */
export function placeNode(im: Importer, host: HostEntry, label: string, e: NodeAddress): void {
  const declared = host.json['address'];
  if (declared !== undefined && declared !== e.address) {
    im.error(e.addressProp, 'TOPOLOGY_XML_INVALID_VALUE', `${e.addressProp.name} is ${e.address}, but scmctl.host.${label} says address ${String(declared)}`, 'make the two agree');
  } else if (label !== e.address) host.json['address'] = e.address;
  if (host.prop === undefined) host.prop = e.addressProp;
}

/** Bind hosts (`<bindKey>.<sid>.<nid>`) → the host's listen mode; they must all agree. */
export function importBindHosts(im: Importer, sid: string, e: NodeAddress, host: HostEntry): void {
  const binds = BIND_HOST_KEYS.map((k) => im.take(`${k}.${sid}.${e.nid}`)).filter((p): p is XmlProperty => p !== undefined);
  if (binds.length === 0) return;
  const values = new Set(binds.map((b) => b.value));
  if (values.size > 1) {
    im.error(binds[1], 'TOPOLOGY_XML_INVALID_VALUE', `node ${sid}/${e.nid} binds its listeners to different addresses (${[...values].join(', ')})`, 'scmctl binds every listener of a node to one address: make the bind-host keys agree');
  } else if (host.json['listen'] === undefined) {
    const v = binds[0]!.value;
    host.json['listen'] = v === '0.0.0.0' ? 'any' : v === e.address ? 'address' : v;
  }
}
