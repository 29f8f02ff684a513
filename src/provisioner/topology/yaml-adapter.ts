/**
 * The `yaml` adapter (the only provisioner file importing the package): parses one YAML document into plain
 * data plus the source span of every key and value (by JSON pointer), and prints data back as YAML.
 * Anchors, aliases and `<<` merge keys are resolved (at most 100 alias expansions, guarding against
 * "billion laughs"); values reached through an alias are located at the alias. Custom tags are reported by
 * the parser as warnings and read as their plain value.
 *
 * Duplicate keys: the package's own check (`uniqueKeys: true`) compares each new key with every earlier key
 * of its mapping, quadratic in the keys of one mapping (20,000 keys took seconds). It is off; instead one
 * pass over the composed tree keeps a Set of key values per mapping (linear) and reports DUPLICATE_KEY at
 * the second occurrence, with the package's key equality: scalars by value (`1` and `"1"` differ), `<<`
 * merge keys may repeat, collection keys never compare equal.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument, stringify, type Document, type Node as YamlNode } from 'yaml';
import { childPointer } from './json-pointer.js';
import { LocatedDocument, type Located } from './located-document.js';
import type { Span } from './source-text.js';

export interface YamlProblem {
  readonly severity: 'error' | 'warning';
  /** the yaml package's own code, e.g. BAD_INDENT, DUPLICATE_KEY, MULTIPLE_DOCS */
  readonly yamlCode: string;
  readonly message: string;
  readonly span: Span;
}

export interface YamlParseResult {
  /** undefined when the text has syntax errors */
  readonly document?: LocatedDocument;
  readonly problems: readonly YamlProblem[];
}

function spanOf(node: { range?: readonly [number, number, number] | null } | null | undefined): Span | undefined {
  const r = node?.range;
  return r ? { start: r[0], end: r[1] } : undefined;
}

function keyToken(key: unknown): string {
  if (isScalar(key)) return key.value === null || key.value === undefined ? '' : String(key.value);
  return String(key);
}

function walk(node: unknown, ptr: string, keySpan: Span | undefined, out: Map<string, Located>): void {
  const value = spanOf(node as YamlNode);
  if (value) out.set(ptr, keySpan ? { key: keySpan, value } : { value });
  else if (keySpan) out.set(ptr, { key: keySpan, value: keySpan });
  if (isAlias(node)) return;
  if (isMap(node)) {
    for (const item of node.items) {
      if (!isPair(item)) continue;
      walk(item.value, childPointer(ptr, keyToken(item.key)), spanOf(item.key as YamlNode), out);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => walk(item, childPointer(ptr, i), undefined, out));
  }
}

/** Every key that repeats an earlier key of its mapping, in document order; linear in the number of nodes. */
function duplicateKeys(root: unknown): YamlProblem[] {
  const out: YamlProblem[] = [];
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const item of node.items) {
        if (!isPair(item)) continue;
        const key = item.key;
        // a merge key's value is a fresh Symbol, so `<<` never repeats; collection keys compare by identity
        if (isScalar(key) && typeof key.value !== 'symbol') {
          if (seen.has(key.value)) {
            const span = spanOf(key as YamlNode) ?? { start: 0, end: 0 };
            out.push({ severity: 'error', yamlCode: 'DUPLICATE_KEY', message: `the key "${keyToken(key)}" appears twice in one mapping`, span });
          } else seen.add(key.value);
        }
        stack.push(item.key, item.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
  return out.sort((a, b) => a.span.start - b.span.start);
}

function parse(text: string, options: { prettyErrors?: boolean }): { doc: Document.Parsed; errors: YamlProblem[] } {
  const doc = parseDocument(text, { ...options, uniqueKeys: false, strict: true, merge: true });
  const errors: YamlProblem[] = [
    ...doc.errors.map((e) => ({ severity: 'error' as const, yamlCode: e.code, message: e.message, span: { start: e.pos[0], end: e.pos[1] } })),
    ...duplicateKeys(doc.contents),
  ];
  return { doc, errors };
}

export function parseYaml(text: string): YamlParseResult {
  const { doc, errors } = parse(text, { prettyErrors: false });
  const problems: YamlProblem[] = [
    ...errors,
    ...doc.warnings.map((e) => ({ severity: 'warning' as const, yamlCode: e.code, message: e.message, span: { start: e.pos[0], end: e.pos[1] } })),
  ];
  if (errors.length > 0) return { problems };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { problems: [...problems, { severity: 'error', yamlCode: 'RESOLVE', message, span: { start: 0, end: 0 } }] };
  }
  const spans = new Map<string, Located>();
  walk(doc.contents, '', undefined, spans);
  return { document: new LocatedDocument(value ?? null, spans), problems };
}

/** Plain data → YAML text (block style, keys in insertion order, no line folding). */
export function printYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, indent: 2, indentSeq: true, aliasDuplicateObjects: false });
}

export type YamlPath = readonly (string | number)[];

/** Edits of one YAML document that keep its comments, order and style (`scmctl migrate --add-nodes`). */
export interface YamlEditor {
  /** the plain value at `path` (undefined when absent) */
  get(path: YamlPath): unknown;
  /** sets a value, creating missing mappings on the way */
  set(path: YamlPath, value: unknown): void;
  /** appends to the sequence at `path` (created when absent) */
  append(path: YamlPath, value: unknown): void;
}

/** Applies `edit` to the document in `text`; returns the new text (null when the text does not parse). */
export function editYaml(text: string, edit: (e: YamlEditor) => void): string | null {
  const { doc, errors } = parse(text, {});
  if (errors.length > 0) return null;
  const plain = (v: unknown): unknown => (v && typeof v === 'object' && 'toJSON' in v ? (v as { toJSON(): unknown }).toJSON() : v);
  edit({
    get: (path) => plain(doc.getIn([...path], false)),
    set: (path, value) => {
      // a scalar keeps its comments and style: change its value in place
      const node = doc.getIn([...path], true);
      if (isScalar(node) && (value === null || typeof value !== 'object')) node.value = value;
      else doc.setIn([...path], doc.createNode(value));
    },
    append: (path, value) => {
      if (!doc.hasIn([...path])) doc.setIn([...path], doc.createNode([]));
      doc.addIn([...path], doc.createNode(value));
    },
  });
  return doc.toString({ lineWidth: 0, indent: 2, indentSeq: true });
}
