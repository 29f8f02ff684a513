/**
 * How an SCM port's protocol is declared: one object per port (src/scm/protocols/*), method name →
 * { params guard, result type, unary or stream }. Server and clients share the declaration:
 *  - the server (RpcServer) is given handlers for exactly the declared methods (a missing or misnamed
 *    handler fails to compile) and checks every request's params with the guard before the handler runs
 *    (a malformed request gets RPC_INVALID_PARAMS, never a JavaScript TypeError);
 *  - clients (RpcClient / FailoverRpcClient) are typed by the declaration (`import type`), so a renamed
 *    method or field fails to compile on the caller's side too.
 * Results are not checked at run time: they come from our own server, over an authenticated connection in
 * secure mode.
 */
import type { Guard } from './params-guard.js';

declare const resultType: unique symbol;

export interface UnaryMethod<P, R> {
  readonly kind: 'unary';
  readonly params: Guard<P>;
  readonly [resultType]?: R;
}

export interface StreamMethod<P> {
  readonly kind: 'stream';
  readonly params: Guard<P>;
}

export type MethodSpec = UnaryMethod<any, any> | StreamMethod<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
export type Protocol = Readonly<Record<string, MethodSpec>>;

export function unary<R>(): <P>(params: Guard<P>) => UnaryMethod<P, R> {
  return (params) => ({ kind: 'unary', params });
}

export function stream<P>(params: Guard<P>): StreamMethod<P> {
  return { kind: 'stream', params };
}

export type UnaryNames<P extends Protocol> = { [M in keyof P]: P[M] extends UnaryMethod<any, any> ? M : never }[keyof P] & string; // eslint-disable-line @typescript-eslint/no-explicit-any
export type StreamNames<P extends Protocol> = { [M in keyof P]: P[M] extends StreamMethod<any> ? M : never }[keyof P] & string; // eslint-disable-line @typescript-eslint/no-explicit-any
export type ParamsOf<P extends Protocol, M extends keyof P> = P[M] extends UnaryMethod<infer A, any> ? A : P[M] extends StreamMethod<infer A> ? A : never; // eslint-disable-line @typescript-eslint/no-explicit-any
export type ResultOf<P extends Protocol, M extends keyof P> = P[M] extends UnaryMethod<any, infer R> ? R : never; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Any method name, any params: what a stranger (or a test acting as one) may send to a server. */
export type UntypedProtocol = Readonly<Record<string, UnaryMethod<unknown, unknown>>>;
