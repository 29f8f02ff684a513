/**
 * Architecture rules that no type checker enforces (docs/design.md §2 and §7), run on src/: the provisioner /
 * scm / common separation, the pure Raft core, one adapter per package and no re-export of a package, and the
 * layer order of folders read from the tables of docs/design.md §7. The rules live in ./boundary-rules.ts; the
 * second half of this file proves that each one fails on a throw-away tree that breaks it.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkLayers,
  checkLayerTables,
  checkNoPackageReexports,
  checkOneAdapterPerPackage,
  checkRaftPurity,
  checkSeparation,
  parseLayerTables,
} from './boundary-rules.js';
import { importsOf, loadTsFiles, parseTs } from './ts-source.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const files = loadTsFiles(root, 'src');
const design = readFileSync(join(root, 'docs/design.md'), 'utf8');

describe('module boundaries of src/', () => {
  it('finds source files in both programs and in src/common', () => {
    const tops = new Set(files.map((f) => f.rel.split('/').slice(0, 2).join('/')));
    expect([...tops].sort()).toEqual(['src/common', 'src/provisioner', 'src/scm']);
  });

  it('keeps provisioner, scm and common apart; src/common imports no package and no node:*', () => {
    expect(checkSeparation(files)).toEqual([]);
  });

  it('keeps src/scm/raft free of I/O, clocks, randomness and async', () => {
    expect(checkRaftPurity(files)).toEqual([]);
  });

  it('imports each third-party package from at most one adapter file per program', () => {
    expect(checkOneAdapterPerPackage(files)).toEqual([]);
  });

  it('never re-exports what an adapter imports from its package', () => {
    expect(checkNoPackageReexports(files)).toEqual([]);
  });

  it('reads a well-formed, acyclic layer table per program from docs/design.md §7', () => {
    const tables = parseLayerTables(design);
    expect(tables.map((t) => t.program).sort()).toEqual(['provisioner', 'scm']);
    expect(checkLayerTables(tables)).toEqual([]);
  });

  it('imports between folders only as the layer tables allow, with a row for every folder', () => {
    expect(checkLayers(files, parseLayerTables(design))).toEqual([]);
  });
});

/** A throw-away source tree: `write` puts files under a fresh temp dir, `load` parses its src/. */
function tree(): { write: (files: Record<string, string>) => void; load: () => ReturnType<typeof loadTsFiles>; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'scmctl-boundaries-'));
  made.push(dir);
  return {
    dir,
    write: (entries) => {
      for (const [rel, text] of Object.entries(entries)) {
        mkdirSync(dirname(join(dir, rel)), { recursive: true });
        writeFileSync(join(dir, rel), text);
      }
    },
    load: () => loadTsFiles(dir, 'src'),
  };
}
const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** The violations of `rule` on a tree holding one raft file with `body`. */
function raftViolations(body: string): string[] {
  const t = tree();
  t.write({ 'src/scm/raft/core.ts': body });
  return checkRaftPurity(t.load());
}

