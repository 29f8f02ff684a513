/**
 * The architecture rules no type checker enforces (docs/design.md §2 and §7), as functions over parsed files, so
 * test/architecture/boundaries.test.ts runs them on src/ and proves each can fail on throw-away files:
 *  1. checkSeparation: src/provisioner and src/scm never import each other; src/common imports only itself, no
 *     package and no Node built-in (`node:*`).
 *  2. checkRaftPurity: src/scm/raft imports only its own files and src/common/{brand,coded-error}; it uses no
 *     timers, Date, Math.random, performance, crypto, console, process, globalThis, Promise or async/await.
 *  3. checkOneAdapterPerPackage: each third-party package is imported by at most one file per program.
 *  4. checkNoPackageReexports: an adapter hands out our own types and functions, never the package's: no
 *     `export … from 'pkg'`, no `export { X }` / `export default X` / `export const Y = X[.y]` / `export type Y = X`
 *     of a binding imported from a package (types included: other files depend on our interfaces).
 *  5. checkLayers: every folder of a program has a row in the layer tables of docs/design.md §7 and imports only
 *     the folders its row lists (src/common always); tolerated type-only imports are listed per row and must
 *     still be in use. checkLayerTables: a row lists only folders of a lower layer, so the order has no cycle.
 * Each returns human-readable violations (`file:line: …`); an empty list means the rule holds.
 */
import { posix } from 'node:path';
import ts from 'typescript';
import { importsOf, lineOf, packageName, walk, type TsFile } from './ts-source.js';

type Area = 'provisioner' | 'scm' | 'common' | 'other';

export function areaOf(rel: string): Area {
  if (rel.startsWith('src/provisioner/')) return 'provisioner';
  if (rel.startsWith('src/scm/')) return 'scm';
  if (rel.startsWith('src/common/')) return 'common';
  return 'other';
}

/** The file a relative specifier names, relative to the root, `.js` read as `.ts`. */
export function resolveSpec(fromRel: string, spec: string): string {
  return posix.normalize(posix.join(posix.dirname(fromRel), spec)).replace(/\.js$/, '.ts');
}

// 1 ------------------------------------------------------------------------------------------------------------

export function checkSeparation(files: readonly TsFile[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    const from = areaOf(f.rel);
    for (const imp of importsOf(f)) {
      const where = `${f.rel}:${imp.line}`;
      if (!imp.spec.startsWith('.')) {
        if (from === 'common') out.push(`${where}: imports ${imp.spec} (src/common takes no packages and no Node built-ins)`);
        continue;
      }
      const target = resolveSpec(f.rel, imp.spec);
      const to = areaOf(target);
      if ((from === 'provisioner' && to === 'scm') || (from === 'scm' && to === 'provisioner') || (from === 'common' && to !== 'common')) {
        out.push(`${where}: imports ${target}`);
      }
    }
  }
  return out;
}

// 2 ------------------------------------------------------------------------------------------------------------

const RAFT_ALLOWED_OUTSIDE = new Set(['src/common/brand.ts', 'src/common/coded-error.ts']);

/** Globals the pure Raft core must not touch, and why. */
const RAFT_BANNED_GLOBALS: ReadonlyMap<string, string> = new Map([
  ['setTimeout', 'timers'],
  ['setInterval', 'timers'],
  ['setImmediate', 'timers'],
  ['queueMicrotask', 'timers'],
  ['clearTimeout', 'timers'],
  ['clearInterval', 'timers'],
  ['clearImmediate', 'timers'],
  ['Date', 'Date (wall clock)'],
  ['performance', 'performance (clock)'],
  ['crypto', 'crypto (randomness)'],
  ['console', 'console (I/O)'],
  ['process', 'process'],
  ['globalThis', 'globalThis (a way around every rule here)'],
  ['Promise', 'Promise'],
  ['require', 'require'],
]);

