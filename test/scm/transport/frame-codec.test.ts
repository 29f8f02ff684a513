import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FrameDecoder, WIRE_VERSION, encodeFrame } from '../../../src/scm/transport/frame-codec.js';

describe('frame codec', () => {
  it('round-trips frames split at arbitrary byte boundaries', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ kind: fc.integer({ min: 0, max: 255 }), payload: fc.uint8Array({ maxLength: 300 }) }), { maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 10 }),
        (frames, cuts) => {
          const wire = Buffer.concat(frames.map((f) => encodeFrame(f.kind, f.payload)));
          const dec = new FrameDecoder();
          const got: Array<{ kind: number; payload: Uint8Array }> = [];
          let pos = 0;
          let i = 0;
          while (pos < wire.length) {
            const n = cuts[i++ % cuts.length]!;
            got.push(...dec.push(wire.subarray(pos, pos + n)));
            pos += n;
          }
          expect(got.map((f) => [f.kind, Buffer.from(f.payload).toString('hex')])).toEqual(
            frames.map((f) => [f.kind, Buffer.from(f.payload).toString('hex')]),
          );
        },
      ),
    );
  });

  it('rejects a frame from another wire version', () => {
    const frame = encodeFrame(1, new Uint8Array([1, 2, 3]));
    frame.writeUInt8(WIRE_VERSION + 1, 4);
    expect(() => new FrameDecoder().push(frame)).toThrow(expect.objectContaining({ code: 'FRAME_WIRE_VERSION' }));
  });

  it('rejects an oversized frame before buffering it, and stays failed', () => {
    const dec = new FrameDecoder(1024);
    const head = Buffer.alloc(6);
    head.writeUInt32BE(4096, 0);
    head.writeUInt8(WIRE_VERSION, 4);
    expect(() => dec.push(head)).toThrow(expect.objectContaining({ code: 'FRAME_TOO_LARGE' }));
    expect(() => dec.push(Buffer.alloc(1))).toThrow(expect.objectContaining({ code: 'FRAME_TOO_LARGE' }));
  });

  it('rejects a length shorter than the header', () => {
    const bad = Buffer.from([0, 0, 0, 1, WIRE_VERSION]);
    expect(() => new FrameDecoder().push(bad)).toThrow(expect.objectContaining({ code: 'FRAME_MALFORMED' }));
  });

  it('refuses a kind that is not a byte', () => {
    expect(() => encodeFrame(256, new Uint8Array())).toThrow(expect.objectContaining({ code: 'FRAME_MALFORMED' }));
  });
});
