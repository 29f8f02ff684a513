/**
 * The durable Raft log of one node: entries, hard state (term, vote, commit), the latest snapshot (its
 * metadata and the applier's bytes) and the compaction point, in LevelDB through `level-db.ts`.
 *
 * Contract:
 *  - `save` writes one atomic batch (snapshot, entries with truncation of a conflicting suffix, hard
 *    state); with `sync: true` it resolves only after the batch is fsync'd. The driver sends nothing that
 *    depends on a Ready before its save resolved.
 *  - `load` rebuilds exactly what was saved and validates it: every record carries a CRC-32, entries
 *    must be contiguous from the compaction point, terms non-decreasing, the commit index inside the
 *    log (the commit index may lag, it is written lazily; a snapshot raises it to the snapshot index). Any violation (a torn or corrupt tail, a gap, a bit flip) is reported as RAFT_LOG_CORRUPT with
 *    the index and reason; nothing is silently dropped or repaired.
 *  - The store is bound to one group and one node id (written on first open): opening it for another
 *    group or node fails with RAFT_STORE_MISMATCH.
 *
 * Errors (RaftStorageError): RAFT_LOG_CORRUPT, RAFT_STORE_MISMATCH, RAFT_STORE_IO (LevelDB failed; cause
 * attached), RAFT_STORE_CLOSED, RAFT_ALREADY_INITIALIZED (bootstrap over existing state).
 */
import { CodedError } from '../../common/coded-error.js';
import { ByteReader, ByteWriter } from '../raft/byte-codec.js';
import { readSnapshot, writeSnapshot } from '../raft/message-codec.js';
import { emptyHardState, emptySnapshot, type Entry, type HardState, type LogIndex, type NodeId, type Snapshot, type Term } from '../raft/types.js';
import { openLevelStore, type BatchOp, type LevelStore } from './level-db.js';
import { crc32, crc32Async } from './raft-crc32.js';

export type RaftStorageErrorCode = 'RAFT_LOG_CORRUPT' | 'RAFT_LOG_LOST' | 'RAFT_STORE_MISMATCH' | 'RAFT_STORE_IO' | 'RAFT_STORE_CLOSED' | 'RAFT_ALREADY_INITIALIZED';
export class RaftStorageError extends CodedError<RaftStorageErrorCode> {}

export const RAFT_STORE_FORMAT = 1;

export interface RaftLogState {
  readonly hardState: HardState;
  /** The latest snapshot, or emptySnapshot. */
  readonly snapshot: Snapshot;
  /** Entries start at compactedIndex + 1; compactedTerm is the term at compactedIndex. */
  readonly compactedIndex: LogIndex;
  readonly compactedTerm: Term;
  readonly entries: readonly Entry[];
  /**
   * The highest state-machine index installed from elsewhere (a leader's snapshot, a newer checkpoint;
   * markInstalling before and after each install): up to it the applier may legitimately be ahead of
   * this log. Never lowered; null when nothing was ever installed.
   */
  readonly installing?: LogIndex | null;
}

export interface RaftLogUpdate {
  readonly hardState?: HardState | null;
  readonly entries?: readonly Entry[];
  /** A snapshot installed from the leader: replaces the whole log. */
  readonly snapshot?: Snapshot | null;
}

export interface RaftLogStore {
  readonly location: string;
  readonly groupId: string;
  readonly nodeId: NodeId;
  load(): Promise<RaftLogState>;
  save(update: RaftLogUpdate, options: { sync: boolean }): Promise<void>;
  /** Records a snapshot taken locally and drops entries up to `compactTo` (whose term is given). */
  saveSnapshot(snapshot: Snapshot, compactTo: { index: LogIndex; term: Term } | null): Promise<void>;
  /** Durably raises RaftLogState.installing to `index` (an applier about to hold, or holding, state up to it). */
  markInstalling(index: LogIndex): Promise<void>;
  /** True if nothing but the identity was ever written (a node waiting to join, or before bootstrap). */
  isEmpty(): Promise<boolean>;
  close(): Promise<void>;
}

const KEY_IDENTITY = Uint8Array.of(0x01);
const KEY_HARD_STATE = Uint8Array.of(0x02);
const KEY_SNAPSHOT = Uint8Array.of(0x03);
const KEY_COMPACTION = Uint8Array.of(0x04);
const KEY_INSTALLING = Uint8Array.of(0x05);
const ENTRY_PREFIX = 0x10;
const ENTRY_END = Uint8Array.of(ENTRY_PREFIX + 1);

function entryKey(index: LogIndex): Uint8Array {
  const k = new Uint8Array(9);
  const v = new DataView(k.buffer);
  k[0] = ENTRY_PREFIX;
  v.setUint32(1, Math.floor(index / 4294967296));
  v.setUint32(5, index >>> 0);
  return k;
}

