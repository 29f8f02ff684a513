/**
 * The SCM RPC protocol over the shared frame codec (docs/design.md §4.4). Every frame payload is
 *   u32 BE headerLength | header (UTF-8 JSON) | body (raw bytes, stream chunks only)
 * Kinds: 1 REQUEST {id, method, params}; 2 RESPONSE {id, result}; 3 ERROR {id, code, message, hint?,
 * leader?}; 4 CHUNK {id, eof} + body (a streamed response, ended by eof=true); 5 CANCEL {id}.
 * `id` is the caller's correlation id, unique per connection; responses may arrive in any order.
 */
import { RpcError } from './rpc-error.js';

export const RPC_KIND = { REQUEST: 1, RESPONSE: 2, ERROR: 3, CHUNK: 4, CANCEL: 5 } as const;

export interface ErrorHeader {
  readonly id: number;
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  readonly leader?: string;
}

export function encodePayload(header: unknown, body?: Uint8Array): Uint8Array {
  const h = Buffer.from(JSON.stringify(header), 'utf8');
  const out = Buffer.allocUnsafe(4 + h.length + (body?.byteLength ?? 0));
  out.writeUInt32BE(h.length, 0);
  h.copy(out, 4);
  if (body) out.set(body, 4 + h.length);
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
