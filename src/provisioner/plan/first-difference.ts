/**
 * The first place where two JSON values differ, depth first in the order of the first value's keys (then
 * the second's), for messages that name what changed (saved-plan-check.ts). Values are compared as JSON: a
 * key holding `undefined` counts as absent, key order does not matter, array order does.
 */

export type JsonPath = readonly (string | number)[];

export interface Difference {
  readonly path: JsonPath;
  /** the value at `path` in the first / second value (undefined = absent) */
  readonly a: unknown;
  readonly b: unknown;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function firstDifference(a: unknown, b: unknown, path: JsonPath = []): Difference | null {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= a.length || i >= b.length) return { path: [...path, i], a: a[i], b: b[i] };
      const d = firstDifference(a[i], b[i], [...path, i]);
      if (d) return d;
    }
    return null;
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) {
      if (a[k] === undefined && b[k] === undefined) continue;
      const d = firstDifference(a[k], b[k], [...path, k]);
      if (d) return d;
    }
    return null;
  }
  if (Array.isArray(a) || Array.isArray(b) || isObject(a) || isObject(b)) return { path, a, b };
  return a === b ? null : { path, a, b };
}
