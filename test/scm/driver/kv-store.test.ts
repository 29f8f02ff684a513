import { describe, expect, it } from 'vitest';
import { KvStore, decodeKvCommand, encodeKvCommand } from '../../../src/scm/driver/kv-store.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined): string | undefined => (b ? new TextDecoder().decode(b) : undefined);

function put(kv: KvStore, index: number, key: string, value: string): void {
  kv.apply({ index, term: 1, data: encodeKvCommand({ op: 'put', key, value: bytes(value) }) });
}

describe('KvStore', () => {
  it('encodes and decodes commands, non-ASCII keys included', () => {
    expect(decodeKvCommand(encodeKvCommand({ op: 'put', key: 'clé', value: bytes('v') }))).toEqual({ op: 'put', key: 'clé', value: bytes('v') });
    expect(decodeKvCommand(encodeKvCommand({ op: 'delete', key: 'k' }))).toEqual({ op: 'delete', key: 'k' });
    expect(() => decodeKvCommand(Uint8Array.of(9, 0, 0, 0, 0))).toThrow(/unknown KV op 9/);
  });

  it('restores from its snapshot exactly the map at the point the snapshot was asked for', async () => {
    const kv = new KvStore();
    for (let i = 1; i <= 5000; i++) put(kv, i, `k-${i}`, `v-${i}`);
    kv.apply({ index: 5001, term: 1, data: encodeKvCommand({ op: 'delete', key: 'k-7' }) });
    const taking = kv.snapshot();
    // Applied while the snapshot is being encoded (it yields between slices): not in the image.
    put(kv, 5002, 'k-1', 'changed');
    put(kv, 5003, 'late', 'x');
    const data = await taking;
    const copy = new KvStore();
    copy.restore({ index: 5001, term: 1, data });
    expect(copy.size()).toBe(4999);
    expect(text(copy.get('k-1'))).toBe('v-1');
    expect(text(copy.get('k-5000'))).toBe('v-5000');
    expect(copy.get('k-7')).toBeUndefined();
    expect(copy.get('late')).toBeUndefined();
    expect(copy.lastApplied).toBe(5001);
    expect(copy.keys().slice(0, 3)).toEqual(['k-1', 'k-2', 'k-3']);
  });

  it('lets the event loop run while it encodes a large map', async () => {
    const kv = new KvStore();
    for (let i = 1; i <= 20_000; i++) put(kv, i, `key-${i}`, 'x'.repeat(64));
    // Another task that needs the loop: it runs only if the snapshot yields (no timing involved).
    let turns = 0;
    let on = true;
    const other = (): void => {
      turns++;
      if (on) setImmediate(other);
    };
    const snapshot = kv.snapshot();
    setImmediate(other);
    await snapshot;
    on = false;
    expect(turns).toBeGreaterThanOrEqual(10);
  });

  it('restores an empty image to an empty map', () => {
    const kv = new KvStore();
    put(kv, 1, 'a', 'b');
    kv.restore({ index: 9, term: 2, data: new Uint8Array(0) });
    expect(kv.size()).toBe(0);
    expect(kv.lastApplied).toBe(9);
  });
});
