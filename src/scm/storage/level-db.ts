/**
 * The embedded SCM's only door to LevelDB (classic-level). Everything in src/scm that persists bytes —
 * the Raft log store and scm.db with its column families — goes through `LevelStore`, so the adapter
 * rule holds (one file imports classic-level) and storage code is testable against one small interface.
 *
 * Contract:
 *  - keys and values are bytes (Uint8Array); ordering is bytewise, as LevelDB's default comparator;
 *  - `batch` is atomic: all operations or none survive a crash; with `sync: true` it is fsync'd to the
 *    write-ahead log before the promise resolves (the durability point for Raft);
 *  - an iterator reads from an implicit snapshot taken when it is created (consistent reads while writes
 *    continue), which checkpoints rely on;
 *  - `close()` is idempotent; operations after close fail with LEVEL_CLOSED.
 */
import { ClassicLevel } from 'classic-level';
import { CodedError } from '../../common/coded-error.js';

export type LevelErrorCode = 'LEVEL_OPEN_FAILED' | 'LEVEL_LOCKED' | 'LEVEL_NOT_FOUND' | 'LEVEL_EXISTS' | 'LEVEL_CLOSED' | 'LEVEL_IO';
export class LevelError extends CodedError<LevelErrorCode> {}

export type BatchOp =
  | { readonly type: 'put'; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly type: 'del'; readonly key: Uint8Array };

export interface RangeOptions {
  readonly gte?: Uint8Array;
  readonly gt?: Uint8Array;
  readonly lte?: Uint8Array;
  readonly lt?: Uint8Array;
  readonly reverse?: boolean;
  readonly limit?: number;
}

export interface LevelStore {
  readonly location: string;
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  put(key: Uint8Array, value: Uint8Array, options?: { sync?: boolean }): Promise<void>;
  del(key: Uint8Array, options?: { sync?: boolean }): Promise<void>;
  batch(ops: readonly BatchOp[], options?: { sync?: boolean }): Promise<void>;
  /** Entries in key order (or reverse), read from a snapshot taken at call time. */
  entries(range?: RangeOptions): AsyncIterable<[Uint8Array, Uint8Array]>;
  keys(range?: RangeOptions): AsyncIterable<Uint8Array>;
  clear(range?: RangeOptions): Promise<void>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** default true */
  readonly createIfMissing?: boolean;
  /** default false */
  readonly errorIfExists?: boolean;
}

type Db = ClassicLevel<Uint8Array, Uint8Array>;

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

function range(r: RangeOptions = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (r.gte) out.gte = asBuffer(r.gte);
  if (r.gt) out.gt = asBuffer(r.gt);
  if (r.lte) out.lte = asBuffer(r.lte);
  if (r.lt) out.lt = asBuffer(r.lt);
  if (r.reverse) out.reverse = true;
  if (r.limit !== undefined) out.limit = r.limit;
  return out;
}

function wrap(err: unknown, location: string, what: string): LevelError {
  const code = (err as { code?: string } | null)?.code;
  if (code === 'LEVEL_DATABASE_NOT_OPEN') return new LevelError('LEVEL_CLOSED', `${location}: database is closed (${what})`, { cause: err });
  return new LevelError('LEVEL_IO', `${location}: ${what} failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}

export async function openLevelStore(location: string, options: OpenOptions = {}): Promise<LevelStore> {
  const db: Db = new ClassicLevel<Uint8Array, Uint8Array>(location, { keyEncoding: 'view', valueEncoding: 'view' });
  try {
    await db.open({ createIfMissing: options.createIfMissing ?? true, errorIfExists: options.errorIfExists ?? false });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const text = `${(err as Error).message} ${cause?.message ?? ''}`;
    if (cause?.code === 'LEVEL_LOCKED' || /lock/i.test(text)) {
      throw new LevelError('LEVEL_LOCKED', `${location} is in use by another process`, {
        cause: err,
        hint: 'stop the process holding the database (is an SCM already running with this directory?)',
      });
    }
    if (/does not exist/i.test(text)) throw new LevelError('LEVEL_NOT_FOUND', `${location} does not exist`, { cause: err });
    if (/exists/i.test(text)) throw new LevelError('LEVEL_EXISTS', `${location} already exists`, { cause: err });
    throw new LevelError('LEVEL_OPEN_FAILED', `cannot open ${location}: ${text.trim()}`, { cause: err });
  }
  let closed = false;
  const guard = (what: string): void => {
    if (closed) throw new LevelError('LEVEL_CLOSED', `${location}: database is closed (${what})`);
  };
  return {
    location,
    async get(key) {
      guard('get');
      try {
        const v = await db.get(asBuffer(key));
        return v === undefined ? undefined : v;
      } catch (err) {
        if ((err as { code?: string }).code === 'LEVEL_NOT_FOUND') return undefined;
        throw wrap(err, location, 'get');
      }
    },
    async put(key, value, o = {}) {
      guard('put');
      try {
        await db.put(asBuffer(key), asBuffer(value), { sync: o.sync ?? false });
      } catch (err) {
        throw wrap(err, location, 'put');
      }
    },
    async del(key, o = {}) {
      guard('del');
      try {
        await db.del(asBuffer(key), { sync: o.sync ?? false });
      } catch (err) {
        throw wrap(err, location, 'del');
      }
    },
    async batch(ops, o = {}) {
      guard('batch');
      if (ops.length === 0) return;
      // A chained batch hands each operation to the native batch as it is added. The array form clones and
      // checks every operation again in JavaScript and then has the native side read each one's properties
      // back: about three times the CPU for a Raft Ready of 16 entries (docs/raft.md §5). Both write one
      // atomic LevelDB WriteBatch.
      let b: ReturnType<Db['batch']> | null = null;
      try {
        b = db.batch();
        for (const op of ops) {
          if (op.type === 'put') b.put(asBuffer(op.key), asBuffer(op.value));
          else b.del(asBuffer(op.key));
        }
        await b.write({ sync: o.sync ?? false });
      } catch (err) {
        await b?.close().catch(() => {});
        throw wrap(err, location, 'batch');
      }
    },
    async *entries(r) {
      guard('iterate');
      const it = db.iterator(range(r));
      try {
        for await (const [k, v] of it) yield [k, v];
      } finally {
        await it.close();
      }
    },
    async *keys(r) {
      guard('iterate');
      const it = db.keys(range(r));
      try {
        for await (const k of it) yield k;
      } finally {
        await it.close();
      }
    },
    async clear(r) {
      guard('clear');
      try {
        await db.clear(range(r));
      } catch (err) {
        throw wrap(err, location, 'clear');
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.close();
    },
  };
}
