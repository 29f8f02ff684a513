/** `scmctl export --format yaml`: the model as a minimal topology file (to-spec.ts), printed as YAML. */
import type { Topology } from './model.js';
import { toSpecDocument } from './to-spec.js';
import { printYaml } from './yaml-adapter.js';

export function exportYaml(topology: Topology, options: { readonly from?: string } = {}): string {
  const header = `# scmctl topology${options.from ? ` exported from ${options.from}` : ''}; reference: docs/topology.md\n`;
  return header + printYaml(toSpecDocument(topology));
}