describe('the rules catch each forbidden pattern (throw-away files)', () => {
  it('separation: provisioner → scm, scm → provisioner, common → a program, a package or node:*', () => {
    const t = tree();
    t.write({
      'src/provisioner/plan/a.ts': "import { x } from '../../scm/state/x.js';\n",
      'src/scm/state/x.ts': "import type { P } from '../../provisioner/plan/a.js';\nexport const x = 1;\n",
      'src/common/c.ts': "import { readFileSync } from 'node:fs';\nimport YAML from 'yaml';\nimport { x } from '../scm/state/x.js';\n",
      'src/common/ok.ts': "import { brand } from './brand.js';\n",
    });
    const v = checkSeparation(t.load());
    expect(v).toEqual([
      'src/common/c.ts:1: imports node:fs (src/common takes no packages and no Node built-ins)',
      'src/common/c.ts:2: imports yaml (src/common takes no packages and no Node built-ins)',
      'src/common/c.ts:3: imports src/scm/state/x.ts',
      'src/provisioner/plan/a.ts:1: imports src/scm/state/x.ts',
      'src/scm/state/x.ts:1: imports src/provisioner/plan/a.ts',
    ]);
  });

  it.each([
    ['console', 'export function f(): void { console.log("x"); }', 'console (I/O)'],
    ['performance.now()', 'export const t = (): number => performance.now();', 'performance (clock)'],
    ['crypto.getRandomValues()', 'export const r = (): Uint32Array => crypto.getRandomValues(new Uint32Array(1));', 'crypto (randomness)'],
    ['Math.random', 'export const r = (): number => Math.random();', 'Math.random'],
    ["Math['random']", "export const r = (): number => Math['random']();", 'Math.random'],
    ['Date.now()', 'export const t = (): number => Date.now();', 'Date (wall clock)'],
    ['new Date()', 'export const t = (): object => new Date();', 'Date (wall clock)'],
    ['globalThis', "export const g = (): unknown => (globalThis as Record<string, unknown>)['perf' + 'ormance'];", 'globalThis (a way around every rule here)'],
    ['setTimeout', 'export const s = (f: () => void): unknown => setTimeout(f, 1);', 'timers'],
    ['process', 'export const e = (): unknown => process.env;', 'process'],
    ['async', 'export async function f(): Promise<void> {}', 'async/await'],
  ])('raft purity: %s', (_name, body, what) => {
    expect(raftViolations(body)).toContainEqual(expect.stringMatching(new RegExp(`^src/scm/raft/core\\.ts:1: uses ${what.replace(/[()]/g, '\\$&')}$`)));
  });

  it('raft purity: imports of node:*, packages, other folders and run-time loads', () => {
    const v = raftViolations(
      [
        "import { randomBytes } from 'node:crypto';",
        "import fc from 'fast-check';",
        "import type { X } from '../driver/x.js';",
        "import { brand } from '../../common/brand.js';",
        "import { Entry } from './types.js';",
        "export const load = (): unknown => import('./lazy.js');",
      ].join('\n'),
    );
    expect(v).toEqual([
      'src/scm/raft/core.ts:1: imports node:crypto',
      'src/scm/raft/core.ts:2: imports fast-check',
      'src/scm/raft/core.ts:3: imports src/scm/driver/x.ts',
      'src/scm/raft/core.ts:6: loads ./lazy.js at run time',
    ]);
  });

  it('raft purity: names that only look like globals are fine (members, keys, strings, comments)', () => {
    const body = [
      '// console.log, Date.now() and Math.random() in a comment',
      "export const text = 'console performance crypto Date';",
      'export interface Clockish { readonly performance: number; console(): void }',
      'export const o = { crypto: 1, Date: 2 };',
      'export const f = (x: { process: number; random: () => number }): number => x.process + x.random();',
      'export const { Date: d } = o;',
    ].join('\n');
    expect(raftViolations(body)).toEqual([]);
  });

  it('one adapter per package: a second file importing the same package, even lazily', () => {
    const t = tree();
    t.write({
      'src/provisioner/topology/yaml-adapter.ts': "import { parse } from 'yaml';\n",
      'src/provisioner/plan/p.ts': "const m = (): Promise<unknown> => import('yaml');\n",
      'src/scm/config/y.ts': "import { parse } from 'yaml';\n",
    });
    expect(checkOneAdapterPerPackage(t.load())).toEqual(['provisioner:yaml imported by src/provisioner/plan/p.ts, src/provisioner/topology/yaml-adapter.ts']);
  });

  it.each([
    ['export { X } from pkg', "export { Command } from 'commander';", 're-exports from package commander'],
    ['export * from pkg', "export * from 'commander';", 're-exports from package commander'],
    ['export type { T } from pkg', "export type { Option } from 'commander';", 're-exports from package commander'],
    ['export { X } of an imported binding', "import { Command } from 'commander';\nexport { Command };", 'exports Command, a binding of package commander'],
    ['export { X as Y } of a renamed binding', "import { Command as C } from 'commander';\nexport { C as Program };", 'exports C, a binding of package commander'],
    ['export default X', "import Mustache from 'mustache';\nexport default Mustache;", 'exports a binding of package mustache as its default'],
    ['export const Y = X.y', "import forge from 'node-forge';\nexport const pki = forge.pki;", 'exports pki = a binding of package node-forge'],
    ['export type Y = T', "import type { Document } from 'yaml';\nexport type YamlDocument = Document;", 'exports type YamlDocument = a type of package yaml'],
  ])('adapter re-export: %s', (_name, src, what) => {
    const t = tree();
    t.write({ 'src/provisioner/x/adapter.ts': src });
    expect(checkNoPackageReexports(t.load())).toEqual([expect.stringMatching(new RegExp(`^src/provisioner/x/adapter\\.ts:\\d+: ${what}$`))]);
  });

  it('adapter re-export: our own wrappers and types built from the package are fine', () => {
    const t = tree();
    t.write({
      'src/provisioner/x/adapter.ts': [
        "import { Command, type Option } from 'commander';",
        'export interface Flag { readonly name: string }',
        'export function program(): { run(): void } { const c = new Command(); return { run: () => void c }; }',
        'export type Flags = readonly Flag[];',
        'export const flagOf = (o: Option): Flag => ({ name: o.name() });',
      ].join('\n'),
    });
    expect(checkNoPackageReexports(t.load())).toEqual([]);
  });

  const table = (rows: string): string =>
    ['### 7.1 `src/provisioner`', '', '| layer | folder | may import | tolerated type-only imports (to remove) |', '|---|---|---|---|', rows, ''].join('\n');

  it('layers: an upward import, a value import where only types are allowed, a folder without a row, a stale row', () => {
    const t = tree();
    t.write({
      'src/provisioner/topology/model.ts': "import { plan } from '../plan/plan.js';\nimport { common } from '../../common/c.js';\n",
      'src/provisioner/plan/plan.ts': "import type { Host } from '../hosts/h.js';\nimport { connect } from '../hosts/h.js';\nexport const plan = 1;\n",
      'src/provisioner/hosts/h.ts': 'export const connect = 1;\nexport type Host = string;\n',
      'src/provisioner/extra/e.ts': 'export const e = 1;\n',
    });
    const tables = parseLayerTables(
      table(['| 1 | `hosts` | — | |', '| 1 | `topology` | — | |', '| 2 | `plan` | `hosts` (types), `topology` | |', '| 3 | `gone` | `plan` | |'].join('\n')),
    );
    expect(checkLayerTables(tables)).toEqual([]);
    expect(checkLayers(t.load(), tables)).toEqual([
      'src/provisioner/extra/e.ts: src/provisioner/extra has no row in the layer table of docs/design.md §7',
      'src/provisioner/plan/plan.ts:2: an import of src/provisioner/hosts/h.ts: `plan` may import only types from `hosts` (docs/design.md §7)',
      'src/provisioner/topology/model.ts:1: an import of src/provisioner/plan/plan.ts: `topology` may not import `plan` (docs/design.md §7)',
      'docs/design.md:8: the layer table of src/provisioner has a row for `gone`, which has no files',
    ]);
  });

  it('layers: a tolerated type-only import covers types only, and fails once nothing uses it', () => {
    const t = tree();
    t.write({
      'src/provisioner/hosts/h.ts': "import type { Plan } from '../plan/plan.js';\nexport type Host = string;\n",
      'src/provisioner/plan/plan.ts': 'export type Plan = number;\n',
      'src/provisioner/facts/f.ts': 'export const f = 1;\n',
    });
    const rows = ['| 1 | `hosts` | — | `plan` |', '| 1 | `facts` | — | `plan` |', '| 2 | `plan` | `hosts` | |'].join('\n');
    expect(checkLayers(t.load(), parseLayerTables(table(rows)))).toEqual([
      'docs/design.md:6: `facts` no longer needs its tolerated type-only import of `plan`: remove it from the table',
    ]);
    t.write({ 'src/provisioner/hosts/h.ts': "import { plan } from '../plan/plan.js';\nexport type Host = string;\n" });
    expect(checkLayers(t.load(), parseLayerTables(table(rows)))).toContainEqual(
      'src/provisioner/hosts/h.ts:1: an import of src/provisioner/plan/plan.ts: `hosts` may not import `plan` (docs/design.md §7)',
    );
  });

  it('layer tables: a row that lists its own or a higher layer (a cycle), an unknown folder, a folder twice', () => {
    const tables = parseLayerTables(
      table(['| 1 | `hosts` | `plan` | |', '| 2 | `plan` | `hosts`, `nowhere` | |', '| 2 | `plan` | — | |'].join('\n')),
    );
    expect(checkLayerTables(tables)).toEqual([
      'src/provisioner: `plan` has two rows (lines 6 and 7)',
      'src/provisioner: `hosts` (layer 1) may import `plan` of layer 2: a row may only list lower layers',
      'src/provisioner: the row of `plan` (line 6) names `nowhere`, which has no row',
    ]);
  });
});

describe('importsOf (the parser under every rule)', () => {
  it('sees static, re-export, side-effect, dynamic, require and import-type references, not comments or strings', () => {
    const f = parseTs(
      'x.ts',
      [
        "import a from 'x';",
        'import type { B } from "../y.js";',
        "import { type C, type D } from './cd.js';",
        "import { type E, f } from './ef.js';",
        "export * from './z.js';",
        "export type { G } from './g.js';",
        "import 'side';",
        "const m = await import('dyn');",
        "const r = require('req');",
        "type T = typeof import('./t.js');",
        "// import fake from 'commented';",
        "const s = \"import nope from 'string'\";",
      ].join('\n'),
    );
    expect(importsOf(f).map((i) => `${i.spec}${i.typeOnly ? ' (type)' : ''}`)).toEqual([
      'x',
      '../y.js (type)',
      './cd.js (type)',
      './ef.js',
      './z.js',
      './g.js (type)',
      'side',
      'dyn',
      'req',
      './t.js (type)',
    ]);
  });
});
