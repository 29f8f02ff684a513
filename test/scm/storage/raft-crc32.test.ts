import { randomBytes } from 'node:crypto';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, crc32Async, crc32Table } from '../../../src/scm/storage/raft-crc32.js';

const enc = new TextEncoder();

describe('raft-crc32', () => {
  it('both implementations give the standard check value', () => {
    expect(crc32(enc.encode('123456789'))).toBe(0xcbf43926);
    expect(crc32Table(enc.encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('the table gives fixed vectors and chains over parts', () => {
    expect(crc32Table(enc.encode('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
    expect(crc32Table(Uint8Array.of(0, 0, 0, 0))).toBe(0x2144df1c);
    const b = enc.encode('123456789');
    expect(crc32Table(b.subarray(4), crc32Table(b.subarray(0, 4)))).toBe(0xcbf43926);
  });

  // Node ≥ 20.15 has zlib.crc32 and crc32 uses it; on older releases crc32 is the table itself.
  const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
  it.runIf(typeof native === 'function')('zlib and the table agree on any bytes and seed, so records written by either verify with the other', () => {
    expect(crc32).not.toBe(crc32Table);
    for (const size of [1, 7, 300, 4096, 65_537]) {
      const b = new Uint8Array(randomBytes(size));
      const seed = randomBytes(4).readUInt32BE(0);
      expect(native!(b)).toBe(crc32Table(b));
      expect(crc32(b, seed)).toBe(crc32Table(b, seed));
      // chained over two parts = over the whole
      const cut = Math.floor(size / 3);
      expect(crc32(b.subarray(cut), crc32(b.subarray(0, cut)))).toBe(crc32Table(b));
    }
  });

  it('crc32Async over slices equals crc32 over the whole buffer', async () => {
    const b = new Uint8Array(randomBytes(300_001));
    expect(await crc32Async(b, 65_536)).toBe(crc32(b));
    expect(await crc32Async(new Uint8Array(0))).toBe(0);
  });
});
