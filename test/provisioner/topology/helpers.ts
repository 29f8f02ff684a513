/** Test helpers for topology tests: load text, list codes, build small valid topologies. */
import { formatDiagnostics } from '../../../src/provisioner/topology/diagnostic-text.js';
import type { Diagnostic, TopologyDiagnosticCode } from '../../../src/provisioner/topology/diagnostic.js';
import { loadTopologyText, type LoadOptions, type LoadResult } from '../../../src/provisioner/topology/load.js';
import type { Topology } from '../../../src/provisioner/topology/model.js';

export function load(text: string, filename = 'test.yaml', options: LoadOptions = {}): LoadResult {
  return loadTopologyText(text, filename, options);
}

export function codes(result: LoadResult): TopologyDiagnosticCode[] {
  return result.diagnostics.map((d) => d.code);
}

export function errorsOf(result: LoadResult): Diagnostic[] {
  return result.diagnostics.filter((d) => d.severity === 'error');
}

export function only(result: LoadResult, code: TopologyDiagnosticCode): Diagnostic {
  const found = result.diagnostics.filter((d) => d.code === code);
  if (found.length !== 1) throw new Error(`expected one ${code}, got:\n${formatDiagnostics(result.diagnostics, result.text)}`);
  return found[0]!;
}

/** Loads text that must be valid; fails with the rendered diagnostics otherwise. */
export function valid(text: string, filename = 'test.yaml', options: LoadOptions = {}): Topology {
  const r = load(text, filename, options);
  if (!r.topology) throw new Error(`expected a valid topology, got:\n${formatDiagnostics(r.diagnostics, r.text)}`);
  return r.topology;
}

/** A valid three-node topology; `spec` lines are appended under `spec:` (2-space indented by the caller). */
export function threeNodes(extraSpec = '', services?: string): string {
  return `apiVersion: scmctl.io/v1alpha1
kind: ScmCluster
metadata:
  name: t
spec:
${
  services ??
  `  services:
    - serviceId: scmservice
      nodes:
        - { nodeId: scm1, host: scm1 }
        - { nodeId: scm2, host: scm2 }
        - { nodeId: scm3, host: scm3 }
`
}${extraSpec}`;
}
