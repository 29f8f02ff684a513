/**
 * Recognises mistyped SCM keys in an ozone-site.xml import or in `spec.properties`: per-node keys whose
 * prefix is not one Ozone reads per node (`ozone.scm.adress.svc.scm1`), keys naming an unknown service or
 * node (`ozone.scm.address.svc.scm4`), and near-misses of the core SCM keys (`ozone.scm.service.id`,
 * HDDS-13886). Ozone itself ignores such keys silently, which turns a typo into a cluster that cannot find
 * its peers; scmctl refuses them with a did-you-mean.
 */
import { didYouMean } from './did-you-mean.js';
import { CORE_SCM_KEYS, KEY, KNOWN_SCM_KEYS, NODE_SPECIFIC_KEYS } from './ozone-keys.js';

export interface ScmKeyProblem {
  readonly summary: string;
  readonly hint: string;
}

/** serviceId → its node ids */
export type ServiceNodes = ReadonlyMap<string, readonly string[]>;

const KNOWN = new Set(KNOWN_SCM_KEYS);
const NODE_SPECIFIC = new Set(NODE_SPECIFIC_KEYS);

function suggest(prefix: string, suffix: string, candidates: readonly string[]): string {
  const s = didYouMean(prefix, candidates, 4);
  return s ? `did you mean "${s}${suffix}"?` : `per-node keys are: ${candidates.map((c) => `${c}${suffix}`).slice(0, 3).join(', ')}, …`;
}

export function checkScmKey(name: string, services: ServiceNodes): ScmKeyProblem | undefined {
  // <key>.<sid>.<nid> for a known node
  for (const [sid, nids] of services) {
    for (const nid of nids) {
      const suffix = `.${sid}.${nid}`;
      if (!name.endsWith(suffix) || name.length === suffix.length) continue;
      const prefix = name.slice(0, -suffix.length);
      if (NODE_SPECIFIC.has(prefix)) return undefined;
      if (prefix.startsWith('ozone.scm') || didYouMean(prefix, NODE_SPECIFIC_KEYS, 4)) {
        return {
          summary: `"${name}" is not a key Ozone reads for node ${nid} of service ${sid}`,
          hint: suggest(prefix, suffix, NODE_SPECIFIC_KEYS),
        };
      }
    }
  }
  // ozone.scm.nodes.<sid> with an unknown service
  const sids = [...services.keys()];
  if (name.startsWith(`${KEY.nodes}.`)) {
    const sid = name.slice(KEY.nodes.length + 1);
    if (services.has(sid)) return undefined;
    const s = didYouMean(sid, sids);
    return {
      summary: `"${name}" names service "${sid}", which ${KEY.serviceIds} does not list`,
      hint: s ? `did you mean "${KEY.nodes}.${s}"?` : `add "${sid}" to ${KEY.serviceIds}, or remove the key`,
    };
  }
  // <nodeSpecificKey>.<sid>.<nid> with an unknown service or node
  for (const key of NODE_SPECIFIC_KEYS) {
    if (!name.startsWith(`${key}.`)) continue;
    const rest = name.slice(key.length + 1).split('.');
    if (rest.length !== 2) continue;
    const [sid, nid] = rest as [string, string];
    const nids = services.get(sid);
    if (!nids) {
      const s = didYouMean(sid, sids);
      return {
        summary: `"${name}" names service "${sid}", which ${KEY.serviceIds} does not list`,
        hint: s ? `did you mean "${key}.${s}.${nid}"?` : `services: ${sids.join(', ')}`,
      };
    }
    if (!nids.includes(nid)) {
      const s = didYouMean(nid, nids);
      return {
        summary: `"${name}" names node "${nid}", which ${KEY.nodes}.${sid} does not list`,
        hint: s ? `did you mean "${key}.${sid}.${s}"?` : `add "${nid}" to ${KEY.nodes}.${sid}, or remove the key`,
      };
    }
  }
  // <typo of ozone.scm.nodes>.<sid>
  for (const sid of sids) {
    const suffix = `.${sid}`;
    if (!name.endsWith(suffix) || name.length === suffix.length) continue;
    const prefix = name.slice(0, -suffix.length);
    if (prefix !== KEY.nodes && prefix.startsWith('ozone.') && didYouMean(prefix, [KEY.nodes], 3)) {
      return { summary: `"${name}" looks like a misspelt ${KEY.nodes}.${sid}`, hint: `did you mean "${KEY.nodes}.${sid}"?` };
    }
  }
  // near-misses of unsuffixed core keys
  if (name.startsWith('ozone.scm.') && !KNOWN.has(name) && !name.startsWith(`${KEY.address}.`)) {
    const s = didYouMean(name, CORE_SCM_KEYS, 2);
    if (s) return { summary: `"${name}" is not an Ozone key`, hint: `did you mean "${s}"?` };
  }
  if (name.startsWith('ozone.metadata.') && name !== KEY.metadataDirs && name !== `${KEY.metadataDirs}.permissions`) {
    const s = didYouMean(name, [KEY.metadataDirs], 2);
    if (s) return { summary: `"${name}" is not an Ozone key`, hint: `did you mean "${s}"?` };
  }
  return undefined;
}
