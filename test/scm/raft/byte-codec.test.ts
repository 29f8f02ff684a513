import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter } from '../../../src/scm/raft/byte-codec.js';

const enc = new TextEncoder();

describe('byte-codec', () => {
  const samples = ['', 'n1', 'raft-bench', 'ours-c64a-12-123456', 'café', 'ключ', '数据节点', 'a😀b', 'ascii then é', '\u0000\u007f\u0080', 'lone \ud800 surrogate'];

  it('writes strings as u32 length + the same bytes TextEncoder gives, ASCII or not', () => {
    for (const s of samples) {
      const out = new ByteWriter(1).str(s).finish();
      const expected = enc.encode(s);
      expect(new DataView(out.buffer, out.byteOffset).getUint32(0)).toBe(expected.length);
      expect([...out.subarray(4)]).toEqual([...expected]);
    }
  });

  it('round-trips strings, bytes and numbers through the reader, growing from a tiny buffer', () => {
    const w = new ByteWriter(2);
    for (const s of samples.filter((x) => !x.includes('\ud800'))) w.str(s).u64(2 ** 53 - 1).bytes(Uint8Array.of(1, 2, 3)).u8(7);
    const r = new ByteReader(w.finish());
    for (const s of samples.filter((x) => !x.includes('\ud800'))) {
      expect(r.str()).toBe(s);
      expect(r.u64()).toBe(2 ** 53 - 1);
      expect([...r.bytes()]).toEqual([1, 2, 3]);
      expect(r.u8()).toBe(7);
    }
    r.expectEnd();
  });
});
