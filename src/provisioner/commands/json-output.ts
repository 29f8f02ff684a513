/**
 * `-o/--output json` when a command fails: stdout still carries JSON, so a script reading it never gets an
 * empty stream. Shaped like `validate -o json` (format_version, error_count, warning_count, diagnostics with
 * the same Terraform-style fields) plus `ok: false` and the error that ended the run:
 *
 *   {"format_version":"1.0","ok":false,"error":{"code":"TOPOLOGY_INVALID","message":"…","hint":"…"},
 *    "error_count":1,"warning_count":0,"diagnostics":[…]}
 *
 * Commands whose JSON is one document (plan, status, backup) print that document; commands that stream
 * NDJSON events (apply, migrate, repair, restore) end the stream with their `result` event carrying the same
 * fields. The text of the error still goes to stderr for people.
 */
import { isCodedError } from '../../common/coded-error.js';
import type { OutputStream } from '../command.js';
import { eventLine } from '../apply/event-lines.js';
import type { Diagnostic } from '../topology/diagnostic.js';
import { TopologyError } from '../topology/topology-error.js';

/** How a command prints JSON: one document, or NDJSON events ending with a `result` event. */
export type JsonMode = 'document' | 'events';

export interface ErrorJson {
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
}

export interface FailureJson {
  readonly format_version: '1.0';
  readonly ok: false;
  readonly error: ErrorJson;
  readonly error_count: number;
  readonly warning_count: number;
  readonly diagnostics: readonly Diagnostic[];
}

/** The code, message and hint of any error (INTERNAL for one that is not a CodedError: a bug). */
export function errorJson(err: unknown): ErrorJson {
  if (isCodedError(err)) return { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) };
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

export function failureJson(err: unknown, diagnostics: readonly Diagnostic[] = []): FailureJson {
  return {
    format_version: '1.0',
    ok: false,
    error: errorJson(err),
    error_count: diagnostics.filter((d) => d.severity === 'error').length,
    warning_count: diagnostics.filter((d) => d.severity === 'warning').length,
    diagnostics,
  };
}

/** Writes the failure to stdout as the command's JSON: a document, or the closing `result` event. */
export function writeFailureJson(out: OutputStream, mode: JsonMode, err: unknown, diagnostics: readonly Diagnostic[] = []): void {
  const doc = failureJson(err, diagnostics);
  if (mode === 'document') out.write(`${JSON.stringify(doc, null, 2)}\n`);
  else out.write(eventLine({ type: 'result', ok: false, error: doc.error, error_count: doc.error_count, warning_count: doc.warning_count, diagnostics: doc.diagnostics }));
}

/** TOPOLOGY_INVALID for `file` with these diagnostics: nothing was contacted. */
export function invalidTopology(file: string, diagnostics: readonly Diagnostic[]): TopologyError {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const first = errors[0];
  return new TopologyError(
    'TOPOLOGY_INVALID',
    `${file} is not a valid topology (${errors.length} error${errors.length === 1 ? '' : 's'}${first ? `, the first ${first.code} at ${first.range.start.line}:${first.range.start.column}` : ''}); no host was contacted`,
    { hint: `scmctl validate ${file} shows every problem with its line and fix` },
  );
}
