/**
 * scm.db: the SCM's replicated metadata (§5) on a LevelStore, with column families (see column-families.ts).
 *
 * Contract:
 *  - `write(changes)` is one atomic LevelDB batch across families; the state store always includes the
 *    `#TRANSACTIONINFO` change of the entry (or entries) it applied, so data and applied index move together;
 *  - reads of a family see a consistent snapshot taken when the iteration starts;
 *  - `checkpoint()` streams a consistent export (checkpoint.ts format) while writes continue;
 *  - creating the database registers every family (what `ldb ls` prints); opening an existing one never
 *    creates it (`create: false` → SCMDB_NOT_FOUND), so nothing "re-inits" an SCM by accident.
 */
import { CodedError } from '../../common/coded-error.js';
import {
  CF_CODECS,
  COLUMN_FAMILIES,
  REGISTRY_TAG,
  cfRange,
  decodeKey,
  decodeValue,
  encodeKey,
  encodeValue,
  rawKey,
  registryKey,
  type ColumnFamily,
  type KeyValue,
} from './column-families.js';
import { openLevelStore, type BatchOp, type LevelStore } from './level-db.js';
import { TRANSACTION_INFO_KEY, formatTransactionInfo, parseTransactionInfo, type TransactionInfo } from './transaction-info.js';

export type ScmDbErrorCode = 'SCMDB_NOT_FOUND' | 'SCMDB_CORRUPT';
export class ScmDbError extends CodedError<ScmDbErrorCode> {}

/** One change to one family: `value: null` deletes. Keys and values in the family's codec domain. */
export interface DbChange {
  readonly cf: ColumnFamily;
  readonly key: KeyValue;
  readonly value: unknown;
}

export function transactionInfoChange(t: TransactionInfo): DbChange {
  return { cf: 'scmTransactionInfos', key: TRANSACTION_INFO_KEY, value: formatTransactionInfo(t) };
}

export interface ScanOptions {
  readonly limit?: number;
}

export class ScmDb {
  private constructor(readonly store: LevelStore) {}

  get location(): string {
    return this.store.location;
  }

  static async open(path: string, options: { create: boolean; readOnly?: boolean }): Promise<ScmDb> {
    let store: LevelStore;
    try {
      store = await openLevelStore(path, { createIfMissing: options.create });
    } catch (err) {
      if ((err as { code?: string }).code === 'LEVEL_NOT_FOUND') {
        throw new ScmDbError('SCMDB_NOT_FOUND', `${path} does not exist`, { cause: err, hint: 'initialise this SCM first: ozone scm --init (or --bootstrap)' });
      }
      throw err;
    }
    const db = new ScmDb(store);
    const missing: BatchOp[] = [];
    for (const cf of COLUMN_FAMILIES) {
      if ((await store.get(registryKey(cf))) === undefined) missing.push({ type: 'put', key: registryKey(cf), value: new Uint8Array(0) });
    }
    if (missing.length > 0 && options.readOnly) {
      if (missing.length === COLUMN_FAMILIES.length) {
        await store.close();
        throw new ScmDbError('SCMDB_CORRUPT', `${path} is not an scm.db (no column family registry)`);
      }
      return db; // tools never modify a database they only read
    }
    if (missing.length > 0) {
      const known = missing.length < COLUMN_FAMILIES.length;
      if (!known && !options.create) {
        await store.close();
        throw new ScmDbError('SCMDB_CORRUPT', `${path} is not an scm.db (no column family registry)`);
      }
      // A new database registers every family; an older layout gains the families added since.
      await store.batch(missing, { sync: true });
    }
    return db;
  }

  /** Families registered in this database, in creation order of the registry (tag order). */
  async listColumnFamilies(): Promise<ColumnFamily[]> {
    const out: ColumnFamily[] = [];
    for await (const k of this.store.keys({ gte: Buffer.from([REGISTRY_TAG]), lt: Buffer.from([REGISTRY_TAG + 1]) })) {
      const name = Buffer.from(k.subarray(1)).toString('utf8');
      if ((COLUMN_FAMILIES as readonly string[]).includes(name)) out.push(name as ColumnFamily);
    }
    return COLUMN_FAMILIES.filter((cf) => out.includes(cf));
  }

  async getRaw(cf: ColumnFamily, key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.store.get(rawKey(cf, key));
  }

  async get(cf: ColumnFamily, key: KeyValue): Promise<unknown> {
    const raw = await this.getRaw(cf, encodeKey(CF_CODECS[cf].key, key));
    return raw === undefined ? undefined : decodeValue(CF_CODECS[cf].value, raw);
  }

  /** Raw (un-prefixed) keys and values of a family in key order. */
  async *rawEntries(cf: ColumnFamily, options: ScanOptions = {}): AsyncIterable<[Uint8Array, Uint8Array]> {
    const r = cfRange(cf);
    for await (const [k, v] of this.store.entries({ ...r, ...(options.limit === undefined ? {} : { limit: options.limit }) })) yield [k.subarray(1), v];
  }

  /** Decoded entries of a family in key order. */
  async *entries(cf: ColumnFamily, options: ScanOptions = {}): AsyncIterable<[string | number | bigint, unknown]> {
    const c = CF_CODECS[cf];
    for await (const [k, v] of this.rawEntries(cf, options)) yield [decodeKey(c.key, k), decodeValue(c.value, v)];
  }

  /** True when some column family holds a record (false: a database just created, or never written). */
  async holdsRecords(): Promise<boolean> {
    for (const cf of COLUMN_FAMILIES) {
      for await (const _ of this.store.keys({ ...cfRange(cf), limit: 1 })) return true;
    }
    return false;
  }

  async count(cf: ColumnFamily): Promise<number> {
    let n = 0;
    for await (const _ of this.store.keys(cfRange(cf))) n++;
    return n;
  }

  encode(changes: readonly DbChange[]): BatchOp[] {
    return changes.map((c) => {
      const codec = CF_CODECS[c.cf];
      const key = rawKey(c.cf, encodeKey(codec.key, c.key));
      return c.value === null || c.value === undefined ? { type: 'del', key } : { type: 'put', key, value: encodeValue(codec.value, c.value) };
    });
  }

  /** Atomic batch across families. `sync` = fsync before resolving. */
  async write(changes: readonly DbChange[], options: { sync?: boolean } = {}): Promise<void> {
    await this.store.batch(this.encode(changes), options);
  }

  async transactionInfo(): Promise<TransactionInfo | undefined> {
    const v = await this.get('scmTransactionInfos', TRANSACTION_INFO_KEY);
    if (v === undefined) return undefined;
    try {
      return parseTransactionInfo(String(v));
    } catch (err) {
      throw new ScmDbError('SCMDB_CORRUPT', `${this.location}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Every raw entry of the database (registry included) from one snapshot, in key order. */
  allRawEntries(): AsyncIterable<[Uint8Array, Uint8Array]> {
    return this.store.entries();
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}
