/**
 * A parsed topology document (plain JSON-like data) together with where each value came from in the source
 * file. YAML files map pointers to the key and value tokens; an imported ozone-site.xml maps them to the
 * `<property>` that produced them.
 */
import { parentPointer } from './json-pointer.js';
import type { Span } from './source-text.js';

export interface Located {
  /** the key token (`adress:`), when the value is an object member */
  readonly key?: Span;
  readonly value: Span;
}

export class LocatedDocument {
  readonly value: unknown;
  readonly #spans: ReadonlyMap<string, Located>;

  constructor(value: unknown, spans: ReadonlyMap<string, Located>) {
    this.value = value;
    this.#spans = spans;
  }

  /** Where the value at `pointer` is, or its nearest located ancestor; the document start when nothing is. */
  locate(pointer: string): Located {
    let p: string | undefined = pointer;
    while (p !== undefined) {
      const hit = this.#spans.get(p);
      if (hit) return hit;
      p = parentPointer(p);
    }
    return { value: { start: 0, end: 0 } };
  }

  /** The same locations for a transformed value of the same shape (e.g. after `${ENV}` expansion). */
  withValue(value: unknown): LocatedDocument {
    return new LocatedDocument(value, this.#spans);
  }

  /** True when the exact pointer (not an ancestor) has a recorded location. */
  has(pointer: string): boolean {
    return this.#spans.has(pointer);
  }
}
