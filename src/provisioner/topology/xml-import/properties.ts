/**
 * XML import, the pass-through: every property no section consumed becomes an extra property
 * (`spec.properties`, rendered as written), except keys in the SCM's own namespace that fit no service or
 * node of the file — a mistyped SCM key (scm-key-check.ts) or a managed key for another topology — which
 * are errors: silently passing them on would leave an SCM misconfigured.
 */
import { pointer } from '../json-pointer.js';
import { isManagedKey } from '../ozone-keys.js';
import { checkScmKey, type ServiceNodes } from '../scm-key-check.js';
import { setOwn, type Importer, type Json } from './importer.js';

/** spec.properties from the properties left over. */
export function importExtraProperties(im: Importer, spec: Json, serviceNodes: ServiceNodes): void {
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
}
