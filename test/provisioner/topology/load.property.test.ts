/**
 * Property tests (fast-check): valid topologies mutated at random (structure, text, XML) never make the loader
 * throw; it answers with coded, well-formed diagnostics, and a topology exactly when there is no error. Every
 * topology it accepts renders without throwing and round-trips through YAML and XML export to the same
 * model. Seeds are fixed so a run is reproducible; FC_RUNS scales the number of cases (default small), FC_SEED replaces the seeds.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exportXml } from '../../../src/provisioner/render/export-xml.js';
import { renderAll } from '../../../src/provisioner/render/render-host.js';
import { TOPOLOGY_DIAGNOSTIC_CODES, type Diagnostic } from '../../../src/provisioner/topology/diagnostic.js';
import { exportYaml } from '../../../src/provisioner/topology/export-yaml.js';
import { loadTopologyText, type LoadResult } from '../../../src/provisioner/topology/load.js';
import { parseYaml, printYaml } from '../../../src/provisioner/topology/yaml-adapter.js';

const RUNS = Number(process.env['FC_RUNS'] ?? 150);
const SEED = process.env['FC_SEED'] === undefined ? undefined : Number(process.env['FC_SEED']);
const CODES = new Set<string>(TOPOLOGY_DIAGNOSTIC_CODES);
const EXAMPLES = ['local-ha.yaml', 'three-node.yaml', 'multi-service.yaml', 'secure-three-node.yaml', 'standalone.yaml'].map((f) =>
  readFileSync(`examples/${f}`, 'utf8'),
);
const ENV = { SCMCTL_SSH_USER: 'ozone' };

function wellFormed(d: Diagnostic, text: string): void {
  expect(CODES.has(d.code), d.code).toBe(true);
  expect(d.code).not.toBe('TOPOLOGY_INTERNAL');
  expect(['error', 'warning']).toContain(d.severity);
  expect(d.summary.length).toBeGreaterThan(0);
  const { start, end } = d.range;
  expect(start.line).toBeGreaterThanOrEqual(1);
  expect(start.column).toBeGreaterThanOrEqual(1);
  expect(end.byte).toBeGreaterThanOrEqual(start.byte);
  expect(start.byte).toBeLessThanOrEqual(Buffer.byteLength(text));
}

let accepted = 0;

/** The properties every load must satisfy; returns the result for further checks. */
function check(text: string, filename: string): LoadResult {
  let result: LoadResult | undefined;
  expect(() => (result = loadTopologyText(text, filename, { env: ENV }))).not.toThrow();
  const r = result!;
  for (const d of r.diagnostics) wellFormed(d, text);
  const errors = r.diagnostics.some((d) => d.severity === 'error');
  expect(r.topology === undefined).toBe(errors);
  if (r.topology) {
    accepted++;
    expect(() => renderAll(r.topology!)).not.toThrow();
    const viaYaml = loadTopologyText(exportYaml(r.topology), 'export.yaml');
    expect(viaYaml.topology).toEqual(r.topology);
    const viaXml = loadTopologyText(exportXml(r.topology), 'export.xml');
    expect(viaXml.topology).toEqual(r.topology);
  }
  return r;
}

// --- structural mutations of the YAML document -------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = Array<string | number>;

function paths(v: Json, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  return out;
}

const interesting: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>('scm1', 'scm2', 'scmservice', '127.0.0.1', 'local', 'ssh', 'address', 'any', '9894', '${UNSET}', '${SCMCTL_SSH_USER}', '/abs/dir', 'rel/dir', '', 'ozone.scm.adress.scmservice.scm1'),
  fc.integer({ min: -5, max: 70_000 }),
  fc.constantFrom<Json>(true, false, null, 9860, 9894, 0, 1.5),
  fc.string({ maxLength: 12 }),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
);

type Mutation = { kind: 'delete' | 'replace' | 'rename' | 'duplicate' | 'add'; at: number; value: Json; key: string };

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('delete', 'replace', 'rename', 'duplicate', 'add'),
  at: fc.nat(),
  value: interesting,
  key: fc.constantFrom('adress', 'nodeId', 'host', 'ports', 'directories', 'roles', 'primordial', 'x', '__proto__', 'ratis', 'listen'),
});

