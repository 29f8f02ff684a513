/**
 * Consistent scm.db checkpoints (§10): one self-checking stream, written to a file for `ldb`/snapshots and
 * sent in chunks over the inter-SCM port (9895) to a lagging SCM, which installs it only if newer.
 *
 *   "SCMCKPT1"                                         8-byte magic (format version 1)
 *   repeated: u8 1 | u32 keyLen | key | u32 valueLen | value      raw LevelDB entries in key order
 *   u8 0 | u32 trailerLen | trailer JSON {entries, transactionInfo, clusterId?, createdAt}
 *   sha256 over every preceding byte (32 bytes)
 *
 * The entries come from one LevelDB iterator snapshot, so data and `#TRANSACTIONINFO` agree; the trailer
 * carries that `term#index` (found while streaming, hence at the end). A reader verifies the checksum
 * and the entry count before anything is renamed into place.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { once } from 'node:events';
import { CodedError } from '../../common/coded-error.js';
import { cfByTag, cfTag, decodeValue, encodeKey, CF_CODECS } from './column-families.js';
import { openLevelStore, type BatchOp } from './level-db.js';
import type { ScmDb } from './scm-db.js';
import { TRANSACTION_INFO_KEY, parseTransactionInfo, type TransactionInfo } from './transaction-info.js';

export type CheckpointErrorCode = 'CHECKPOINT_CORRUPT' | 'CHECKPOINT_NOT_NEWER' | 'CHECKPOINT_CLUSTER_MISMATCH' | 'CHECKPOINT_IO';
export class CheckpointError extends CodedError<CheckpointErrorCode> {}

const MAGIC = Buffer.from('SCMCKPT1', 'latin1');
const CHUNK = 1 << 20;

export interface CheckpointTrailer {
  readonly entries: number;
  readonly transactionInfo: TransactionInfo | null;
  readonly clusterId?: string;
  readonly createdAt: string;
}

const txKey = Buffer.concat([Buffer.from([cfTag('scmTransactionInfos')]), encodeKey('string', TRANSACTION_INFO_KEY)]);

/** Streams a consistent checkpoint of `db` as ~1 MiB chunks. */
export async function* checkpointStream(db: ScmDb, meta: { clusterId?: string; now?: Date } = {}): AsyncIterable<Uint8Array> {
  const hash = createHash('sha256');
  let parts: Buffer[] = [MAGIC];
  let size = MAGIC.length;
  let entries = 0;
  let transactionInfo: TransactionInfo | null = null;
  const flush = (): Buffer => {
    const out = Buffer.concat(parts);
    hash.update(out);
    parts = [];
    size = 0;
    return out;
  };
  for await (const [k, v] of db.allRawEntries()) {
    const head = Buffer.allocUnsafe(5);
    head[0] = 1;
    head.writeUInt32BE(k.byteLength, 1);
    const vlen = Buffer.allocUnsafe(4);
    vlen.writeUInt32BE(v.byteLength, 0);
    parts.push(head, Buffer.from(k), vlen, Buffer.from(v));
    size += 9 + k.byteLength + v.byteLength;
    entries++;
    if (Buffer.compare(Buffer.from(k), txKey) === 0) transactionInfo = parseTransactionInfo(String(decodeValue(CF_CODECS.scmTransactionInfos.value, v)));
    if (size >= CHUNK) yield flush();
  }
  const trailer: CheckpointTrailer = {
    entries,
    transactionInfo,
    ...(meta.clusterId === undefined ? {} : { clusterId: meta.clusterId }),
    createdAt: (meta.now ?? new Date()).toISOString(),
  };
  const json = Buffer.from(JSON.stringify(trailer), 'utf8');
  const head = Buffer.allocUnsafe(5);
  head[0] = 0;
  head.writeUInt32BE(json.length, 1);
  parts.push(head, json);
  const last = flush();
  yield Buffer.concat([last, hash.digest()]);
}

