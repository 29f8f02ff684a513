/**
 * The connection keeper's wire format (client ⇄ keeper over a Unix socket): frames of
 * `type (1 byte) · id (uint32 BE) · length (uint32 BE) · payload`. Control frames carry JSON, data frames
 * (stdin, stdout, stderr) raw bytes, so binary output travels unchanged. `id` names the command a frame
 * belongs to (0 for the connection's own frames).
 */

export const FRAME = {
  /** client → keeper, JSON OpenRequest: this socket now speaks for one SSH connection */
  OPEN: 1,
  /** client → keeper, JSON RunHeader: start command `id` */
  RUN: 2,
  /** client → keeper: bytes of command `id`'s stdin (at most STDIN_WINDOW bytes not yet credited back) */
  STDIN: 3,
  /** client → keeper: command `id`'s stdin is at EOF */
  STDIN_END: 4,
  /** client → keeper: kill command `id` */
  ABORT: 5,
  /** client → keeper, JSON {}: list the kept connections (answered by LISTED) */
  LIST: 6,
  /** client → keeper: close every connection and exit */
  SHUTDOWN: 7,
  /** keeper → client, JSON HostInfo: the connection is ready */
  OPENED: 101,
  /** keeper → client, JSON WireError: OPEN (id 0) or command `id` failed */
  FAILED: 102,
  /** keeper → client, JSON WireLog: a log record of the connection's set-up */
  LOG: 103,
  /** keeper → client: bytes command `id` printed on stdout (whole, before RESULT) */
  STDOUT: 104,
  STDERR: 105,
  /** keeper → client, JSON {exitCode, signal?}: command `id` ended */
  RESULT: 106,
  /** keeper → client, JSON KeptConnection[] */
  LISTED: 107,
  /** keeper → client, JSON {bytes}: that much of command `id`'s stdin was taken by the command */
  CREDIT: 108,
} as const;

/**
 * Stdin flow control per command: the client sends at most this many bytes the keeper has not credited back,
 * so a command that reads slowly (or never) holds back its own input only, never the socket's other commands.
 */
export const STDIN_WINDOW = 1024 * 1024;
/** output travels in frames of at most this size */
export const OUTPUT_CHUNK = 1024 * 1024;

export type FrameType = (typeof FRAME)[keyof typeof FRAME];

export interface Frame {
  readonly type: number;
  readonly id: number;
  readonly payload: Buffer;
}

const HEADER = 9;
/** larger than any command's output limit (64 MiB) plus room: a bigger length means a broken peer */
export const MAX_FRAME_PAYLOAD = 128 * 1024 * 1024;

export function encodeFrame(type: FrameType, id: number, payload: Uint8Array | string | object = Buffer.alloc(0)): Buffer {
  const body =
    payload instanceof Uint8Array ? payload : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload), 'utf8');
  const header = Buffer.alloc(HEADER);
  header.writeUInt8(type, 0);
  header.writeUInt32BE(id >>> 0, 1);
  header.writeUInt32BE(body.byteLength, 5);
  return Buffer.concat([header, body]);
}

export function frameJson<T>(frame: Frame): T {
  return JSON.parse(frame.payload.toString('utf8')) as T;
}

/** Reassembles frames from stream chunks cut anywhere. `push` throws on a frame longer than the limit. */
export class FrameDecoder {
  private buffered: Buffer[] = [];
  private size = 0;

  push(chunk: Buffer): Frame[] {
    this.buffered.push(chunk);
    this.size += chunk.length;
    const frames: Frame[] = [];
    for (;;) {
      if (this.size < HEADER) break;
      const head = this.peek(HEADER);
      const length = head.readUInt32BE(5);
      if (length > MAX_FRAME_PAYLOAD) throw new RangeError(`keeper frame of ${length} bytes is over the limit`);
      if (this.size < HEADER + length) break;
      const all = this.take(HEADER + length);
      frames.push({ type: all.readUInt8(0), id: all.readUInt32BE(1), payload: all.subarray(HEADER) });
    }
    return frames;
  }

  private peek(n: number): Buffer {
    if (this.buffered[0]!.length < n) this.buffered = [Buffer.concat(this.buffered)];
    return this.buffered[0]!.subarray(0, n);
  }

  private take(n: number): Buffer {
    const all = this.buffered.length === 1 ? this.buffered[0]! : Buffer.concat(this.buffered);
    this.buffered = all.length > n ? [all.subarray(n)] : [];
    this.size -= n;
    return all.subarray(0, n);
  }
}
