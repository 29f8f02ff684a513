/**
 * The SCM RPC protocol over the shared frame codec (docs/design.md §4.4). Every frame payload is
 *   u32 BE headerLength | header (UTF-8 JSON) | body (raw bytes, stream chunks only)
 * Kinds: 1 REQUEST {id, method, params}; 2 RESPONSE {id, result}; 3 ERROR {id, code, message, hint?,
 * leader?}; 4 CHUNK {id, eof} + body (a streamed response, ended by eof=true); 5 CANCEL {id}.
 * `id` is the caller's correlation id, unique per connection; responses may arrive in any order.
 */
import { FRAME_HEADER_BYTES, allocFrame } from './frame-codec.js';
import { RpcError } from './rpc-error.js';

export const RPC_KIND = { REQUEST: 1, RESPONSE: 2, ERROR: 3, CHUNK: 4, CANCEL: 5 } as const;

export interface ErrorHeader {
  readonly id: number;
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  readonly leader?: string;
}

/** Writes the payload (header length, JSON header, body) into `out` at `at`, which has exactly the room. */
function writePayload(out: Buffer, at: number, json: string, jsonBytes: number, body: Uint8Array | undefined): void {
  out.writeUInt32BE(jsonBytes, at);
  out.write(json, at + 4, jsonBytes, 'utf8');
  if (body) out.set(body, at + 4 + jsonBytes);
}

export function encodePayload(header: unknown, body?: Uint8Array): Uint8Array {
  const json = JSON.stringify(header);
  const jsonBytes = Buffer.byteLength(json, 'utf8');
  const out = Buffer.allocUnsafe(4 + jsonBytes + (body?.byteLength ?? 0));
  writePayload(out, 0, json, jsonBytes, body);
  return out;
}

/** A whole frame of `kind` carrying this protocol's payload, written in one buffer (no payload copy). */
export function encodeRpcFrame(kind: number, header: unknown, body?: Uint8Array): Buffer {
  const json = JSON.stringify(header);
  const jsonBytes = Buffer.byteLength(json, 'utf8');
  const out = allocFrame(kind, 4 + jsonBytes + (body?.byteLength ?? 0));
  writePayload(out, FRAME_HEADER_BYTES, json, jsonBytes, body);
  return out;
}

export function decodePayload(payload: Uint8Array): { header: Record<string, unknown>; body: Uint8Array } {
  const b = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  if (b.length < 4) throw new RpcError('RPC_PROTOCOL', 'frame payload shorter than its header length');
  const len = b.readUInt32BE(0);
  if (4 + len > b.length) throw new RpcError('RPC_PROTOCOL', 'frame header longer than the payload');
  let header: unknown;
  try {
    header = JSON.parse(b.subarray(4, 4 + len).toString('utf8'));
  } catch (err) {
    throw new RpcError('RPC_PROTOCOL', 'frame header is not JSON', { cause: err });
  }
  if (typeof header !== 'object' || header === null || typeof (header as { id?: unknown }).id !== 'number') {
    throw new RpcError('RPC_PROTOCOL', 'frame header has no numeric id');
  }
  return { header: header as Record<string, unknown>, body: b.subarray(4 + len) };
}
