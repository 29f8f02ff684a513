/**
 * Golden files for the ozone-site.xml import (xml-import.ts and its sections under xml-import/): for each
 * fixture, the document the import builds, the `<property>` each of its values is located at, and the
 * import's own diagnostics in the order it reports them. The import is split by section over shared state,
 * and the order of the sections decides the document, the locations (first writer wins) and the diagnostics:
 * these files pin all three. REWRITE=1 regenerates them; review the diff like code.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { childPointer } from '../../../src/provisioner/topology/json-pointer.js';
import type { LocatedDocument } from '../../../src/provisioner/topology/located-document.js';
import { Reporter } from '../../../src/provisioner/topology/reporter.js';
import { SourceText } from '../../../src/provisioner/topology/source-text.js';
import { parseHadoopXml } from '../../../src/provisioner/topology/xml-adapter.js';
import { importOzoneSite } from '../../../src/provisioner/topology/xml-import.js';
import { codes, load, valid } from './helpers.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(HERE, 'fixtures', 'xml-import');
const GOLDEN = join(HERE, 'golden', 'xml-import');

/** Every pointer of a JSON value, parents before children. */
function pointers(value: unknown, at = ''): string[] {
  const out = [at];
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out.push(...pointers(v, childPointer(at, Array.isArray(value) ? Number(k) : k)));
  }
  return out;
}

function imported(file: string, text: string): unknown {
  const source = new SourceText(file, text);
  const reporter = new Reporter(source);
  const doc: LocatedDocument | undefined = importOzoneSite(source, reporter);
  const byNameStart = new Map(parseHadoopXml(text).properties.map((p) => [p.nameSpan.start, p]));
  const locations: Record<string, string> = {};
  for (const p of doc ? pointers(doc.value) : []) {
    if (!doc!.has(p)) continue;
    const prop = byNameStart.get(doc!.locate(p).key!.start)!;
    locations[p === '' ? '/' : p] = `${prop.name} (line ${source.range(prop.nameSpan).start.line})`;
  }
  return {
    document: doc ? doc.value : null,
    locations,
    diagnostics: reporter.diagnostics.map((d) => ({
      severity: d.severity,
      code: d.code,
      at: `${d.range.start.line}:${d.range.start.column}`,
      summary: d.summary,
      ...(d.hint === undefined ? {} : { hint: d.hint }),
    })),
  };
}

const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.xml')).sort();

describe('ozone-site.xml import golden files (REWRITE=1 regenerates them)', () => {
  it.each(fixtures)('%s', (f) => {
    const actual = `${JSON.stringify(imported(f, readFileSync(join(FIXTURES, f), 'utf8')), null, 2)}\n`;
    const golden = join(GOLDEN, f.replace(/\.xml$/, '.json'));
    if (process.env['REWRITE'] === '1') {
      mkdirSync(GOLDEN, { recursive: true });
      writeFileSync(golden, actual);
    }
    expect(existsSync(golden), `${golden} is missing: run REWRITE=1 npx vitest run ${basename(fileURLToPath(import.meta.url))}`).toBe(true);
    expect(actual).toBe(readFileSync(golden, 'utf8'));
  });

  it('covers what the fixtures are named for: a valid file with every section, one with problems, a legacy one', () => {
    const every = valid(readFileSync(join(FIXTURES, 'every-section.xml'), 'utf8'), 'every-section.xml');
    expect(every.services.map((s) => s.serviceId)).toEqual(['east', 'west']);
    expect(every.hosts.map((h) => h.name)).toEqual(['om1', 'scm-a', '10.0.0.2', 'scm-c', '10.0.1.1', '10.0.1.2', '10.0.1.3', 'dn1']);
    const problems = load(readFileSync(join(FIXTURES, 'problems.xml'), 'utf8'), 'problems.xml');
    expect(problems.topology).toBeUndefined();
    expect(new Set(codes(problems))).toEqual(
      new Set([
        'TOPOLOGY_XML_DUPLICATE_PROPERTY',
        'TOPOLOGY_XML_UNKNOWN_SCMCTL_KEY',
        'TOPOLOGY_XML_INVALID_VALUE',
        'TOPOLOGY_XML_MISSING_KEY',
        'TOPOLOGY_XML_DEPRECATED_KEY',
        'TOPOLOGY_XML_IGNORED_VALUE',
        'TOPOLOGY_PRIMORDIAL_NOT_A_NODE',
        'TOPOLOGY_UNKNOWN_SCM_KEY',
      ]),
    );
    expect(codes(load(readFileSync(join(FIXTURES, 'legacy-names.xml'), 'utf8'), 'legacy-names.xml'))).toContain('TOPOLOGY_XML_LEGACY_NAMES');
    expect(codes(load(readFileSync(join(FIXTURES, 'no-service.xml'), 'utf8'), 'no-service.xml'))).toEqual(['TOPOLOGY_XML_NO_SERVICE']);
  });
});
