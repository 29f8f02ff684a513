/**
 * XML import, `scmctl.*` keys (../scmctl-keys.ts): read first, because they may name hosts and carry per-node
 * settings the Ozone keys refer to. Every `scmctl.*` key is consumed here; one scmctl does not know is an
 * error (with a did-you-mean), never an extra property. Also maps the cluster-wide scalars that have no Ozone
 * key (metadata.name, transport, listen, ssh), and checks that each `scmctl.node.<sid>.<nid>` names a node
 * the file declares once the services are known.
 */
import { didYouMean } from '../did-you-mean.js';
import {
  SCMCTL_HOST_PREFIX,
  SCMCTL_KEY_NAMES,
  SCMCTL_NODE_PREFIX,
  SCMCTL_PREFIX,
  SCMCTL_PRIMORDIAL_PREFIX,
  SCMCTL_SCALARS,
} from '../scmctl-keys.js';
import type { ServiceNodes } from '../scm-key-check.js';
import type { XmlProperty } from '../xml-adapter.js';
import type { Importer, Json, JsonProperty } from './importer.js';

export interface ScmctlKeys {
  /** `scmctl.<scalar>` by full key name */
  readonly scalars: ReadonlyMap<string, XmlProperty>;
  /** `scmctl.host.<name>` by host name */
  readonly hostJson: ReadonlyMap<string, JsonProperty>;
  /** `scmctl.node.<sid>.<nid>` by `sid/nid` */
  readonly nodeJson: ReadonlyMap<string, JsonProperty>;
  /** `scmctl.primordial.<sid>` by service id */
  readonly primordials: ReadonlyMap<string, XmlProperty>;
}

const KNOWN_SCALARS: ReadonlySet<string> = new Set<string>(Object.values(SCMCTL_SCALARS));

/** Consumes every `scmctl.*` property and sorts it by kind; reports unknown ones and JSON that is not an object. */
export function readScmctlKeys(im: Importer): ScmctlKeys {
  const scalars = new Map<string, XmlProperty>();
  const hostJson = new Map<string, JsonProperty>();
  const nodeJson = new Map<string, JsonProperty>();
  const primordials = new Map<string, XmlProperty>();
  for (const [name, prop] of im.props) {
    if (!name.startsWith(SCMCTL_PREFIX)) continue;
    im.consumed.add(name);
    if (KNOWN_SCALARS.has(name)) scalars.set(name, prop);
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
  return { scalars, hostJson, nodeJson, primordials };
}

/** Copies the scalar `name`, when set, to `target[field]`, located at `ptr`. */
export function copyScalar(im: Importer, keys: ScmctlKeys, name: string, target: Json, field: string, ptr: string): void {
  const p = keys.scalars.get(name);
  if (!p) return;
  target[field] = p.value;
  im.locate(ptr, p);
}

/** metadata.name, spec.transport, spec.listen, spec.ssh. */
export function importScmctlSettings(im: Importer, keys: ScmctlKeys, doc: Json, spec: Json): void {
  const nameProp = keys.scalars.get(SCMCTL_SCALARS.name);
  if (nameProp) {
    doc['metadata'] = { name: nameProp.value };
    im.locate('/metadata/name', nameProp);
  }
  copyScalar(im, keys, SCMCTL_SCALARS.transport, spec, 'transport', '/spec/transport');
  copyScalar(im, keys, SCMCTL_SCALARS.listen, spec, 'listen', '/spec/listen');
  const sshProp = keys.scalars.get(SCMCTL_SCALARS.ssh);
  if (sshProp) {
    const v = im.json(sshProp);
    if (v) {
      spec['ssh'] = v;
      im.locate('/spec/ssh', sshProp);
    }
  }
}

/** Each `scmctl.node.<sid>.<nid>` must name a node of the file. */
export function checkNodeKeys(im: Importer, keys: ScmctlKeys, serviceNodes: ServiceNodes): void {
  for (const [key, { prop }] of keys.nodeJson) {
    const [sid, nid] = key.split('/') as [string, string];
    if (serviceNodes.get(sid)?.includes(nid)) continue;
    const known = [...serviceNodes].flatMap(([s, ns]) => ns.map((n) => `${SCMCTL_NODE_PREFIX}${s}.${n}`));
    const s = didYouMean(prop.name, known);
    im.error(prop, 'TOPOLOGY_XML_UNKNOWN_SCMCTL_KEY', `${prop.name} names node ${sid}/${nid}, which the file does not declare`, s ? `did you mean "${s}"?` : 'remove it, or add the node to ozone.scm.nodes.<serviceId>', 'name');
  }
}
