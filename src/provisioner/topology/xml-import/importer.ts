/**
 * The state one ozone-site.xml import shares between its sections (xml-import.ts lists them): the file's
 * properties by name (the last definition wins, as in Hadoop), which of them a section has consumed, and
 * where each value of the topology document came from. Properties nobody consumes end up in
 * `spec.properties` (properties.ts), so a section takes a key exactly when it maps it.
 *
 * `openSite` parses the file (xml-adapter.ts) and reports XML problems; it answers undefined when the file
 * cannot be read as a Hadoop configuration.
 */
import type { Located } from '../located-document.js';
import type { Reporter } from '../reporter.js';
import type { SourceText, Span } from '../source-text.js';
import { parseHadoopXml, type XmlProperty } from '../xml-adapter.js';

export type Json = Record<string, unknown>;

/** A property holding JSON in the shape of a YAML entry (`scmctl.host.<name>`, `scmctl.node.<sid>.<nid>`). */
export interface JsonProperty {
  readonly prop: XmlProperty;
  readonly value: Json;
}

/** One SCM node as its address key declares it (`ozone.scm.address.<sid>.<nid>`, or an `ozone.scm.names` entry). */
export interface NodeAddress {
  readonly nid: string;
  /** the hostname, without a port */
  readonly address: string;
  readonly addressProp: XmlProperty;
  /** a (deprecated) port written inside the address */
  readonly port?: string;
}

type DiagnosticCode = Parameters<Reporter['atSpan']>[2];

/** Sets an own property even for names like `__proto__` (which plain assignment would swallow). */
export function setOwn(target: Json, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export class Importer {
  readonly props = new Map<string, XmlProperty>();
  readonly consumed = new Set<string>();
  readonly spans = new Map<string, Located>();
  readonly source: SourceText;
  readonly reporter: Reporter;
  rootSpan: Span = { start: 0, end: 0 };

  constructor(source: SourceText, reporter: Reporter) {
    this.source = source;
    this.reporter = reporter;
  }

  take(name: string): XmlProperty | undefined {
    const p = this.props.get(name);
    if (p) this.consumed.add(name);
    return p;
  }

  /** Records that the value at `ptr` came from `prop` (first writer wins). */
  locate(ptr: string, prop: XmlProperty | undefined): void {
    if (!prop || this.spans.has(ptr)) return;
    this.spans.set(ptr, { key: prop.nameSpan, value: prop.valueSpan });
  }

  error(prop: XmlProperty | undefined, code: DiagnosticCode, summary: string, hint?: string, on: 'name' | 'value' = 'value'): void {
    const span = prop ? (on === 'name' ? prop.nameSpan : prop.valueSpan) : this.rootSpan;
    this.reporter.atSpan(span, 'error', code, summary, hint === undefined ? {} : { hint });
  }

  warn(prop: XmlProperty | undefined, code: DiagnosticCode, summary: string, hint?: string, on: 'name' | 'value' = 'value'): void {
    const span = prop ? (on === 'name' ? prop.nameSpan : prop.valueSpan) : this.rootSpan;
    this.reporter.atSpan(span, 'warning', code, summary, hint === undefined ? {} : { hint });
  }

  json(prop: XmlProperty): Json | undefined {
    try {
      const v: unknown = JSON.parse(prop.value);
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Json;
    } catch {
      // reported below
    }
    this.error(prop, 'TOPOLOGY_XML_INVALID_VALUE', `${prop.name} must hold a JSON object`, 'the value is JSON in the shape of the YAML entry, e.g. {"address":"10.0.0.1"}');
    return undefined;
  }
}

/** Parses the file into an Importer; reports XML problems; undefined when one of them is an error. */
export function openSite(source: SourceText, reporter: Reporter): Importer | undefined {
  const parsed = parseHadoopXml(source.text);
  for (const p of parsed.problems) {
    reporter.atSpan(p.span, p.severity, p.kind === 'syntax' ? 'TOPOLOGY_XML_SYNTAX' : 'TOPOLOGY_XML_STRUCTURE', p.kind === 'syntax' ? `malformed XML: ${p.message}` : p.message, {
      hint: p.kind === 'syntax' ? 'fix the XML at this position (every tag closed, in order; & written as &amp;)' : 'a Hadoop configuration is <configuration> with <property><name>…</name><value>…</value></property> elements',
    });
  }
  if (parsed.problems.some((p) => p.severity === 'error')) return undefined;

  const im = new Importer(source, reporter);
  const rootAt = source.text.indexOf('<configuration');
  im.rootSpan = rootAt >= 0 ? { start: rootAt, end: rootAt + '<configuration'.length } : { start: 0, end: 0 };
  for (const p of parsed.properties) {
    const earlier = im.props.get(p.name);
    if (earlier) {
      im.warn(p, 'TOPOLOGY_XML_DUPLICATE_PROPERTY', `property "${p.name}" is set twice; the last one wins, as in Hadoop`, 'remove the earlier definition', 'name');
    }
    im.props.set(p.name, p);
  }
  return im;
}
