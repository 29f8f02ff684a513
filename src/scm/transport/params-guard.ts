/**
 * Runtime guards for RPC parameters: small typed combinators whose TypeScript type is inferred from the
 * guard (`Infer<typeof g>`), so one declaration gives both the compile-time type the client sends and the
 * check the server runs on what actually arrived. A guard either returns the value (typed) or throws a
 * GuardError naming the path of the first offending field (`params.csr: expected a string`).
 *
 * Contract:
 *  - objects are closed: a field the declaration does not name is refused (a renamed field fails loudly
 *    on both sides instead of being ignored), `optional` fields may be absent or undefined;
 *  - strings and arrays carry a maximum length (every guard is bounded: a request cannot ask the server
 *    to walk an unbounded structure it did not declare);
 *  - numbers are finite; `int` is a safe integer within its bounds.
 * Written here rather than taken from a schema library: `bin/ozone` starts for every operator command, and
 * zod (v4) costs ~45 ms of start-up there, for a dozen combinators.
 */
import { CodedError } from '../../common/coded-error.js';

export class GuardError extends CodedError<'RPC_INVALID_PARAMS'> {
  constructor(readonly path: string, expected: string, got: unknown) {
    super('RPC_INVALID_PARAMS', `${path}: expected ${expected}, got ${describe(got)}`);
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return v.length > 24 ? `a string of ${v.length} characters` : JSON.stringify(v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

export interface Guard<T> {
  /** what the guard accepts, for error messages and docs */
  readonly expected: string;
  check(value: unknown, path: string): T;
  /** true for `optional(...)`: the field may be absent */
  readonly optional?: boolean;
}

export type Infer<G> = G extends Guard<infer T> ? T : never;

const make = <T>(expected: string, check: (value: unknown, path: string) => T): Guard<T> => ({ expected, check });

export function str(o: { max?: number; min?: number; pattern?: RegExp } = {}): Guard<string> {
  const max = o.max ?? 1024;
  const expected = `a string${o.pattern ? ` matching ${String(o.pattern)}` : ''} of at most ${max} characters`;
  return make(expected, (v, path) => {
    if (typeof v !== 'string' || v.length > max || v.length < (o.min ?? 0) || (o.pattern && !o.pattern.test(v))) throw new GuardError(path, expected, v);
    return v;
  });
}

export function int(o: { min?: number; max?: number } = {}): Guard<number> {
  const min = o.min ?? Number.MIN_SAFE_INTEGER;
  const max = o.max ?? Number.MAX_SAFE_INTEGER;
  const expected = `an integer in [${min}, ${max}]`;
  return make(expected, (v, path) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) throw new GuardError(path, expected, v);
    return v;
  });
}

export function bool(): Guard<boolean> {
  return make('a boolean', (v, path) => {
    if (typeof v !== 'boolean') throw new GuardError(path, 'a boolean', v);
    return v;
  });
}

export function literal<const L extends readonly (string | number | boolean)[]>(...values: L): Guard<L[number]> {
  const expected = `one of ${values.map((x) => JSON.stringify(x)).join(', ')}`;
  return make(expected, (v, path) => {
    if (!values.includes(v as L[number])) throw new GuardError(path, expected, v);
    return v as L[number];
  });
}

export function arr<T>(item: Guard<T>, o: { max: number }): Guard<T[]> {
  const expected = `an array of at most ${o.max} × ${item.expected}`;
  return make(expected, (v, path) => {
    if (!Array.isArray(v) || v.length > o.max) throw new GuardError(path, expected, v);
    return v.map((x, i) => item.check(x, `${path}[${i}]`));
  });
}

export function optional<T>(g: Guard<T>): Guard<T | undefined> {
  return { expected: `${g.expected} (optional)`, optional: true, check: (v, path) => (v === undefined ? undefined : g.check(v, path)) };
}

type Shape = Readonly<Record<string, Guard<unknown>>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends { readonly optional: true } ? K : undefined extends Infer<S[K]> ? K : never }[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
export type ObjectOf<S extends Shape> = { readonly [K in RequiredKeys<S>]: Infer<S[K]> } & { readonly [K in OptionalKeys<S>]?: Infer<S[K]> };

export function obj<S extends Shape>(shape: S): Guard<ObjectOf<S>> {
  const keys = Object.keys(shape);
  const expected = `an object with ${keys.length === 0 ? 'no fields' : `fields ${keys.join(', ')}`}`;
  return make(expected, (v, path) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new GuardError(path, expected, v);
    const rec = v as Record<string, unknown>;
    for (const k of Object.keys(rec)) if (!Object.hasOwn(shape, k)) throw new GuardError(`${path}.${k.slice(0, 40)}`, 'no such field', rec[k]);
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const g = shape[k]!;
      const value = g.check(rec[k], `${path}.${k}`);
      if (value !== undefined) out[k] = value;
    }
    return out as ObjectOf<S>;
  });
}

export const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
export const CLUSTER_ID = /^CID-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** a PEM block (certificate or request); 16 KiB is far above an RSA-2048 request or certificate */
export const pem = (): Guard<string> => str({ max: 16 * 1024, pattern: /^-----BEGIN [A-Z0-9 ]+-----[\s\S]+-----END [A-Z0-9 ]+-----\s*$/ });
