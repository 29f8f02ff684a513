/**
 * Collects diagnostics for one file, turning JSON pointers (via the located document) or raw spans into
 * source ranges. Every stage of loading reports through one Reporter, so positions are computed one way.
 */
import type { Diagnostic, Severity, TopologyDiagnosticCode } from './diagnostic.js';
import type { LocatedDocument } from './located-document.js';
import type { SourceText, Span } from './source-text.js';

export interface ReportOptions {
  readonly detail?: string;
  readonly hint?: string;
  /** point at the key token (`adress:`) rather than the value; falls back to the value */
  readonly at?: 'key' | 'value';
}

export class Reporter {
  readonly source: SourceText;
  readonly diagnostics: Diagnostic[] = [];
  #document: LocatedDocument | undefined;

  constructor(source: SourceText) {
    this.source = source;
  }

  setDocument(document: LocatedDocument): void {
    this.#document = document;
  }

  get errorCount(): number {
    return this.diagnostics.filter((d) => d.severity === 'error').length;
  }

  at(pointer: string, severity: Severity, code: TopologyDiagnosticCode, summary: string, options: ReportOptions = {}): void {
    const located = this.#document?.locate(pointer);
    const span = options.at === 'key' ? (located?.key ?? located?.value) : located?.value;
    this.push(severity, code, summary, span, options, pointer);
  }

  error(pointer: string, code: TopologyDiagnosticCode, summary: string, options?: ReportOptions): void {
    this.at(pointer, 'error', code, summary, options);
  }

  warning(pointer: string, code: TopologyDiagnosticCode, summary: string, options?: ReportOptions): void {
    this.at(pointer, 'warning', code, summary, options);
  }

  atSpan(span: Span | undefined, severity: Severity, code: TopologyDiagnosticCode, summary: string, options: ReportOptions = {}): void {
    this.push(severity, code, summary, span, options, undefined);
  }

  private push(
    severity: Severity,
    code: TopologyDiagnosticCode,
    summary: string,
    span: Span | undefined,
    options: ReportOptions,
    pointer: string | undefined,
  ): void {
    const d: { -readonly [K in keyof Diagnostic]: Diagnostic[K] } = { severity, code, summary, range: this.source.range(span) };
    if (options.detail !== undefined) d.detail = options.detail;
    if (pointer !== undefined) d.pointer = pointer;
    if (options.hint !== undefined) d.hint = options.hint;
    this.diagnostics.push(d);
  }
}
