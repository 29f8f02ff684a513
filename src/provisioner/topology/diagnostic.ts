/**
 * Diagnostics of loading a topology, shaped like Terraform's `validate -json` diagnostics (severity,
 * summary, detail, range{filename, start{line,column,byte}, end}) plus a stable `code`, the JSON pointer of
 * the offending value in the topology document, and a one-line `hint`.
 *
 * Contract: codes are stable identifiers (tests, scripts and the JSON output rely on them; messages may
 * change). Lines and columns are 1-based, columns count characters (UTF-16 code units) and bytes are UTF-8
 * offsets from the start of the file, `end` is exclusive.
 */
export const TOPOLOGY_DIAGNOSTIC_CODES = [
  // reading and syntax
  'TOPOLOGY_FILE_UNREADABLE',
  'TOPOLOGY_FILE_TOO_LARGE',
  'TOPOLOGY_FORMAT_UNKNOWN',
  'TOPOLOGY_NOT_A_TOPOLOGY',
  'TOPOLOGY_YAML_SYNTAX',
  'TOPOLOGY_YAML_DUPLICATE_KEY',
  'TOPOLOGY_XML_SYNTAX',
  'TOPOLOGY_XML_STRUCTURE',
  // ozone-site.xml import
  'TOPOLOGY_XML_NO_SERVICE',
  'TOPOLOGY_XML_MISSING_KEY',
  'TOPOLOGY_UNKNOWN_SCM_KEY',
  'TOPOLOGY_XML_UNKNOWN_SCMCTL_KEY',
  'TOPOLOGY_XML_INVALID_VALUE',
  'TOPOLOGY_XML_DUPLICATE_PROPERTY',
  'TOPOLOGY_XML_DEPRECATED_KEY',
  'TOPOLOGY_XML_IGNORED_VALUE',
  'TOPOLOGY_XML_LEGACY_NAMES',
  // environment references
  'TOPOLOGY_ENV_UNSET',
  'TOPOLOGY_ENV_SYNTAX',
  // schema
  'TOPOLOGY_API_VERSION',
  'TOPOLOGY_KIND',
  'TOPOLOGY_UNKNOWN_KEY',
  'TOPOLOGY_MISSING_KEY',
  'TOPOLOGY_TYPE',
  'TOPOLOGY_INVALID_VALUE',
  'TOPOLOGY_INVALID_CHARACTER',
  // semantic rules
  'TOPOLOGY_DUPLICATE_SERVICE_ID',
  'TOPOLOGY_DUPLICATE_NODE_ID',
  'TOPOLOGY_DUPLICATE_HOST',
  'TOPOLOGY_DUPLICATE_HOST_NAME',
  'TOPOLOGY_INVALID_ADDRESS',
  'TOPOLOGY_UNKNOWN_HOST',
  'TOPOLOGY_PRIMORDIAL_NOT_A_NODE',
  'TOPOLOGY_DEFAULT_SERVICE_UNKNOWN',
  'TOPOLOGY_DEFAULT_SERVICE_REQUIRED',
  'TOPOLOGY_PORT_COLLISION',
  'TOPOLOGY_EVEN_VOTERS',
  'TOPOLOGY_RATIS_DISABLED_MULTI_NODE',
  'TOPOLOGY_SECURE_WITHOUT_TLS',
  'TOPOLOGY_TLS_WITHOUT_SECURITY',
  'TOPOLOGY_DIRECTORY_REQUIRED',
  'TOPOLOGY_DIRECTORY_NOT_ABSOLUTE',
  'TOPOLOGY_DIRECTORY_CONFLICT',
  'TOPOLOGY_DIRECTORY_ROOT',
  'TOPOLOGY_MANAGED_PROPERTY',
  'TOPOLOGY_SSH_IGNORED',
  'TOPOLOGY_SSH_IDENTITY_MISSING',
  'TOPOLOGY_SSH_IDENTITY_UNREADABLE',
  'TOPOLOGY_HOST_WITHOUT_ROLE',
  // runtime.kind apache-ozone (rules/apache-ozone.ts) and its files (release-files.ts)
  'TOPOLOGY_OZONE_RELEASE_REQUIRED',
  'TOPOLOGY_OZONE_VERSION_UNKNOWN',
  'TOPOLOGY_JAVA_REQUIRED',
  'TOPOLOGY_JAVA_AMBIGUOUS',
  'TOPOLOGY_KERBEROS_REQUIRED',
  'TOPOLOGY_RATIS_REQUIRED',
  'TOPOLOGY_OZONE_SHARED_MACHINE',
  'TOPOLOGY_RUNTIME_IGNORED',
  'TOPOLOGY_RELEASE_FILE_MISSING',
  'TOPOLOGY_CHECKSUM_MISSING',
  'TOPOLOGY_CHECKSUM_MISMATCH',
  'TOPOLOGY_KEYTAB_HOST_UNKNOWN',
  'TOPOLOGY_KEYTAB_MISSING',
  'TOPOLOGY_KEYTAB_EXPOSED',
  // a bug in scmctl, reported instead of thrown (tests assert it never appears)
  'TOPOLOGY_INTERNAL',
] as const;

export type TopologyDiagnosticCode = (typeof TOPOLOGY_DIAGNOSTIC_CODES)[number];

export type Severity = 'error' | 'warning';

export interface SourcePosition {
  readonly line: number;
  readonly column: number;
  readonly byte: number;
}

export interface SourceRange {
  readonly filename: string;
  readonly start: SourcePosition;
  readonly end: SourcePosition;
}

export interface Diagnostic {
  readonly severity: Severity;
  readonly code: TopologyDiagnosticCode;
  readonly summary: string;
  readonly detail?: string;
  readonly range: SourceRange;
  /** JSON pointer into the topology document (for XML: into the document the import produced) */
  readonly pointer?: string;
  readonly hint?: string;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Stable order: by file, then position, then code. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      a.range.filename.localeCompare(b.range.filename) ||
      a.range.start.byte - b.range.start.byte ||
      a.range.end.byte - b.range.end.byte ||
      a.code.localeCompare(b.code) ||
      a.summary.localeCompare(b.summary),
  );
}
