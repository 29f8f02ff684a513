/**
 * Architecture rules that no type checker enforces (docs/design.md §2, ../shared/architecture.md §4):
 *  1. src/provisioner and src/scm never import each other; src/common imports neither, and no package.
 *  2. src/scm/raft is pure: it imports only its own files and src/common/{brand,coded-error}; it uses no
 *     timers, Date, Math.random, process, or async/await.
 *  3. Each third-party package is imported by at most one file per program (src/provisioner, src/scm):
 *     the adapter. Node built-ins (node:*) are not packages.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listTs(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** Strips comments and string contents that are not import specifiers, well enough for rule checks. */
function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

export function importSpecifiers(src: string): string[] {
  const code = stripComments(src);
  const specs: string[] = [];
  const patterns = [
    /\bimport\s+(?:type\s+)?[^'"();]*?\s+from\s+['"]([^'"]+)['"]/g,
    /\bexport\s+(?:type\s+)?[^'"();]*?\s+from\s+['"]([^'"]+)['"]/g,
    /\bimport\s+['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) specs.push(m[1]!);
  return specs;
}

function packageName(spec: string): string | null {
  if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:')) return null;
  const parts = spec.split('/');
  return spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

const files = listTs(join(root, 'src')).map((abs) => ({
  abs,
  rel: relative(root, abs).split(sep).join('/'),
  src: readFileSync(abs, 'utf8'),
}));

function area(rel: string): 'provisioner' | 'scm' | 'common' | 'other' {
  if (rel.startsWith('src/provisioner/')) return 'provisioner';
  if (rel.startsWith('src/scm/')) return 'scm';
  if (rel.startsWith('src/common/')) return 'common';
  return 'other';
}

describe('module boundaries', () => {
  it('finds source files to check', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it('keeps provisioner, scm and common apart', () => {
    const violations: string[] = [];
    for (const f of files) {
      for (const spec of importSpecifiers(f.src)) {
        if (!spec.startsWith('.')) continue;
        const target = relative(root, resolve(dirname(f.abs), spec)).split(sep).join('/');
        const from = area(f.rel);
        const to = area(target);
        const bad =
          (from === 'provisioner' && to === 'scm') ||
          (from === 'scm' && to === 'provisioner') ||
          (from === 'common' && to !== 'common');
        if (bad) violations.push(`${f.rel} imports ${target}`);
      }
      if (area(f.rel) === 'common') {
        for (const spec of importSpecifiers(f.src)) {
          if (packageName(spec)) violations.push(`${f.rel} imports package ${spec} (src/common takes no dependencies)`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it('keeps src/scm/raft free of I/O, time, randomness and async', () => {
    const violations: string[] = [];
    const allowedOutside = new Set(['src/common/brand.ts', 'src/common/coded-error.ts']);
    for (const f of files.filter((x) => x.rel.startsWith('src/scm/raft/'))) {
      for (const spec of importSpecifiers(f.src)) {
        if (!spec.startsWith('.')) {
          violations.push(`${f.rel}: imports ${spec}`);
          continue;
        }
        const target = relative(root, resolve(dirname(f.abs), spec)).split(sep).join('/').replace(/\.js$/, '.ts');
        if (!target.startsWith('src/scm/raft/') && !allowedOutside.has(target)) {
          violations.push(`${f.rel}: imports ${target}`);
        }
      }
      const code = stripComments(f.src);
      const banned: Array<[RegExp, string]> = [
        [/\bsetTimeout\b|\bsetInterval\b|\bsetImmediate\b|\bqueueMicrotask\b/, 'timers'],
        [/\bDate\b/, 'Date'],
        [/\bMath\.random\b/, 'Math.random'],
        [/\basync\b|\bawait\b/, 'async/await'],
        [/\bprocess\./, 'process'],
        [/\bPromise\b/, 'Promise'],
        [/\brequire\s*\(/, 'require'],
      ];
      for (const [re, what] of banned) if (re.test(code)) violations.push(`${f.rel}: uses ${what}`);
    }
    expect(violations).toEqual([]);
  });

  it('imports each third-party package from at most one adapter file per program', () => {
    const byProgramAndPackage = new Map<string, Set<string>>();
    for (const f of files) {
      const program = area(f.rel);
      for (const spec of importSpecifiers(f.src)) {
        const pkg = packageName(spec);
        if (!pkg) continue;
        const key = `${program}:${pkg}`;
        const set = byProgramAndPackage.get(key) ?? new Set<string>();
        set.add(f.rel);
        byProgramAndPackage.set(key, set);
      }
    }
    const violations = [...byProgramAndPackage.entries()]
      .filter(([, set]) => set.size > 1)
      .map(([key, set]) => `${key} imported by ${[...set].sort().join(', ')}`);
    expect(violations).toEqual([]);
  });
});

describe('importSpecifiers (the checker itself)', () => {
  it('sees static, re-export, side-effect and dynamic imports', () => {
    const src = `import a from 'x';\nimport type { B } from "../y.js";\nexport * from './z.js';\nimport 'side';\nconst m = await import('dyn');\n// import fake from 'commented';`;
    expect(importSpecifiers(src)).toEqual(expect.arrayContaining(['x', '../y.js', './z.js', 'side', 'dyn']));
    expect(importSpecifiers(src)).not.toContain('commented');
  });
});
