/**
 * The iteration order of a JDK 8–21 `java.util.HashMap`/`HashSet`, for Ozone outputs that print one:
 * `ozone getconf storagecontainermanagers` (a `HashSet<InetSocketAddress>` of the SCM client addresses,
 * HddsUtils.getScmAddressForClients) and the `replicaIndexes` map of a Pipeline in JSON. Buckets are
 * `(h ^ h >>> 16) & (capacity - 1)`, walked in order, entries of one bucket in insertion order (resizes keep
 * it); the capacity starts at tableSizeFor(initialCapacity) (16 for `new HashMap<>()`) and doubles whenever
 * size exceeds 0.75 × capacity. (Buckets of 8+ entries that turn into trees are not modelled.)
 */
import { javaStringHash } from '../storage/java-properties.js';

function tableSizeFor(cap: number): number {
  let n = 1;
  while (n < cap) n *= 2;
  return n;
}

/** Final table capacity after inserting `size` entries into `new HashMap<>(initialCapacity)`. */
export function hashMapCapacity(size: number, initialCapacity = 16): number {
  let cap = tableSizeFor(Math.max(1, initialCapacity));
  while (size > Math.floor(cap * 0.75)) cap *= 2;
  return cap;
}

/** `items` (distinct keys, in insertion order) in the order a HashMap/HashSet iterates them. */
export function hashMapOrder<T>(items: readonly T[], hash: (item: T) => number, initialCapacity = 16): T[] {
  const cap = hashMapCapacity(items.length, initialCapacity);
  const bucket = (h: number): number => ((h ^ (h >>> 16)) & (cap - 1)) >>> 0;
  return items
    .map((item, i) => ({ item, i, b: bucket(hash(item) | 0) }))
    .sort((x, y) => x.b - y.b || x.i - y.i)
    .map((x) => x.item);
}

/** `java.util.UUID.hashCode()`: the two 32-bit halves of `msb ^ lsb`, xor'ed. */
export function javaUuidHash(uuid: string): number {
  const hex = uuid.replace(/-/g, '');
  const hilo = BigInt.asUintN(64, BigInt(`0x${hex.slice(0, 16)}`) ^ BigInt(`0x${hex.slice(16, 32)}`));
  return Number(BigInt.asIntN(32, hilo >> 32n)) ^ Number(BigInt.asIntN(32, hilo));
}

/**
 * `InetSocketAddress.hashCode()`: a resolved IPv4 address hashes to its 32-bit address plus the port, an
 * unresolved one to `hostname.toLowerCase().hashCode()` plus the port. (IPv6 is not modelled: callers
 * pass `undefined` and keep configuration order.)
 */
export function javaSocketAddressHash(o: { ipv4?: string; hostname: string; port: number }): number {
  if (o.ipv4 !== undefined) {
    const [a, b, c, d] = o.ipv4.split('.').map(Number) as [number, number, number, number];
    return (((a << 24) | (b << 16) | (c << 8) | d) + o.port) | 0;
  }
  return (javaStringHash(o.hostname.toLowerCase()) + o.port) | 0;
}