/** Writes a checkpoint file atomically (temp + rename); returns its trailer. */
export async function writeCheckpointFile(db: ScmDb, path: string, meta: { clusterId?: string } = {}): Promise<CheckpointTrailer> {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.partial`;
  const out = createWriteStream(tmp);
  try {
    for await (const chunk of checkpointStream(db, meta)) if (!out.write(chunk)) await once(out, 'drain');
    out.end();
    await once(out, 'finish');
  } catch (err) {
    out.destroy();
    rmSync(tmp, { force: true });
    throw err;
  }
  renameSync(tmp, path);
  return readCheckpointTrailer(path);
}

/**
 * Parses a checkpoint stream, handing raw entries to `onEntries` in batches; verifies structure, count and
 * checksum. Resolves with the trailer; rejects with CHECKPOINT_CORRUPT on any damage.
 */
export async function readCheckpoint(
  source: AsyncIterable<Uint8Array>,
  onEntries: (batch: Array<[Buffer, Buffer]>) => Promise<void>,
  options: { signal?: AbortSignal } = {},
): Promise<CheckpointTrailer> {
  const corrupt = (what: string): never => {
    throw new CheckpointError('CHECKPOINT_CORRUPT', `checkpoint is damaged: ${what}`, { hint: 'download or export the checkpoint again' });
  };
  const hash = createHash('sha256');
  let buf = Buffer.alloc(0);
  let magicSeen = false;
  let batch: Array<[Buffer, Buffer]> = [];
  let count = 0;
  let trailer: CheckpointTrailer | undefined;
  let digest: Buffer | undefined;
  const take = (n: number): Buffer => {
    const out = buf.subarray(0, n);
    buf = buf.subarray(n);
    return out;
  };
  for await (const chunk of source) {
    options.signal?.throwIfAborted();
    buf = buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([buf, chunk]);
    for (;;) {
      if (trailer) {
        if (buf.length >= 32 && digest === undefined) digest = take(32);
        break;
      }
      if (!magicSeen) {
        if (buf.length < MAGIC.length) break;
        const m = take(MAGIC.length);
        if (!m.equals(MAGIC)) corrupt('not an SCM checkpoint (bad magic)');
        hash.update(m);
        magicSeen = true;
        continue;
      }
      if (buf.length < 5) break;
      const type = buf[0]!;
      const len = buf.readUInt32BE(1);
      if (type === 1) {
        if (buf.length < 9 + len) break;
        const vlen = buf.readUInt32BE(5 + len);
        if (buf.length < 9 + len + vlen) break;
        const rec = take(9 + len + vlen);
        hash.update(rec);
        batch.push([Buffer.from(rec.subarray(5, 5 + len)), Buffer.from(rec.subarray(9 + len))]);
        count++;
        if (batch.length >= 2000) {
          await onEntries(batch);
          batch = [];
        }
      } else if (type === 0) {
        if (buf.length < 5 + len) break;
        const rec = take(5 + len);
        hash.update(rec);
        try {
          trailer = JSON.parse(rec.subarray(5).toString('utf8')) as CheckpointTrailer;
        } catch {
          corrupt('unreadable trailer');
        }
      } else {
        corrupt(`unknown record type ${type}`);
      }
    }
  }
  if (!trailer) return corrupt('truncated (no trailer)');
  if (digest === undefined || buf.length !== 0) corrupt('truncated or trailing bytes after the checksum');
  if (!hash.digest().equals(digest!)) corrupt('checksum mismatch');
  if (trailer.entries !== count) corrupt(`trailer says ${trailer.entries} entries, stream had ${count}`);
  if (batch.length > 0) await onEntries(batch);
  return trailer;
}

async function* fileChunks(path: string): AsyncIterable<Uint8Array> {
  for await (const c of createReadStream(path, { highWaterMark: CHUNK })) yield c as Buffer;
}

export async function readCheckpointTrailer(path: string): Promise<CheckpointTrailer> {
  return readCheckpoint(fileChunks(path), async () => {});
}

/**
 * Builds a new LevelDB at `targetPath` (must not exist) from a checkpoint stream. On damage the partial
 * database is removed. Known families are validated by tag; entries of unknown tags are refused.
 */
export async function restoreCheckpoint(source: AsyncIterable<Uint8Array>, targetPath: string, options: { signal?: AbortSignal } = {}): Promise<CheckpointTrailer> {
  if (existsSync(targetPath)) throw new CheckpointError('CHECKPOINT_IO', `${targetPath} already exists; refusing to overwrite it`);
  const store = await openLevelStore(targetPath, { createIfMissing: true, errorIfExists: true });
  try {
    const trailer = await readCheckpoint(
      source,
      async (batch) => {
        const ops: BatchOp[] = batch.map(([key, value]) => {
          if (key[0] !== 0 && cfByTag(key[0]!) === undefined) {
            throw new CheckpointError('CHECKPOINT_CORRUPT', `checkpoint holds a key of unknown column family tag ${key[0]}`);
          }
          return { type: 'put', key, value };
        });
        await store.batch(ops);
      },
      options,
    );
    await store.batch([], { sync: true });
    await store.close();
    return trailer;
  } catch (err) {
    await store.close();
    rmSync(targetPath, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Replaces the database directory `dbPath` (closed by the caller) with the checkpoint at `checkpointFile`,
 * as Ozone's reinitialize does (§10): restore next to it, keep the old one as
 * `scm.db.backup.<index>_<millis>`, guarded by a `dbInconsistentMarker` file while the two renames happen.
 * Refuses (CHECKPOINT_NOT_NEWER) unless the checkpoint's term#index is newer than `localApplied`, and
 * (CHECKPOINT_CLUSTER_MISMATCH) a checkpoint of another cluster.
 */
export async function installCheckpoint(
  dbPath: string,
  checkpointFile: string,
  local: { applied: TransactionInfo | undefined; clusterId: string; now?: () => number },
  options: { signal?: AbortSignal } = {},
): Promise<{ trailer: CheckpointTrailer; backup: string | undefined }> {
  const staged = join(dirname(dbPath), `${basename(dbPath)}.installing`);
  rmSync(staged, { recursive: true, force: true });
  const trailer = await restoreCheckpoint(fileChunks(checkpointFile), staged, options);
  const reject = (code: CheckpointErrorCode, msg: string): never => {
    rmSync(staged, { recursive: true, force: true });
    throw new CheckpointError(code, msg);
  };
  if (trailer.clusterId !== undefined && trailer.clusterId !== local.clusterId) {
    reject('CHECKPOINT_CLUSTER_MISMATCH', `checkpoint belongs to cluster ${trailer.clusterId}, this SCM to ${local.clusterId}`);
  }
  const t = trailer.transactionInfo;
  const a = local.applied;
  if (t === null || (a !== undefined && (t.index < a.index || (t.index === a.index && t.term <= a.term)))) {
    reject('CHECKPOINT_NOT_NEWER', `checkpoint at ${t ? `${t.term}#${t.index}` : 'no index'} is not newer than the local state ${a ? `${a.term}#${a.index}` : '(none)'}`);
  }
  const marker = join(dirname(dbPath), 'dbInconsistentMarker');
  writeFileSync(marker, `installing ${checkpointFile}\n`);
  let backup: string | undefined;
  if (existsSync(dbPath)) {
    backup = join(dirname(dbPath), `${basename(dbPath)}.backup.${a?.index ?? 0}_${(local.now ?? Date.now)()}`);
    renameSync(dbPath, backup);
  }
  renameSync(staged, dbPath);
  rmSync(marker, { force: true });
  return { trailer, backup };
}

/**
 * Finishes or rolls back an install that a crash interrupted (the `dbInconsistentMarker` is still there).
 * The staged database was complete and verified before the marker was written, so:
 *   marker + staged + live db  → crashed before the swap: the live db is intact, drop the staged copy;
 *   marker + staged, no db     → crashed between the two renames: roll forward (staged becomes the db);
 *   marker, no staged          → crashed after the swap: the new db is in place.
 * Returns what it did ('none' without a marker). Called before scm.db is opened.
 */
export function recoverInterruptedInstall(dbPath: string): 'none' | 'rolled-back' | 'rolled-forward' | 'completed' {
  const marker = join(dirname(dbPath), 'dbInconsistentMarker');
  if (!existsSync(marker)) return 'none';
  const staged = join(dirname(dbPath), `${basename(dbPath)}.installing`);
  // A LevelDB directory without CURRENT is no database (LevelDB creates the directory even when an open
  // without create fails), so it counts as missing.
  const dbExists = existsSync(join(dbPath, 'CURRENT'));
  let outcome: 'rolled-back' | 'rolled-forward' | 'completed';
  if (existsSync(staged) && dbExists) {
    rmSync(staged, { recursive: true, force: true });
    outcome = 'rolled-back';
  } else if (existsSync(staged)) {
    rmSync(dbPath, { recursive: true, force: true });
    renameSync(staged, dbPath);
    outcome = 'rolled-forward';
  } else {
    outcome = 'completed';
  }
  rmSync(marker, { force: true });
  return outcome;
}