/** True if `id` is read as a variable, not a property name, a member name or a declaration's own name. */
function isVariableReference(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
  if (ts.isQualifiedName(p) && p.right === id) return false;
  if (
    (ts.isPropertyAssignment(p) ||
      ts.isPropertySignature(p) ||
      ts.isPropertyDeclaration(p) ||
      ts.isMethodDeclaration(p) ||
      ts.isMethodSignature(p) ||
      ts.isGetAccessorDeclaration(p) ||
      ts.isSetAccessorDeclaration(p) ||
      ts.isEnumMember(p)) &&
    p.name === id
  ) {
    return false;
  }
  if (ts.isBindingElement(p) && p.propertyName === id) return false;
  if ((ts.isImportSpecifier(p) || ts.isExportSpecifier(p)) && p.propertyName === id) return false;
  if (ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) return false;
  return true;
}

export function checkRaftPurity(files: readonly TsFile[]): string[] {
  const out: string[] = [];
  for (const f of files.filter((x) => x.rel.startsWith('src/scm/raft/'))) {
    for (const imp of importsOf(f)) {
      const where = `${f.rel}:${imp.line}`;
      if (!imp.spec.startsWith('.')) {
        out.push(`${where}: imports ${imp.spec}`);
        continue;
      }
      if (imp.kind === 'dynamic' || imp.kind === 'require') out.push(`${where}: loads ${imp.spec} at run time`);
      const target = resolveSpec(f.rel, imp.spec);
      if (!target.startsWith('src/scm/raft/') && !RAFT_ALLOWED_OUTSIDE.has(target)) out.push(`${where}: imports ${target}`);
    }
    walk(f, (node) => {
      const where = `${f.rel}:${lineOf(f, node.getStart(f.ast))}`;
      if (ts.isIdentifier(node) && RAFT_BANNED_GLOBALS.has(node.text) && isVariableReference(node)) {
        out.push(`${where}: uses ${RAFT_BANNED_GLOBALS.get(node.text)}`);
      } else if (node.kind === ts.SyntaxKind.AsyncKeyword || ts.isAwaitExpression(node)) {
        out.push(`${where}: uses async/await`);
      } else if (
        (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) &&
        ts.isIdentifier(node.expression) &&
        node.expression.text === 'Math' &&
        (ts.isPropertyAccessExpression(node) ? node.name.text : ts.isStringLiteralLike(node.argumentExpression) ? node.argumentExpression.text : '') === 'random'
      ) {
        out.push(`${where}: uses Math.random`);
      }
    });
  }
  return out;
}

// 3 ------------------------------------------------------------------------------------------------------------

export function checkOneAdapterPerPackage(files: readonly TsFile[]): string[] {
  const users = new Map<string, Set<string>>();
  for (const f of files) {
    for (const imp of importsOf(f)) {
      const pkg = packageName(imp.spec);
      if (!pkg) continue;
      const key = `${areaOf(f.rel)}:${pkg}`;
      users.set(key, (users.get(key) ?? new Set()).add(f.rel));
    }
  }
  return [...users.entries()].filter(([, set]) => set.size > 1).map(([key, set]) => `${key} imported by ${[...set].sort().join(', ')}`);
}

// 4 ------------------------------------------------------------------------------------------------------------

function isExported(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

/** The identifier an expression or type starts from (`a.b.c` → `a`), or null. */
function rootName(node: ts.Node): string | null {
  if (ts.isIdentifier(node)) return node.text;
  if (ts.isPropertyAccessExpression(node)) return rootName(node.expression);
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node)) return rootName(node.expression);
  if (ts.isQualifiedName(node)) return rootName(node.left);
  if (ts.isTypeReferenceNode(node)) return rootName(node.typeName);
  if (ts.isTypeQueryNode(node)) return rootName(node.exprName);
  if (ts.isParenthesizedTypeNode(node)) return rootName(node.type);
  return null;
}

