/**
 * Binary encoding of Raft messages, snapshots and membership (pure; the transport frames it, the log
 * store reuses the snapshot/conf-state parts). Versioned by a leading byte; decoding failures throw
 * RaftError INTERNAL with the reason, and the transport maps them to its own coded error.
 */
import { ByteCodecError, ByteReader, ByteWriter } from './byte-codec.js';
import { RaftError } from './raft-error.js';
import type { ConfState, Entry, EntryType, Member, Message, MessageType, NodeId, Snapshot } from './types.js';

export const MESSAGE_CODEC_VERSION = 1;

const messageTypes: readonly MessageType[] = [
  'app',
  'app-resp',
  'vote',
  'vote-resp',
  'pre-vote',
  'pre-vote-resp',
  'snap',
  'heartbeat',
  'heartbeat-resp',
  'timeout-now',
];
const messageCode = new Map(messageTypes.map((t, i) => [t, i + 1]));

export function writeEntry(w: ByteWriter, e: Entry): void {
  w.u64(e.term).u64(e.index).u8(e.type === 'normal' ? 0 : 1).bytes(e.data);
}

export function readEntry(r: ByteReader): Entry {
  const term = r.u64();
  const index = r.u64();
  const t = r.u8();
  if (t > 1) throw new ByteCodecError(`unknown entry type ${t}`);
  const type: EntryType = t === 0 ? 'normal' : 'conf-change';
  return { term, index, type, data: r.bytes() };
}

export function writeConfState(w: ByteWriter, cs: ConfState): void {
  w.u32(cs.members.length);
  for (const m of cs.members) w.str(m.id).str(m.address).u8(m.role === 'voter' ? 0 : 1).u8(m.autoPromote ? 1 : 0);
}

export function readConfState(r: ByteReader): ConfState {
  const n = r.u32();
  const members: Member[] = [];
  for (let i = 0; i < n; i++) {
    const id = r.str() as NodeId;
    const address = r.str();
    const role = r.u8() === 0 ? 'voter' : 'learner';
    members.push({ id, address, role, autoPromote: r.u8() === 1 });
  }
  return { members };
}

export function writeSnapshot(w: ByteWriter, s: Snapshot): void {
  w.u64(s.meta.index).u64(s.meta.term);
  writeConfState(w, s.meta.confState);
  w.bytes(s.data);
}

export function readSnapshot(r: ByteReader): Snapshot {
  const index = r.u64();
  const term = r.u64();
  const confState = readConfState(r);
  return { meta: { index, term, confState }, data: r.bytes() };
}

export function writeMessage(w: ByteWriter, m: Message): void {
  w.u8(messageCode.get(m.type)!).str(m.from).str(m.to);
  w.u64(m.term).u64(m.logTerm).u64(m.index).u64(m.commit).u64(m.rejectHint);
  w.u8((m.reject ? 1 : 0) | (m.snapshot ? 2 : 0) | (m.context ? 4 : 0));
  w.u32(m.entries.length);
  for (const e of m.entries) writeEntry(w, e);
  if (m.context) w.bytes(m.context);
  if (m.snapshot) writeSnapshot(w, m.snapshot);
}

export function readMessage(r: ByteReader): Message {
  const code = r.u8();
  const type = messageTypes[code - 1];
  if (!type) throw new ByteCodecError(`unknown message type ${code}`);
  const from = r.str() as NodeId;
  const to = r.str() as NodeId;
  const term = r.u64();
  const logTerm = r.u64();
  const index = r.u64();
  const commit = r.u64();
  const rejectHint = r.u64();
  const flags = r.u8();
  const n = r.u32();
  const entries: Entry[] = [];
  for (let i = 0; i < n; i++) entries.push(readEntry(r));
  const context = flags & 4 ? r.bytes() : null;
  const snapshot = flags & 2 ? readSnapshot(r) : null;
  return { type, from, to, term, logTerm, index, commit, rejectHint, reject: (flags & 1) === 1, entries, context, snapshot };
}

/** Encodes a batch of messages (all to the same peer, typically). */
export function encodeMessages(messages: readonly Message[]): Uint8Array {
  let size = 16;
  for (const m of messages) {
    size += 96 + m.from.length + m.to.length;
    for (const e of m.entries) size += 24 + e.data.byteLength;
    if (m.snapshot) size += 64 + m.snapshot.data.byteLength;
  }
  const w = new ByteWriter(size).u8(MESSAGE_CODEC_VERSION).u32(messages.length);
  for (const m of messages) writeMessage(w, m);
  return w.finish();
}

export function decodeMessages(data: Uint8Array): Message[] {
  try {
    const r = new ByteReader(data);
    const version = r.u8();
    if (version !== MESSAGE_CODEC_VERSION) throw new ByteCodecError(`message codec version ${version}, expected ${MESSAGE_CODEC_VERSION}`);
    const n = r.u32();
    const out: Message[] = [];
    for (let i = 0; i < n; i++) out.push(readMessage(r));
    r.expectEnd();
    return out;
  } catch (err) {
    throw new RaftError('INTERNAL', `undecodable raft messages: ${(err as Error).message}`, { cause: err });
  }
}
