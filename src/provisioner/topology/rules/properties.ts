/**
 * `spec.properties` rules.
 *  - TOPOLOGY_MANAGED_PROPERTY: a key scmctl renders from the topology (service ids, nodes, addresses,
 *    ports, directories, security, …) or a reserved `scmctl.*` key; setting it twice would make the rendered
 *    file disagree with the topology.
 *  - TOPOLOGY_UNKNOWN_SCM_KEY: a mistyped SCM key (scm-key-check.ts).
 */
import { childPointer } from '../json-pointer.js';
import { isManagedKey, managedKeyField } from '../ozone-keys.js';
import { checkScmKey } from '../scm-key-check.js';
import type { Rule } from './rule.js';

export const properties: Rule = ({ document, topology, reporter }) => {
  const props = document.spec.properties;
  if (!props) return;
  const services = new Map(topology.services.map((s) => [s.serviceId as string, s.nodes.map((n) => n.nodeId as string)]));
  for (const name of Object.keys(props)) {
    const at = childPointer('/spec/properties', name);
    if (name.startsWith('scmctl.')) {
      reporter.error(at, 'TOPOLOGY_MANAGED_PROPERTY', `"${name}" is reserved for scmctl's own settings`, { at: 'key', hint: 'remove it' });
      continue;
    }
    const problem = checkScmKey(name, services);
    if (problem) {
      reporter.error(at, 'TOPOLOGY_UNKNOWN_SCM_KEY', problem.summary, { at: 'key', hint: problem.hint });
      continue;
    }
    if (isManagedKey(name)) {
      reporter.error(at, 'TOPOLOGY_MANAGED_PROPERTY', `"${name}" is rendered from the topology and cannot be set in spec.properties`, {
        at: 'key',
        hint: `set it through ${managedKeyField(name)}`,
      });
    }
  }
};