function keyIndex(k: Uint8Array): number {
  const v = new DataView(k.buffer, k.byteOffset, k.byteLength);
  return v.getUint32(1) * 4294967296 + v.getUint32(5);
}

/**
 * A record is `u32 crc32(body) | body`. It is written in place: `recordWriter` leaves 4 bytes for the CRC in
 * front of the body, and `sealed` fills them in once the body is complete (no copy of the body).
 */
function recordWriter(bodyBytes: number): ByteWriter {
  return new ByteWriter(bodyBytes + 4).u32(0);
}

function sealed(record: Uint8Array, crc = crc32(record.subarray(4))): Uint8Array {
  record[0] = crc >>> 24;
  record[1] = crc >>> 16;
  record[2] = crc >>> 8;
  record[3] = crc;
  return record;
}

/** `sealed` for a large record (a snapshot): the CRC is computed in slices that yield to the event loop. */
async function sealedAsync(record: Uint8Array): Promise<Uint8Array> {
  return sealed(record, await crc32Async(record.subarray(4)));
}

function unseal(record: Uint8Array, what: string): Uint8Array {
  if (record.length < 4) throw corrupt(`${what} record is ${record.length} bytes long`);
  const expected = new DataView(record.buffer, record.byteOffset, record.byteLength).getUint32(0);
  const body = record.subarray(4);
  if (crc32(body) !== expected) throw corrupt(`${what} record fails its checksum`);
  return body;
}

/** What an operator does about a damaged or lost log; the SCM names its own repair command on top. */
export const REJOIN_HINT = 'do not edit the store: this node must rejoin — remove it from the group, move its Raft directory aside (keep it) and add it again so it catches up from the leader';

function corrupt(reason: string, location = ''): RaftStorageError {
  return new RaftStorageError('RAFT_LOG_CORRUPT', `Raft log store${location ? ` at ${location}` : ''} is corrupt: ${reason}`, {
    hint: REJOIN_HINT,
  });
}

function encodeEntry(e: Entry): Uint8Array {
  return sealed(recordWriter(e.data.length + 28).u64(e.term).u64(e.index).u8(e.type === 'normal' ? 0 : 1).bytes(e.data).finish());
}

function decodeEntry(record: Uint8Array, index: LogIndex): Entry {
  const r = new ByteReader(unseal(record, `entry ${index}`));
  const term = r.u64();
  const at = r.u64();
  const t = r.u8();
  const data = r.bytes();
  r.expectEnd();
  if (at !== index) throw corrupt(`entry stored under index ${index} claims index ${at}`);
  if (t > 1) throw corrupt(`entry ${index} has unknown type ${t}`);
  return { term, index, type: t === 0 ? 'normal' : 'conf-change', data: new Uint8Array(data) };
}

function encodeCompactionPoint(index: LogIndex, term: Term): Uint8Array {
  return sealed(recordWriter(16).u64(index).u64(term).finish());
}

/** The snapshot record (metadata, membership, data); its CRC is computed in yielding slices. */
async function encodeSnapshotRecord(snapshot: Snapshot): Promise<Uint8Array> {
  const w = recordWriter(snapshot.data.length + 128);
  writeSnapshot(w, snapshot);
  return sealedAsync(w.finish());
}

function encodeHardState(hs: HardState): Uint8Array {
  return sealed(recordWriter(64).u64(hs.term).str(hs.vote ?? '').u64(hs.commit).finish());
}

function decodeHardState(record: Uint8Array): HardState {
  const r = new ByteReader(unseal(record, 'hard state'));
  const term = r.u64();
  const vote = r.str();
  const commit = r.u64();
  r.expectEnd();
  return { term, vote: vote === '' ? null : (vote as NodeId), commit };
}

