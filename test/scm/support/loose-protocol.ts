/**
 * Protocols for transport tests: methods that take any JSON params and return anything, so a test can
 * stand up a server (or speak to one) without declaring a real SCM protocol.
 */
import type { Guard } from '../../../src/scm/transport/params-guard.js';
import { stream, unary, type StreamMethod, type UnaryMethod } from '../../../src/scm/transport/protocol-definition.js';

/** accepts any JSON value as is */
const json = (): Guard<unknown> => ({ expected: 'any JSON value', check: (v) => v });

export function looseProtocol<const U extends readonly string[], const S extends readonly string[] = []>(
  unaryNames: U,
  streamNames: S = [] as unknown as S,
): { readonly [K in U[number]]: UnaryMethod<unknown, unknown> } & { readonly [K in S[number]]: StreamMethod<unknown> } {
  const out: Record<string, unknown> = {};
  for (const n of unaryNames) out[n] = unary<unknown>()(json());
  for (const n of streamNames) out[n] = stream(json());
  return out as never;
}
