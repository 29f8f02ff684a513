/**
 * A loaded file's text with offset → line/column/byte conversion (for diagnostics) and excerpts (for the
 * text rendering). Offsets are JS string indices (UTF-16 code units), which is what the yaml and saxes
 * parsers report.
 */
import type { SourcePosition, SourceRange } from './diagnostic.js';

export interface Span {
  readonly start: number;
  readonly end: number;
}

export class SourceText {
  readonly filename: string;
  readonly text: string;
  #lineStarts: number[] | undefined;

  constructor(filename: string, text: string) {
    this.filename = filename;
    this.text = text;
  }

  private lineStarts(): number[] {
    if (this.#lineStarts) return this.#lineStarts;
    const starts = [0];
    for (let i = 0; i < this.text.length; i++) if (this.text.charCodeAt(i) === 10) starts.push(i + 1);
    this.#lineStarts = starts;
    return starts;
  }

  position(offset: number): SourcePosition {
    const o = Math.max(0, Math.min(offset, this.text.length));
    const starts = this.lineStarts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - starts[lo]! + 1, byte: Buffer.byteLength(this.text.slice(0, o), 'utf8') };
  }

  range(span: Span | undefined): SourceRange {
    const s = span ?? { start: 0, end: 0 };
    const start = this.position(s.start);
    const end = s.end > s.start ? this.position(s.end) : start;
    return { filename: this.filename, start, end };
  }

  /** The text of a 1-based line without its newline. */
  line(line: number): string {
    const starts = this.lineStarts();
    const begin = starts[line - 1];
    if (begin === undefined) return '';
    const next = starts[line];
    return this.text.slice(begin, next === undefined ? undefined : next - 1).replace(/\r$/, '');
  }
}