export async function openRaftLogStore(location: string, identity: { groupId: string; nodeId: NodeId }, options: { signal?: AbortSignal } = {}): Promise<RaftLogStore> {
  options.signal?.throwIfAborted();
  let db: LevelStore;
  try {
    db = await openLevelStore(location);
  } catch (err) {
    const message = (err as Error).message;
    // LevelDB reports a damaged MANIFEST, table or log file as "Corruption: …" (unfixable by retrying).
    if (/corrupt/i.test(`${message} ${String((err as { cause?: unknown }).cause ?? '')}`)) throw corrupt(message, location);
    throw new RaftStorageError('RAFT_STORE_IO', `cannot open the Raft log store at ${location}: ${message}`, { cause: err });
  }
  const io = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (err) {
      if (err instanceof RaftStorageError) throw err;
      if ((err as { code?: string }).code === 'LEVEL_CLOSED') throw new RaftStorageError('RAFT_STORE_CLOSED', `Raft log store at ${location} is closed (${what})`, { cause: err });
      throw new RaftStorageError('RAFT_STORE_IO', `Raft log store at ${location}: ${what} failed: ${(err as Error).message}`, { cause: err });
    }
  };

  const idRecord = await io('read identity', () => db.get(KEY_IDENTITY));
  if (idRecord) {
    let format: number;
    let groupId: string;
    let node: string;
    try {
      const r = new ByteReader(unseal(idRecord, 'identity'));
      format = r.u32();
      groupId = r.str();
      node = r.str();
    } catch (err) {
      await db.close();
      if (err instanceof RaftStorageError) throw corrupt(err.message, location);
      throw corrupt(`identity record: ${(err as Error).message}`, location);
    }
    if (format !== RAFT_STORE_FORMAT || groupId !== identity.groupId || node !== identity.nodeId) {
      await db.close();
      throw new RaftStorageError(
        'RAFT_STORE_MISMATCH',
        `Raft log store at ${location} belongs to group ${groupId} node ${node} (format ${format}), not group ${identity.groupId} node ${identity.nodeId} (format ${RAFT_STORE_FORMAT})`,
        { hint: 'point this node at its own Raft directory; each group and node has its own store' },
      );
    }
  } else {
    await io('write identity', () =>
      db.put(KEY_IDENTITY, sealed(recordWriter(64).u32(RAFT_STORE_FORMAT).str(identity.groupId).str(identity.nodeId).finish()), { sync: true }),
    );
  }

  // In-memory shape of what is on disk, kept by load/save so truncation knows which keys exist.
  let first = 1;
  let last = 0;
  let loaded = false;

  const ensureLoaded = async (): Promise<void> => {
    if (!loaded) await store.load();
  };

  const store: RaftLogStore = {
    location,
    groupId: identity.groupId,
    nodeId: identity.nodeId,

    async load(): Promise<RaftLogState> {
      return io('load', async () => {
        try {
          const hsRecord = await db.get(KEY_HARD_STATE);
          const hardState = hsRecord ? decodeHardState(hsRecord) : emptyHardState;
          const snapRecord = await db.get(KEY_SNAPSHOT);
          let snapshot = emptySnapshot;
          if (snapRecord) {
            const r = new ByteReader(unseal(snapRecord, 'snapshot'));
            snapshot = readSnapshot(r);
            r.expectEnd();
            snapshot = { meta: snapshot.meta, data: new Uint8Array(snapshot.data) };
          }
          let compactedIndex = 0;
          let compactedTerm = 0;
          const cRecord = await db.get(KEY_COMPACTION);
          if (cRecord) {
            const r = new ByteReader(unseal(cRecord, 'compaction point'));
            compactedIndex = r.u64();
            compactedTerm = r.u64();
            r.expectEnd();
          }
          const entries: Entry[] = [];
          let expect = compactedIndex + 1;
          let prevTerm = compactedTerm;
          // Entries at or below the compaction point are garbage a range clear may not have removed yet.
          for await (const [k, v] of db.entries({ gte: entryKey(compactedIndex + 1), lt: ENTRY_END })) {
            if (k.length !== 9) throw corrupt(`malformed entry key of ${k.length} bytes`);
            const index = keyIndex(k);
            if (index !== expect) {
              throw corrupt(`entries ${expect}..${index - 1} are missing (gap before ${index})`);
            }
            const e = decodeEntry(v, index);
            if (e.term < prevTerm) throw corrupt(`entry ${index} has term ${e.term} below the preceding term ${prevTerm}`);
            prevTerm = e.term;
            entries.push(e);
            expect++;
          }
          const lastIndex = compactedIndex + entries.length;
          if (snapshot.meta.index < compactedIndex) throw corrupt(`snapshot ${snapshot.meta.index} is older than the compaction point ${compactedIndex}`);
          if (snapshot.meta.index > Math.max(lastIndex, compactedIndex)) throw corrupt(`snapshot ${snapshot.meta.index} is beyond the last entry ${lastIndex}`);
          if (hardState.commit > lastIndex) throw corrupt(`commit index ${hardState.commit} is beyond the last entry ${lastIndex} (lost tail)`);
          if (entries.length > 0 && entries[entries.length - 1]!.term > hardState.term) {
            throw corrupt(`last entry term ${entries[entries.length - 1]!.term} exceeds the current term ${hardState.term}`);
          }
          first = compactedIndex + 1;
          last = lastIndex;
          loaded = true;
          const iRecord = await db.get(KEY_INSTALLING);
          const installing = iRecord ? new ByteReader(unseal(iRecord, 'installing')).u64() : null;
          // The commit index is written lazily; a snapshot proves everything up to it committed.
          const commit = Math.max(hardState.commit, snapshot.meta.index);
          return { hardState: { ...hardState, commit }, snapshot, compactedIndex, compactedTerm, entries, installing };
        } catch (err) {
          if (err instanceof RaftStorageError && err.code === 'RAFT_LOG_CORRUPT' && !err.message.includes(location)) {
            throw corrupt(err.message.replace(/^Raft log store is corrupt: /, ''), location);
          }
          if (err instanceof RaftStorageError) throw err;
          if ((err as { code?: string }).code?.startsWith('LEVEL_')) throw err;
          throw corrupt((err as Error).message, location);
        }
      });
    },

    async save(update, options): Promise<void> {
      await ensureLoaded();
      const ops: BatchOp[] = [];
      let newFirst = first;
      let newLast = last;
      let clearThrough: LogIndex | null = null;
      if (update.snapshot) {
        const s = update.snapshot;
        // Entries beyond the snapshot (a conflicting tail) go in this batch; those at or below it are
        // dropped by a native range clear afterwards (garbage below the compaction point is ignored).
        for (let i = Math.max(first, s.meta.index + 1); i <= last; i++) ops.push({ type: 'del', key: entryKey(i) });
        ops.push({ type: 'put', key: KEY_SNAPSHOT, value: await encodeSnapshotRecord(s) });
        ops.push({ type: 'put', key: KEY_COMPACTION, value: encodeCompactionPoint(s.meta.index, s.meta.term) });
        newFirst = s.meta.index + 1;
        newLast = s.meta.index;
        clearThrough = s.meta.index;
      }
      const entries = (update.entries ?? []).filter((e) => e.index >= newFirst);
      if (entries.length > 0) {
        const from = entries[0]!.index;
        if (from > newLast + 1) throw new RaftStorageError('RAFT_LOG_CORRUPT', `save of entries from ${from} would leave a gap after ${newLast}`);
        const to = entries[entries.length - 1]!.index;
        for (let i = to + 1; i <= newLast; i++) ops.push({ type: 'del', key: entryKey(i) });
        for (const e of entries) ops.push({ type: 'put', key: entryKey(e.index), value: encodeEntry(e) });
        newLast = to;
      }
      if (update.hardState) ops.push({ type: 'put', key: KEY_HARD_STATE, value: encodeHardState(update.hardState) });
      if (ops.length === 0) return;
      await io('save', () => db.batch(ops, { sync: options.sync }));
      // A local snapshot may have compacted the prefix meanwhile: only an installed snapshot moves `first` here.
      if (update.snapshot) first = newFirst;
      last = newLast;
      if (clearThrough !== null) await io('clear compacted entries', () => db.clear({ gte: Uint8Array.of(ENTRY_PREFIX), lte: entryKey(clearThrough!) }));
    },

    async saveSnapshot(snapshot, compactTo): Promise<void> {
      await ensureLoaded();
      const ops: BatchOp[] = [];
      ops.push({ type: 'put', key: KEY_SNAPSHOT, value: await encodeSnapshotRecord(snapshot) });
      let compacted = false;
      if (compactTo && compactTo.index >= first) {
        if (compactTo.index > last || compactTo.index > snapshot.meta.index) {
          throw new RaftStorageError('RAFT_LOG_CORRUPT', `cannot compact to ${compactTo.index}: last entry ${last}, snapshot ${snapshot.meta.index}`);
        }
        ops.push({ type: 'put', key: KEY_COMPACTION, value: encodeCompactionPoint(compactTo.index, compactTo.term) });
        compacted = true;
      }
      // The snapshot and the new compaction point are one synced batch; the entries behind it are then
      // removed by a native range clear (a crash in between leaves garbage that load ignores).
      await io('save snapshot', () => db.batch(ops, { sync: true }));
      if (compacted) {
        first = compactTo!.index + 1;
        await io('clear compacted entries', () => db.clear({ gte: Uint8Array.of(ENTRY_PREFIX), lte: entryKey(compactTo!.index) }));
      }
    },

    async markInstalling(index): Promise<void> {
      await io('mark snapshot install', async () => {
        const cur = await db.get(KEY_INSTALLING);
        if (cur && new ByteReader(unseal(cur, 'installing')).u64() >= index) return;
        await db.put(KEY_INSTALLING, sealed(recordWriter(8).u64(index).finish()), { sync: true });
      });
    },

    async isEmpty(): Promise<boolean> {
      return io('inspect', async () => {
        if (await db.get(KEY_HARD_STATE)) return false;
        if (await db.get(KEY_SNAPSHOT)) return false;
        for await (const _ of db.keys({ gte: Uint8Array.of(ENTRY_PREFIX), lt: ENTRY_END, limit: 1 })) return false;
        return true;
      });
    },

    async close(): Promise<void> {
      await db.close();
    },
  };
  return store;
}
