/**
 * The framing every SCM port speaks (docs/design.md §4.4):
 *
 *   u32 BE length of what follows | u8 wire version | u8 kind | payload (length - 2 bytes)
 *
 * `kind` names the protocol message family (each protocol declares its own kinds); the payload encoding is
 * the protocol's business. A decoder rejects unknown versions and oversized frames with coded errors, so a
 * peer from another build or a stray client fails loudly instead of being misparsed.
 */
import { CodedError } from '../../common/coded-error.js';

export const WIRE_VERSION = 1;
/**
 * Upper bound of any frame (header + payload), 64 MiB: above Ozone's 32 MB appender byte limit. Listeners
 * use smaller per-port limits (connection-limits.ts); clients accept up to this from the servers they call.
 */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

export type FrameErrorCode = 'FRAME_TOO_LARGE' | 'FRAME_WIRE_VERSION' | 'FRAME_MALFORMED';
export class FrameError extends CodedError<FrameErrorCode> {}

export interface Frame {
  readonly kind: number;
  readonly payload: Uint8Array;
}

/** Bytes before a frame's payload: length, wire version, kind. */
export const FRAME_HEADER_BYTES = 6;

/**
 * A frame of `kind` with room for `payloadBytes` after its header (at FRAME_HEADER_BYTES), for encoders
 * that write their payload in place instead of copying it in.
 */
export function allocFrame(kind: number, payloadBytes: number): Buffer {
  if (!Number.isInteger(kind) || kind < 0 || kind > 255) {
    throw new FrameError('FRAME_MALFORMED', `frame kind ${kind} is not a byte`);
  }
  const length = payloadBytes + 2;
  if (length + 4 > MAX_FRAME_BYTES) {
    throw new FrameError('FRAME_TOO_LARGE', `frame of ${length + 4} bytes exceeds the ${MAX_FRAME_BYTES}-byte limit`);
  }
  const out = Buffer.allocUnsafe(4 + length);
  out.writeUInt32BE(length, 0);
  out.writeUInt8(WIRE_VERSION, 4);
  out.writeUInt8(kind, 5);
  return out;
}

export function encodeFrame(kind: number, payload: Uint8Array): Buffer {
  const out = allocFrame(kind, payload.byteLength);
  out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

/**
 * Incremental decoder: feed socket chunks with `push`, get whole frames back in arrival order.
 * After an error the decoder is poisoned (the stream position is lost); close the connection.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failed: FrameError | null = null;

  constructor(private readonly maxFrameBytes: number = MAX_FRAME_BYTES) {}

  /** bytes held for a frame not complete yet (0 between frames) */
  get pendingBytes(): number {
    return this.buffered;
  }

  push(chunk: Uint8Array): Frame[] {
    if (this.failed) throw this.failed;
    this.chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.buffered += chunk.byteLength;
    const frames: Frame[] = [];
    while (this.buffered >= 4) {
      const head = this.peek(6);
      const length = head.readUInt32BE(0);
      if (length < 2) return this.fail(new FrameError('FRAME_MALFORMED', `frame length ${length} is shorter than its header`));
      if (length + 4 > this.maxFrameBytes) {
        return this.fail(new FrameError('FRAME_TOO_LARGE', `incoming frame of ${length + 4} bytes exceeds the ${this.maxFrameBytes}-byte limit`));
      }
      if (head.length >= 5 && head.readUInt8(4) !== WIRE_VERSION) {
        return this.fail(
          new FrameError('FRAME_WIRE_VERSION', `peer speaks wire version ${head.readUInt8(4)}, this build speaks ${WIRE_VERSION}`, {
            hint: 'run the same scmctl/ozone release on every SCM host',
          }),
        );
      }
      if (this.buffered < 4 + length) break;
      const whole = this.take(4 + length);
      frames.push({ kind: whole.readUInt8(5), payload: whole.subarray(6) });
    }
    return frames;
  }

  private fail(err: FrameError): never {
    this.failed = err;
    this.chunks = [];
    this.buffered = 0;
    throw err;
  }

  private peek(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n || this.chunks.length === 1) return first.subarray(0, Math.min(n, first.length));
    const merged = Buffer.concat(this.chunks);
    this.chunks = [merged];
    return merged.subarray(0, Math.min(n, merged.length));
  }

  private take(n: number): Buffer {
    const merged = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const out = merged.subarray(0, n);
    const rest = merged.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered -= n;
    return out;
  }
}
