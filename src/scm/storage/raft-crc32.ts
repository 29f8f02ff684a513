/**
 * CRC-32 (IEEE 802.3, the zlib/PNG polynomial), used to detect corrupt records in the Raft log store.
 * Own implementation because zlib.crc32 needs Node ≥ 20.15 and the engine floor is 20.5.
 */
const table = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  table[n] = c >>> 0;
}

export function crc32(bytes: Uint8Array, seed = 0): number {
  let c = (seed ^ 0xffffffff) >>> 0;
  for (let i = 0; i < bytes.length; i++) c = table[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The same checksum over a large buffer, in slices that yield to the event loop between them. */
export async function crc32Async(bytes: Uint8Array, slice = 1 << 20): Promise<number> {
  let crc = 0;
  for (let off = 0; off < bytes.length; off += slice) {
    crc = crc32(bytes.subarray(off, Math.min(bytes.length, off + slice)), crc);
    if (off + slice < bytes.length) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return crc;
}
