/** Nominal typing for primitives: `type NodeId = Brand<string, 'NodeId'>`. Zero runtime cost. */
declare const brand: unique symbol;
export type Brand<T, Name extends string> = T & { readonly [brand]: Name };