export function checkNoPackageReexports(files: readonly TsFile[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    const fromPackage = new Map<string, string>(); // local binding → package
    for (const st of f.ast.statements) {
      if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier)) continue;
      const pkg = packageName(st.moduleSpecifier.text);
      const clause = st.importClause;
      if (!pkg || !clause) continue;
      if (clause.name) fromPackage.set(clause.name.text, pkg);
      const named = clause.namedBindings;
      if (named && ts.isNamespaceImport(named)) fromPackage.set(named.name.text, pkg);
      if (named && ts.isNamedImports(named)) for (const e of named.elements) fromPackage.set(e.name.text, pkg);
    }
    const flag = (node: ts.Node, what: string): void => {
      out.push(`${f.rel}:${lineOf(f, node.getStart(f.ast))}: ${what}`);
    };
    const pkgOf = (node: ts.Node | undefined): string | undefined => {
      const name = node ? rootName(node) : null;
      return name === null ? undefined : fromPackage.get(name);
    };
    for (const st of f.ast.statements) {
      if (ts.isExportDeclaration(st)) {
        if (st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)) {
          const pkg = packageName(st.moduleSpecifier.text);
          if (pkg) flag(st, `re-exports from package ${pkg}`);
        } else if (st.exportClause && ts.isNamedExports(st.exportClause)) {
          for (const e of st.exportClause.elements) {
            const pkg = fromPackage.get((e.propertyName ?? e.name).text);
            if (pkg) flag(e, `exports ${(e.propertyName ?? e.name).text}, a binding of package ${pkg}`);
          }
        }
      } else if (ts.isExportAssignment(st)) {
        const pkg = pkgOf(st.expression);
        if (pkg) flag(st, `exports a binding of package ${pkg} as its default`);
      } else if (ts.isVariableStatement(st) && isExported(st)) {
        for (const d of st.declarationList.declarations) {
          const pkg = pkgOf(d.initializer);
          if (pkg) flag(d, `exports ${d.name.getText(f.ast)} = a binding of package ${pkg}`);
        }
      } else if (ts.isTypeAliasDeclaration(st) && isExported(st)) {
        const pkg = pkgOf(st.type);
        if (pkg) flag(st, `exports type ${st.name.text} = a type of package ${pkg}`);
      } else if (ts.isImportEqualsDeclaration(st) && isExported(st)) {
        flag(st, 'exports an import alias');
      }
    }
  }
  return out;
}

// 5 ------------------------------------------------------------------------------------------------------------

export interface LayerRow {
  readonly layer: number;
  /** a folder of the program (`plan`) or a file at its top (`cli.ts`) */
  readonly unit: string;
  /** folders it may import anything from */
  readonly mayImport: readonly string[];
  /** folders it may import types from (erased at build), written `` `name` (types) `` in the table */
  readonly mayImportTypes: readonly string[];
  /** upward type-only imports tolerated for now, to be removed */
  readonly typeOnly: readonly string[];
  readonly line: number;
}

export interface LayerTable {
  /** `provisioner` or `scm` */
  readonly program: string;
  readonly rows: readonly LayerRow[];
}

/**
 * Reads the layer tables: a heading naming `src/<program>` in backticks, then a table whose header is
 * `| layer | folder | may import | … |`; cells list folders in backticks (`—` or empty for none), a folder
 * followed by `(types)` only for type-only imports; the fourth cell lists tolerated upward type-only imports.
 */
export function parseLayerTables(markdown: string): LayerTable[] {
  const tables: LayerTable[] = [];
  let program: string | null = null;
  let rows: LayerRow[] | null = null;
  const entries = (cell: string | undefined): Array<{ name: string; types: boolean }> =>
    [...(cell ?? '').matchAll(/`([^`]+)`(\s*\(types\))?/g)].map((m) => ({ name: m[1]!, types: m[2] !== undefined }));
  const names = (cell: string | undefined): string[] => entries(cell).map((e) => e.name);
  markdown.split('\n').forEach((line, i) => {
    const heading = /^#{1,6}\s.*`src\/([\w-]+)\/?`/.exec(line);
    if (heading) program = heading[1]!;
    if (!line.trim().startsWith('|')) {
      rows = null;
      return;
    }
    const cells = line.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());
    if (/^layer$/i.test(cells[0] ?? '') && /^folder$/i.test(cells[1] ?? '') && /^may import$/i.test(cells[2] ?? '')) {
      if (program === null) throw new Error(`layer table at line ${i + 1} has no heading naming \`src/<program>\` above it`);
      rows = [];
      tables.push({ program, rows });
      return;
    }
    if (rows === null || /^[-:| ]+$/.test(line.trim())) return;
    const layer = Number(cells[0]);
    const unit = names(cells[1])[0];
    if (!Number.isInteger(layer) || unit === undefined) throw new Error(`layer table row at line ${i + 1} is not "| <number> | \`folder\` | … |": ${line}`);
    const may = entries(cells[2]);
    rows.push({
      layer,
      unit,
      mayImport: may.filter((e) => !e.types).map((e) => e.name),
      mayImportTypes: may.filter((e) => e.types).map((e) => e.name),
      typeOnly: names(cells[3]),
      line: i + 1,
    });
  });
  return tables;
}

