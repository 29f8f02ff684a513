/**
 * TypeScript sources as the architecture and docs checks read them: parsed with the compiler's own parser
 * (typescript, a devDependency; no type checking), so imports, exports and comments are found exactly — not in
 * strings, not in comments. Pure over a root directory, so the checks can run against a throw-away tree.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';

export interface TsFile {
  /** path relative to the root, with `/` */
  readonly rel: string;
  readonly text: string;
  readonly ast: ts.SourceFile;
}

export function parseTs(rel: string, text: string): TsFile {
  return { rel, text, ast: ts.createSourceFile(rel, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS) };
}

/** Every *.ts file under `root/under` (node_modules, dist and dot-directories skipped), parsed. */
export function loadTsFiles(root: string, under: string): TsFile[] {
  const out: TsFile[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir).sort()) {
      const abs = join(dir, name);
      if (statSync(abs).isDirectory()) {
        if (!name.startsWith('.') && name !== 'node_modules' && name !== 'dist') walk(abs);
      } else if (name.endsWith('.ts')) {
        out.push(parseTs(relative(root, abs).split(sep).join('/'), readFileSync(abs, 'utf8')));
      }
    }
  };
  walk(join(root, under));
  return out;
}

export function lineOf(file: TsFile, pos: number): number {
  return file.ast.getLineAndCharacterOfPosition(pos).line + 1;
}

/** Calls `visit` for every node of the file, depth first. */
export function walk(file: TsFile, visit: (node: ts.Node) => void): void {
  const go = (node: ts.Node): void => {
    visit(node);
    ts.forEachChild(node, go);
  };
  go(file.ast);
}

/** Every comment of the file (line and block), once, in source order. */
export function comments(file: TsFile): Array<{ readonly text: string; readonly line: number }> {
  const seen = new Map<number, ts.CommentRange>();
  const collect = (ranges: ts.CommentRange[] | undefined): void => {
    for (const r of ranges ?? []) seen.set(r.pos, r);
  };
  collect(ts.getLeadingCommentRanges(file.text, 0));
  walk(file, (node) => {
    collect(ts.getLeadingCommentRanges(file.text, node.pos));
    collect(ts.getTrailingCommentRanges(file.text, node.end));
    collect(ts.getLeadingCommentRanges(file.text, node.end));
  });
  return [...seen.values()]
    .sort((a, b) => a.pos - b.pos)
    .map((r) => ({ text: file.text.slice(r.pos, r.end), line: lineOf(file, r.pos) }));
}

export type ImportKind = 'import' | 'export-from' | 'dynamic' | 'require' | 'import-type';

export interface ImportRef {
  readonly spec: string;
  /** erased at build: `import type`, `export type … from`, all-`type` named bindings, `typeof import('…')` */
  readonly typeOnly: boolean;
  readonly kind: ImportKind;
  readonly line: number;
}

const importCache = new WeakMap<TsFile, readonly ImportRef[]>();

/** Every module the file refers to: static and dynamic imports, re-exports, require, import types. */
export function importsOf(file: TsFile): readonly ImportRef[] {
  const cached = importCache.get(file);
  if (cached) return cached;
  const out: ImportRef[] = [];
  const add = (spec: ts.Expression | undefined, typeOnly: boolean, kind: ImportKind, node: ts.Node): void => {
    if (spec && ts.isStringLiteralLike(spec)) out.push({ spec: spec.text, typeOnly, kind, line: lineOf(file, node.getStart(file.ast)) });
  };
  walk(file, (node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      let typeOnly = false;
      if (clause) {
        const named = clause.namedBindings;
        typeOnly =
          clause.isTypeOnly ||
          (!clause.name && !!named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly));
      }
      add(node.moduleSpecifier, typeOnly, 'import', node);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      const clause = node.exportClause;
      const typeOnly =
        node.isTypeOnly || (!!clause && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly));
      add(node.moduleSpecifier, typeOnly, 'export-from', node);
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg)) add(arg.literal as ts.Expression, true, 'import-type', node);
    } else if (ts.isCallExpression(node)) {
      if (node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node.arguments[0], false, 'dynamic', node);
      else if (ts.isIdentifier(node.expression) && node.expression.text === 'require') add(node.arguments[0], false, 'require', node);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly, 'require', node);
    }
  });
  importCache.set(file, out);
  return out;
}

/** The npm package a specifier names, or null for relative paths and Node built-ins (`node:*`). */
export function packageName(spec: string): string | null {
  if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:')) return null;
  const parts = spec.split('/');
  return spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}
