/**
 * `scmctl export --format xml`: the whole cluster as one ozone-site.xml: Ozone's keys for everything Ozone
 * models, `scmctl.*` keys for the rest (scmctl-keys.ts), so importing it gives back the same model. It has
 * no `ozone.scm.node.id`: it describes the cluster, not one host (use `scmctl render` for host files).
 */
import type { Topology } from '../topology/model.js';
import { withManagedHeader } from './managed-header.js';
import { renderSiteXml } from './render-host.js';

export function exportXml(topology: Topology): string {
  return withManagedHeader(renderSiteXml(topology, { kind: 'export' }), 'xml').content;
}
