/**
 * HashMap/HashSet iteration orders as the JDK gives them. Every expected value here was printed by OpenJDK
 * 17 (`new HashMap<UUID,Integer>()`, `new HashSet<InetSocketAddress>(n)` of resolved literals and of
 * unresolved names, `UUID.hashCode()`), so a wrong spread, capacity or hash fails these tests.
 */
import { describe, expect, it } from 'vitest';
import { hashMapCapacity, hashMapOrder, javaSocketAddressHash, javaUuidHash } from '../../../src/scm/tools/java-hash-order.js';

describe('Java hash iteration order', () => {
  it('UUID.hashCode and the order of a HashMap keyed by UUIDs', () => {
    const uuids = ['674589fb-d4d3-513f-8fd7-d724e53a3b77', '743db85e-e739-5a97-8bf6-8b3cf4a76038', 'b3ef4ccc-7ae1-5590-8c11-acf919b4e66c'];
    expect(uuids.map(javaUuidHash)).toEqual([-646237033, -329971251, 1554731977]);
    expect(hashMapOrder(uuids, javaUuidHash)).toEqual(['b3ef4ccc-7ae1-5590-8c11-acf919b4e66c', '743db85e-e739-5a97-8bf6-8b3cf4a76038', '674589fb-d4d3-513f-8fd7-d724e53a3b77']);
  });

  it('HashSet<InetSocketAddress>(n): resolved IPv4 literals and unresolved names', () => {
    const order = (ips: string[]): string[] => hashMapOrder(ips, (ip) => javaSocketAddressHash({ ipv4: ip, hostname: ip, port: 9860 }), ips.length);
    expect(order(['127.0.20.1', '127.0.20.2', '127.0.20.3'])).toEqual(['127.0.20.1', '127.0.20.2', '127.0.20.3']);
    expect(order(['10.1.2.3', '10.1.2.40', '192.168.7.9', '172.16.0.5', '10.0.0.200'])).toEqual(['172.16.0.5', '10.0.0.200', '10.1.2.40', '192.168.7.9', '10.1.2.3']);
    const names = ['scm-a.example', 'scm-b.example', 'scm-c.example'];
    expect(hashMapOrder(names, (h) => javaSocketAddressHash({ hostname: h, port: 9860 }), names.length)).toEqual(['scm-a.example', 'scm-c.example', 'scm-b.example']);
  });

  it('capacity grows past 0.75 × capacity, from tableSizeFor(initialCapacity)', () => {
    expect([hashMapCapacity(3, 3), hashMapCapacity(2, 2), hashMapCapacity(5, 5), hashMapCapacity(13), hashMapCapacity(12)]).toEqual([4, 4, 8, 32, 16]);
  });
});
