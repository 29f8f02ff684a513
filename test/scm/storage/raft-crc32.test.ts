import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { crc32, crc32Async, crc32Table } from '../../../src/scm/storage/raft-crc32.js';

const enc = new TextEncoder();

describe('raft-crc32', () => {
  it('both implementations give the standard check value', () => {
    expect(crc32(enc.encode('123456789'))).toBe(0xcbf43926);
    expect(crc32Table(enc.encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('zlib and the table agree on any bytes and seed, so records written by either verify with the other', () => {
    for (const size of [1, 7, 300, 4096, 65_537]) {
      const b = new Uint8Array(randomBytes(size));
      const seed = randomBytes(4).readUInt32BE(0);
      expect(crc32(b)).toBe(crc32Table(b));
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
