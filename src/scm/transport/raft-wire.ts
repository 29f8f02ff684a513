/**
 * The Raft peer protocol on top of the shared framing (frame-codec.ts):
 *
 *   kind 0x10 RAFT_BATCH   payload = header | encodeMessages(batch)
 *   kind 0x11 RAFT_REJECT  payload = header | utf-8 reason     (sent back before closing the connection)
 *
 *   header = u8 RAFT_WIRE_VERSION | str groupId | str senderId | str senderAddress
 *
 * Every frame names its group (the SCM uses the clusterId's UUID) and its sender; a receiver drops frames of
 * another group or another wire version and answers with RAFT_REJECT. The sender's advertised address
 * lets a node that has no configuration yet (a joining node) answer the leader.
 */
import { ByteCodecError, ByteReader, ByteWriter } from '../raft/byte-codec.js';
import { decodeMessages, encodeMessages } from '../raft/message-codec.js';
import type { Message, NodeId } from '../raft/types.js';
import { encodeFrame } from './frame-codec.js';
import { RaftTransportError } from './raft-transport-error.js';

export const RAFT_WIRE_VERSION = 1;
export const KIND_RAFT_BATCH = 0x10;
export const KIND_RAFT_REJECT = 0x11;

export interface RaftWireHeader {
  readonly groupId: string;
  readonly senderId: NodeId;
  readonly senderAddress: string;
}

function writeHeader(w: ByteWriter, h: RaftWireHeader): void {
  w.u8(RAFT_WIRE_VERSION).str(h.groupId).str(h.senderId).str(h.senderAddress);
}

function readHeader(r: ByteReader): RaftWireHeader {
  const version = r.u8();
  if (version !== RAFT_WIRE_VERSION) {
    throw new RaftTransportError('TRANSPORT_BAD_FRAME', `peer speaks Raft wire version ${version}, this build speaks ${RAFT_WIRE_VERSION}`, {
      hint: 'run the same release on every SCM host',
    });
  }
  return { groupId: r.str(), senderId: r.str() as NodeId, senderAddress: r.str() };
}

export function encodeBatchFrame(h: RaftWireHeader, messages: readonly Message[]): Buffer {
  const body = encodeMessages(messages);
  const w = new ByteWriter(body.length + 128);
  writeHeader(w, h);
  const head = w.finish();
  const payload = new Uint8Array(head.length + body.length);
  payload.set(head, 0);
  payload.set(body, head.length);
  return encodeFrame(KIND_RAFT_BATCH, payload);
}

export function encodeRejectFrame(h: RaftWireHeader, reason: string): Buffer {
  const w = new ByteWriter(256);
  writeHeader(w, h);
  w.str(reason);
  return encodeFrame(KIND_RAFT_REJECT, w.finish());
}

export type DecodedFrame =
  | { readonly kind: 'batch'; readonly header: RaftWireHeader; readonly messages: Message[] }
  | { readonly kind: 'reject'; readonly header: RaftWireHeader; readonly reason: string };

export function decodeRaftFrame(kind: number, payload: Uint8Array): DecodedFrame {
  try {
    const r = new ByteReader(payload);
    const header = readHeader(r);
    if (kind === KIND_RAFT_REJECT) return { kind: 'reject', header, reason: r.str() };
    if (kind !== KIND_RAFT_BATCH) throw new ByteCodecError(`unknown Raft frame kind ${kind}`);
    // The rest of the payload is the message batch.
    return { kind: 'batch', header, messages: decodeMessages(payload.subarray(r.offset())) };
  } catch (err) {
    if (err instanceof RaftTransportError) throw err;
    throw new RaftTransportError('TRANSPORT_BAD_FRAME', `undecodable Raft frame: ${(err as Error).message}`, { cause: err });
  }
}
