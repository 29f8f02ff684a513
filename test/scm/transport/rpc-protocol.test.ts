import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FrameDecoder, MAX_FRAME_BYTES, encodeFrame } from '../../../src/scm/transport/frame-codec.js';
import { RPC_KIND, decodePayload, encodePayload, encodeRpcFrame } from '../../../src/scm/transport/rpc-protocol.js';

describe('rpc protocol payloads', () => {
  const header = fc.record({ id: fc.nat(), method: fc.string({ unit: 'binary', maxLength: 40 }), params: fc.jsonValue({ maxDepth: 3 }) });

  it('a frame written in one buffer is byte for byte the payload framed, and decodes to the same header and body', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), header, fc.option(fc.uint8Array({ maxLength: 200 }), { nil: undefined }), (kind, h, body) => {
        const whole = encodeRpcFrame(kind, h, body);
        expect(whole.toString('hex')).toBe(encodeFrame(kind, encodePayload(h, body)).toString('hex'));
        const [frame] = new FrameDecoder().push(whole);
        expect(frame!.kind).toBe(kind);
        const got = decodePayload(frame!.payload);
        expect(got.header).toEqual(JSON.parse(JSON.stringify(h)));
        expect(Buffer.from(got.body).toString('hex')).toBe(Buffer.from(body ?? new Uint8Array()).toString('hex'));
      }),
    );
  });

  it('counts a header in UTF-8 bytes, not characters', () => {
    const h = { id: 7, method: 'é→𝄞', params: { s: 'ü'.repeat(100) } };
    const [frame] = new FrameDecoder().push(encodeRpcFrame(RPC_KIND.RESPONSE, h));
    expect(decodePayload(frame!.payload).header).toEqual(h);
  });

  it('refuses a frame over the limit with a coded error', () => {
    const body = new Uint8Array(MAX_FRAME_BYTES);
    expect(() => encodeRpcFrame(RPC_KIND.CHUNK, { id: 1, eof: true }, body)).toThrow(expect.objectContaining({ code: 'FRAME_TOO_LARGE' }));
  });
});
