/**
 * Diagnostics for people: one headline per diagnostic in the compiler convention
 * `file:line:col: severity[CODE] summary`, then the source line with a caret under the offending token,
 * the detail, and the hint.
 *
 *   examples/bad.yaml:12:7: error[TOPOLOGY_UNKNOWN_KEY] unknown key "adress" in spec.hosts[0]
 *      12 |       adress: 127.0.0.1
 *         |       ^^^^^^
 *     hint: did you mean "address"?
 */
import type { Diagnostic } from './diagnostic.js';
import { SourceText } from './source-text.js';

export function formatDiagnostic(d: Diagnostic, text?: string): string {
  const { filename, start, end } = d.range;
  const lines = [`${filename}:${start.line}:${start.column}: ${d.severity}[${d.code}] ${d.summary}`];
  if (text !== undefined && text.length > 0) {
    const source = new SourceText(filename, text);
    const line = source.line(start.line);
    if (line.trim() !== '') {
      const width = String(start.line).length;
      const shown = line.replace(/\t/g, ' ');
      const caretEnd = end.line === start.line && end.column > start.column ? end.column : shown.length + 1;
      const carets = Math.max(1, Math.min(caretEnd, shown.length + 1) - start.column);
      lines.push(`  ${String(start.line).padStart(width)} | ${shown}`);
      lines.push(`  ${' '.repeat(width)} | ${' '.repeat(Math.max(0, start.column - 1))}${'^'.repeat(carets)}`);
    }
  }
  if (d.detail) for (const l of d.detail.split('\n')) lines.push(`  ${l}`);
  if (d.hint) lines.push(`  hint: ${d.hint}`);
  return lines.join('\n');
}

export function formatDiagnostics(diagnostics: readonly Diagnostic[], text?: string): string {
  return diagnostics.map((d) => formatDiagnostic(d, text)).join('\n') + (diagnostics.length ? '\n' : '');
}
