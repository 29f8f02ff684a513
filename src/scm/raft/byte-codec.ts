/**
 * A tiny binary writer/reader (big-endian, length-prefixed strings and byte arrays) used by the pure
 * codecs (conf changes, messages). Numbers are written as u64 split into two u32 halves, so any safe
 * integer (< 2^53) round-trips. A reader that runs off the end throws `ByteCodecError` (callers map it to
 * their own coded error).
 */
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

export class ByteCodecError extends Error {}

export class ByteWriter {
  // Bytes are set directly rather than through a DataView: one object less per writer, and writers are
  // made per message and per log entry on the hot path.
  private buf: Uint8Array;
  private pos = 0;

  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = Math.max(1, this.buf.length * 2);
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  private put32(at: number, v: number): void {
    const b = this.buf;
    b[at] = v >>> 24;
    b[at + 1] = v >>> 16;
    b[at + 2] = v >>> 8;
    b[at + 3] = v;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos] = v;
    this.pos += 1;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    this.put32(this.pos, v >>> 0);
    this.pos += 4;
    return this;
  }

  u64(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new ByteCodecError(`${v} is not a non-negative safe integer`);
    this.ensure(8);
    this.put32(this.pos, Math.floor(v / 4294967296));
    this.put32(this.pos + 4, v >>> 0);
    this.pos += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.u32(b.byteLength);
    this.ensure(b.byteLength);
    this.buf.set(b, this.pos);
    this.pos += b.byteLength;
    return this;
  }

  /**
   * A length-prefixed UTF-8 string, written in place: ASCII (ids, keys, addresses) byte by byte, anything
   * else through `encodeInto`. No intermediate array per string, which the hot path encodes several of
   * per message.
   */
  str(s: string): this {
    const n = s.length;
    this.ensure(4 + n);
    const start = this.pos + 4;
    const buf = this.buf;
    let p = start;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.ensure(4 + n * 3); // a UTF-16 unit is at most 3 UTF-8 bytes
        p = start + utf8Encoder.encodeInto(s, this.buf.subarray(start)).written;
        break;
      }
      buf[p++] = c;
    }
    this.put32(this.pos, p - start);
    this.pos = p;
    return this;
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

export class ByteReader {
  private readonly view: DataView;
  private pos = 0;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.byteLength) throw new ByteCodecError(`truncated: need ${n} bytes at offset ${this.pos} of ${this.buf.byteLength}`);
  }

  u8(): number {
    this.need(1);
    const v = this.view.getUint8(this.pos);
    this.pos += 1;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  u64(): number {
    this.need(8);
    const hi = this.view.getUint32(this.pos);
    const lo = this.view.getUint32(this.pos + 4);
    this.pos += 8;
    const v = hi * 4294967296 + lo;
    if (!Number.isSafeInteger(v)) throw new ByteCodecError(`u64 at offset ${this.pos - 8} exceeds 2^53`);
    return v;
  }

  /** A view into the input (not a copy). */
  bytes(): Uint8Array {
    const n = this.u32();
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  str(): string {
    try {
      return utf8Decoder.decode(this.bytes());
    } catch (err) {
      if (err instanceof ByteCodecError) throw err;
      throw new ByteCodecError('string is not valid UTF-8');
    }
  }

  done(): boolean {
    return this.pos === this.buf.byteLength;
  }

  /** Bytes consumed so far. */
  offset(): number {
    return this.pos;
  }

  expectEnd(): void {
    if (!this.done()) throw new ByteCodecError(`${this.buf.byteLength - this.pos} trailing bytes`);
  }
}