function apply(doc: Json, m: Mutation): Json {
  const all = paths(doc).filter((p) => p.length > 0);
  if (all.length === 0) return m.value;
  const path = all[m.at % all.length]!;
  const copy = structuredClone(doc) as { [k: string]: Json };
  let parent: Json = copy;
  for (const k of path.slice(0, -1)) parent = (parent as Record<string | number, Json>)[k] as Json;
  const last = path[path.length - 1]!;
  const container = parent as Record<string | number, Json>;
  if (Array.isArray(parent)) {
    const i = last as number;
    if (m.kind === 'delete') parent.splice(i, 1);
    else if (m.kind === 'duplicate' || m.kind === 'add') parent.splice(i, 0, structuredClone(parent[i]!));
    else parent[i] = m.value;
  } else if (m.kind === 'delete') delete container[last];
  else if (m.kind === 'rename') {
    const v = container[last]!;
    delete container[last];
    Object.defineProperty(container, m.key, { value: v, enumerable: true, writable: true, configurable: true });
  } else if (m.kind === 'add') Object.defineProperty(container, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
  else container[last] = m.value;
  return copy;
}

describe('the loader never throws, only reports coded diagnostics', () => {
  it('for structural mutations of valid YAML topologies', () => {
    const docs = EXAMPLES.map((t) => parseYaml(t).document!.value as Json);
    fc.assert(
      fc.property(fc.nat(docs.length - 1), fc.array(mutation, { minLength: 1, maxLength: 3 }), (which, ms) => {
        const doc = ms.reduce(apply, docs[which]!);
        check(printYaml(doc), 'mutated.yaml');
      }),
      { numRuns: RUNS, seed: SEED ?? 20261124 },
    );
  });

  it('for text mutations of valid YAML and XML files', () => {
    const texts = [...EXAMPLES.map((t) => ({ t, f: 'm.yaml' })), { t: readFileSync('examples/ozone-site.xml', 'utf8'), f: 'm.xml' }];
    const edit = fc.record({ at: fc.nat(), len: fc.nat(6), insert: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom(':', '-', '  ', '\n', '{', '[', '"', '<', '</', '&', '${X}', '\t', '#')) });
    fc.assert(
      fc.property(fc.nat(texts.length - 1), fc.array(edit, { minLength: 1, maxLength: 3 }), (which, edits) => {
        let { t } = texts[which]!;
        for (const e of edits) {
          const at = e.at % (t.length + 1);
          t = t.slice(0, at) + e.insert + t.slice(at + e.len);
        }
        check(t, texts[which]!.f);
      }),
      { numRuns: RUNS, seed: SEED ?? 424242 },
    );
  });

  it('for property-level mutations of an imported ozone-site.xml', () => {
    const names = ['ozone.scm.service.ids', 'ozone.scm.nodes.scmservice', 'ozone.scm.address.scmservice.scm2', 'ozone.scm.primordial.node.id', 'ozone.scm.ratis.port.scmservice.scm3', 'ozone.metadata.dirs', 'ozone.scm.ratis.enable', 'ozone.scm.http-address', 'scmctl.host.scm1', 'scmctl.ssh', 'ozone.scm.client.bind.host.scmservice.scm1', 'ozone.scm.db.dirs.scmservice.scm1', 'hdds.scm.kerberos.principal', 'scmctl.primordial.scmservice'];
    const values = fc.oneof(fc.constantFrom('scm1', 'scm1,scm2', '', 'x:y', '9894', 'true', 'maybe', '/d', '{"roles":["om"]}', '{"ssh":{"port":"x"}}', '[1]', 'scmservice,other', '0.0.0.0:99999'), fc.string({ maxLength: 8 }));
    const base = exportXml(loadTopologyText(readFileSync('examples/three-node.yaml', 'utf8'), 'x.yaml').topology!);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...names), values, fc.boolean()), { minLength: 1, maxLength: 4 }), (props) => {
        let text = base;
        for (const [name, value, remove] of props) {
          const re = new RegExp(`  <property>\\s*<name>${name.replace(/\./g, '\\.')}</name>[\\s\\S]*?</property>\\n`);
          text = text.replace(re, '');
          if (!remove) text = text.replace('</configuration>', `  <property><name>${name}</name><value>${value.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</value></property>\n</configuration>`);
        }
        check(text, 'mutated.xml');
      }),
      { numRuns: RUNS, seed: SEED ?? 7 },
    );
  });

  it('accepted a share of the mutated inputs, so the round-trip checks above really ran', () => {
    expect(accepted).toBeGreaterThan(RUNS / 10);
  });
});
