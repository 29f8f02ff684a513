/** The keeper's framing: frames survive any cut of the byte stream; a length over the limit is refused. */
import { describe, expect, it } from 'vitest';
import { FRAME, FrameDecoder, MAX_FRAME_PAYLOAD, encodeFrame, frameJson } from '../../../../src/provisioner/hosts/ssh-keeper/keeper-frames.js';

describe('keeper frames', () => {
  const frames = [
    encodeFrame(FRAME.RUN, 7, { script: 'echo hi', stdin: false }),
    encodeFrame(FRAME.STDOUT, 7, Buffer.from([0, 1, 255, 10])),
    encodeFrame(FRAME.STDIN_END, 4_000_000_000),
    encodeFrame(FRAME.RESULT, 7, { exitCode: 137, signal: 'KILL' }),
  ];
  const stream = Buffer.concat(frames);

  it('decodes the same frames however the stream is cut', () => {
    for (let cut = 1; cut < stream.length; cut++) {
      const d = new FrameDecoder();
      const got = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))];
      expect(got.map((f) => [f.type, f.id])).toEqual([
        [FRAME.RUN, 7],
        [FRAME.STDOUT, 7],
        [FRAME.STDIN_END, 4_000_000_000],
        [FRAME.RESULT, 7],
      ]);
      expect(frameJson(got[0]!)).toEqual({ script: 'echo hi', stdin: false });
      expect([...got[1]!.payload]).toEqual([0, 1, 255, 10]);
      expect(got[2]!.payload.length).toBe(0);
    }
  });

  it('byte by byte, too', () => {
    const d = new FrameDecoder();
    const got = [...stream].flatMap((b) => d.push(Buffer.from([b])));
    expect(got.map((f) => f.type)).toEqual([FRAME.RUN, FRAME.STDOUT, FRAME.STDIN_END, FRAME.RESULT]);
  });

  it('refuses a frame announcing more than the limit (a broken or hostile peer)', () => {
    const header = Buffer.alloc(9);
    header.writeUInt8(FRAME.STDOUT, 0);
    header.writeUInt32BE(MAX_FRAME_PAYLOAD + 1, 5);
    expect(() => new FrameDecoder().push(header)).toThrow(RangeError);
  });
});
