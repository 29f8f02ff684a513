/**
 * The saxes adapter (the only provisioner file importing saxes): reads a Hadoop `<configuration>` document
 * into its properties, keeping the source span of each `<property>`, its `<name>` text and its `<value>`
 * text. Entities are decoded; DTD-declared entities and XInclude are not supported (no external reads).
 */
import { SaxesParser } from 'saxes';
import type { Span } from './source-text.js';

export interface XmlProperty {
  readonly name: string;
  /** trimmed, as Ozone reads its keys (getTrimmed) */
  readonly value: string;
  readonly property: Span;
  readonly nameSpan: Span;
  readonly valueSpan: Span;
}

export interface XmlProblem {
  readonly kind: 'syntax' | 'structure';
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly span: Span;
}

export interface XmlParseResult {
  readonly properties: readonly XmlProperty[];
  readonly problems: readonly XmlProblem[];
}

const PROPERTY_CHILDREN = new Set(['name', 'value', 'final', 'description', 'source', 'tag']);

export function parseHadoopXml(text: string): XmlParseResult {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const properties: XmlProperty[] = [];
  const problems: XmlProblem[] = [];
  const stack: string[] = [];
  let syntaxFailed = false;
  let tagStart = 0;
  let buffer = '';
  let bufferStart = 0;
  let current: { start: number; name?: string; value?: string; nameSpan?: Span; valueSpan?: Span } | undefined;

  const here = (): number => parser.position;
  const startOfTag = (from: number): number => Math.max(0, text.lastIndexOf('<', Math.max(0, from - 1)));

  parser.on('error', (err) => {
    if (syntaxFailed) return;
    syntaxFailed = true;
    const at = Math.min(here(), text.length);
    // saxes reports after the offending token; point at its start (the tag's `<`) when it is a tag.
    const start = at > 0 && text[at - 1] === '>' ? startOfTag(at) : Math.max(0, at - 1);
    problems.push({ kind: 'syntax', severity: 'error', message: err.message.replace(/^(?:[^:]*:)?\d+:\d+: /, ''), span: { start, end: Math.max(start + 1, at) } });
  });
  parser.on('opentagstart', () => {
    tagStart = startOfTag(here());
  });
  parser.on('opentag', (tag) => {
    const name = tag.name;
    const span = { start: tagStart, end: here() };
    const parent = stack[stack.length - 1];
    if (/(^|:)include$/.test(name)) {
      problems.push({ kind: 'structure', severity: 'error', message: `<${name}> (XInclude) is not supported: inline the included properties`, span });
    } else if (parent === undefined && name !== 'configuration') {
      problems.push({ kind: 'structure', severity: 'error', message: `the root element is <${name}>; a Hadoop configuration file has <configuration>`, span });
    } else if (parent === 'configuration' && name !== 'property') {
      problems.push({ kind: 'structure', severity: 'warning', message: `<${name}> inside <configuration> is ignored`, span });
    } else if (parent === 'property' && !PROPERTY_CHILDREN.has(name)) {
      problems.push({ kind: 'structure', severity: 'warning', message: `<${name}> inside <property> is ignored`, span });
    }
    if (name === 'property' && parent === 'configuration') current = { start: tagStart };
    stack.push(name);
    buffer = '';
    bufferStart = here();
  });
  const onText = (t: string): void => {
    buffer += t;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', (tag) => {
    const end = here();
    const closeStart = startOfTag(end);
    stack.pop();
    const parent = stack[stack.length - 1];
    if (current && parent === 'property') {
      const raw = buffer;
      const lead = raw.length - raw.trimStart().length;
      const trimmed = raw.trim();
      const span = { start: bufferStart + lead, end: Math.max(bufferStart + lead, bufferStart + lead + trimmed.length) };
      // Spans of entity-bearing text are approximate (decoded length); they still start at the right place.
      const textSpan = trimmed === '' ? { start: bufferStart, end: closeStart } : { start: span.start, end: Math.min(span.end, closeStart) };
      if (tag.name === 'name') {
        current.name = trimmed;
        current.nameSpan = textSpan;
      } else if (tag.name === 'value') {
        current.value = trimmed;
        current.valueSpan = textSpan;
      }
    } else if (tag.name === 'property' && current) {
      const property = { start: current.start, end };
      if (current.name === undefined || current.name === '') {
        problems.push({ kind: 'structure', severity: 'error', message: 'a <property> without a <name>', span: property });
      } else if (current.value === undefined) {
        problems.push({ kind: 'structure', severity: 'warning', message: `property "${current.name}" has no <value> and is ignored, as Hadoop does`, span: property });
      } else {
        properties.push({ name: current.name, value: current.value, property, nameSpan: current.nameSpan ?? property, valueSpan: current.valueSpan ?? property });
      }
      current = undefined;
    }
    buffer = '';
    bufferStart = end;
  });
  try {
    parser.write(text).close();
  } catch (err) {
    if (!syntaxFailed) {
      syntaxFailed = true;
      problems.push({ kind: 'syntax', severity: 'error', message: err instanceof Error ? err.message : String(err), span: { start: Math.max(0, text.length - 1), end: text.length } });
    }
  }
  return { properties, problems };
}