/** The unit of a file inside `src/<program>/`: its top folder, or the file itself when it sits at the top. */
export function unitOf(rel: string, program: string): string | null {
  const prefix = `src/${program}/`;
  if (!rel.startsWith(prefix)) return null;
  const rest = rel.slice(prefix.length);
  const slash = rest.indexOf('/');
  return slash < 0 ? rest : rest.slice(0, slash);
}

/** The table itself: known folders only, each row lists only lower layers (so no cycle), no folder twice. */
export function checkLayerTables(tables: readonly LayerTable[]): string[] {
  const out: string[] = [];
  for (const t of tables) {
    const byUnit = new Map<string, LayerRow>();
    for (const r of t.rows) {
      if (byUnit.has(r.unit)) out.push(`src/${t.program}: \`${r.unit}\` has two rows (lines ${byUnit.get(r.unit)!.line} and ${r.line})`);
      byUnit.set(r.unit, r);
    }
    for (const r of t.rows) {
      for (const dep of [...r.mayImport, ...r.mayImportTypes, ...r.typeOnly]) {
        if (dep === 'common') continue;
        const d = byUnit.get(dep);
        if (!d) out.push(`src/${t.program}: the row of \`${r.unit}\` (line ${r.line}) names \`${dep}\`, which has no row`);
        else if (!r.typeOnly.includes(dep) && d.layer >= r.layer) {
          out.push(`src/${t.program}: \`${r.unit}\` (layer ${r.layer}) may import \`${dep}\` of layer ${d.layer}: a row may only list lower layers`);
        }
      }
    }
  }
  return out;
}

/** Every import between the folders of a program follows its row; every folder has a row and every row a folder. */
export function checkLayers(files: readonly TsFile[], tables: readonly LayerTable[]): string[] {
  const out: string[] = [];
  for (const t of tables) {
    const byUnit = new Map(t.rows.map((r) => [r.unit, r]));
    const seenUnits = new Set<string>();
    const usedTolerated = new Set<string>();
    for (const f of files) {
      const unit = unitOf(f.rel, t.program);
      if (unit === null) continue;
      seenUnits.add(unit);
      const row = byUnit.get(unit);
      if (!row) {
        out.push(`${f.rel}: src/${t.program}/${unit} has no row in the layer table of docs/design.md §7`);
        continue;
      }
      for (const imp of importsOf(f)) {
        if (!imp.spec.startsWith('.')) continue;
        const target = resolveSpec(f.rel, imp.spec);
        if (target.startsWith('src/common/')) continue;
        const to = unitOf(target, t.program);
        if (to === null || to === unit) continue;
        if (row.mayImport.includes(to) || (imp.typeOnly && row.mayImportTypes.includes(to))) continue;
        if (imp.typeOnly && row.typeOnly.includes(to)) {
          usedTolerated.add(`${unit}->${to}`);
          continue;
        }
        const kind = imp.typeOnly ? 'a type-only import' : 'an import';
        const rule = row.mayImportTypes.includes(to) ? `may import only types from \`${to}\`` : `may not import \`${to}\``;
        out.push(`${f.rel}:${imp.line}: ${kind} of ${target}: \`${unit}\` ${rule} (docs/design.md §7)`);
      }
    }
    for (const r of t.rows) {
      if (!seenUnits.has(r.unit)) out.push(`docs/design.md:${r.line}: the layer table of src/${t.program} has a row for \`${r.unit}\`, which has no files`);
      for (const dep of r.typeOnly) {
        if (!usedTolerated.has(`${r.unit}->${dep}`) && seenUnits.has(r.unit)) {
          out.push(`docs/design.md:${r.line}: \`${r.unit}\` no longer needs its tolerated type-only import of \`${dep}\`: remove it from the table`);
        }
      }
    }
  }
  return out;
}
