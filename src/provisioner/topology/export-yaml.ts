/**
 * `scmctl export --format yaml`: the model as a minimal topology file (to-spec.ts), printed as YAML. Values
 * holding `${` are written as `$${` so loading the file does not expand them a second time.
 */
import type { Topology } from './model.js';
import { toSpecDocument } from './to-spec.js';
import { printYaml } from './yaml-adapter.js';

function escapeReferences(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\$\{/g, () => '$${');
  if (Array.isArray(value)) return value.map(escapeReferences);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeReferences(v)]));
  }
  return value;
}

export function exportYaml(topology: Topology, options: { readonly from?: string } = {}): string {
  const header = `# scmctl topology${options.from ? ` exported from ${options.from}` : ''}; reference: docs/topology.md\n`;
  return header + printYaml(escapeReferences(toSpecDocument(topology)));
}
