/**
 * Golden files for printed formats: `expectGolden(dir, name, text)` compares with `<dir>/golden/<name>`;
 * with UPDATE_GOLDEN=1 it (re)writes the file instead — review the diff before committing it. Volatile
 * values (ids, times) are normalised by the caller first.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

export function expectGolden(dir: string, name: string, text: string): void {
  const path = join(dir, 'golden', name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(join(dir, 'golden'), { recursive: true });
    writeFileSync(path, text);
    return;
  }
  if (!existsSync(path)) throw new Error(`golden file ${path} is missing: run the test once with UPDATE_GOLDEN=1 and review it`);
  expect(text).toBe(readFileSync(path, 'utf8'));
}

/** Replaces each distinct match of `pattern` (global) by `<label-N>` in order of first appearance. */
export function numberMatches(text: string, pattern: RegExp, label: string, seen = new Map<string, string>()): string {
  return text.replace(pattern, (m) => {
    let v = seen.get(m);
    if (v === undefined) {
      v = `<${label}-${seen.size + 1}>`;
      seen.set(m, v);
    }
    return v;
  });
}
