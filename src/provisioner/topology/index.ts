/**
 * The topology API that render, facts, plan and apply use (docs/topology.md documents the file format).
 *
 *   const { topology, diagnostics } = await loadTopology('examples/three-node.yaml', { env: process.env });
 *   if (!topology) { print(formatDiagnostics(diagnostics)); exit(1); }
 *
 * `Topology` is normalised, defaults-applied, readonly plain data; nothing else from this folder needs to be
 * imported by other modules.
 */
export { loadTopology, loadTopologyText, detectFormat, type LoadOptions, type LoadResult, type TopologyFormat } from './load.js';
export {
  TOPOLOGY_DIAGNOSTIC_CODES,
  hasErrors,
  isTopologyDiagnosticCode,
  type Diagnostic,
  type Severity,
  type SourcePosition,
  type SourceRange,
  type TopologyDiagnosticCode,
} from './diagnostic.js';
export { formatDiagnostic, formatDiagnostics } from './diagnostic-text.js';
export * from './model.js';
export { DEFAULT_SSH, DEFAULT_TIMEOUTS, DEFAULT_RUNTIME, ANY_ADDRESS } from './defaults.js';
export { BUILTIN_DIRECTORIES } from './directories.js';
export { allScmNodes, findHost, findService, machineOf, needsClientConfig, requireHost, scmNodesOnHost } from './queries.js';
export { toSpecDocument } from './to-spec.js';
export { exportYaml } from './export-yaml.js';
export { TopologyError, type TopologyErrorCode } from './topology-error.js';
export type { TopologyDocument } from './spec-types.js';
