/**
 * `ozone debug ldb --db=<dir>/scm.db ls | scan` (§9).
 *  - `ls` (alias `list_column_families`): one column family per line, `default` included.
 *  - `scan --column-family=<cf>` (aliases `--column_family`, `--cf`): `{ <key>: <value>` then
 *    `, <key>: <value>` per line, closed by ` }` — Ozone's DBScanner layout; `--with-keys=false` prints
 *    `[ <value>`… ` ]`; values pretty-printed like Jackson unless `--compact`; `--limit N` (-1 = all).
 *    Keys are printed as Jackson prints Ozone's key objects (DBScanner `writer.writeValueAsString(key)`):
 *    ContainerID keys (`containers`, `move`) as `{ "id" : 1 }`, PipelineID keys as `{ "id" : "<uuid>" }`,
 *    Long/BigInteger keys as numbers, String keys as strings — so, like Ozone's, the output with keys is not
 *    one JSON document; readers parse it entry by entry. (ContainerID's other, lazily computed fields are
 *    left out: their exact Jackson rendering could not be checked against a running Ozone.)
 *  - `scan --count`: the number of records.
 *  - `checkpoint --output=<dir>`: a consistent copy of the database at `<dir>` (which must not exist),
 *    "Created checkpoint at <dir>" — a backup a running SCM keeps serving through.
 * LevelDB allows one opener: when a running SCM holds the database, the records are read from a
 * consistent checkpoint streamed by that SCM (its inter-SCM port), never from a live copy.
 */
import { mkdtempSync, realpathSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkpointStream, restoreCheckpoint } from '../storage/checkpoint.js';
import { isColumnFamily, COLUMN_FAMILIES, type ColumnFamily } from '../storage/column-families.js';
import { ScmDb } from '../storage/scm-db.js';
import { RpcClient } from '../transport/rpc-client.js';
import type { InterScmProtocol } from '../protocols/inter-scm-protocol.js';
import type { ClientTls } from '../transport/tls-options.js';
import { jacksonJson } from './jackson-json.js';
import { ToolError } from './tool-error.js';
import type { ToolIo } from './tool-io.js';

export interface LdbScanOptions {
  readonly columnFamily: string;
  readonly withKeys: boolean;
  readonly limit: number;
  readonly compact: boolean;
  readonly count: boolean;
}

/** How to reach the SCM that holds a database, when it is locked (resolved by main from the config). */
export interface LiveScmLocator {
  (dbPath: string): Promise<{ host: string; grpcPort: number; clusterId: string; tls?: ClientTls } | undefined>;
}

export async function openForRead(dbPath: string, locate: LiveScmLocator | undefined): Promise<{ db: ScmDb; cleanup: () => Promise<void> }> {
  const path = resolve(dbPath);
  if (!existsSync(path)) throw new ToolError('LDB_NO_DB', `${path} does not exist`, { hint: 'pass --db=<ozone.scm.db.dirs>/scm.db' });
  try {
    const db = await ScmDb.open(path, { create: false, readOnly: true });
    return { db, cleanup: () => db.close() };
  } catch (err) {
    if ((err as { code?: string }).code !== 'LEVEL_LOCKED') throw err;
    const live = locate ? await locate(realpathSync(path)) : undefined;
    if (!live) {
      throw new ToolError('LDB_NO_DB', `${path} is in use by a running SCM that could not be identified from the configuration`, {
        cause: err,
        hint: 'run with the SCM\'s --conf/OZONE_CONF_DIR so the tool can ask it for a checkpoint, or stop the SCM',
      });
    }
    const dir = mkdtempSync(join(tmpdir(), 'ozone-ldb-'));
    const client = new RpcClient<InterScmProtocol>(live.host, live.grpcPort, { timeoutMs: 600_000, ...(live.tls ? { tls: live.tls } : {}) });
    try {
      await restoreCheckpoint(client.stream('downloadCheckpoint', { clusterId: live.clusterId }), join(dir, 'scm.db'));
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    } finally {
      await client.close();
    }
    const db = await ScmDb.open(join(dir, 'scm.db'), { create: false, readOnly: true });
    return {
      db,
      cleanup: async () => {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}

export async function ldbList(db: ScmDb, io: ToolIo): Promise<void> {
  for (const cf of await db.listColumnFamilies()) io.out(cf);
}

export async function ldbScan(db: ScmDb, options: LdbScanOptions, io: ToolIo): Promise<void> {
  if (!isColumnFamily(options.columnFamily) || !(await db.listColumnFamilies()).includes(options.columnFamily)) {
    throw new ToolError('LDB_UNKNOWN_CF', `Table with name '${options.columnFamily}' not found`, { hint: `column families: ${COLUMN_FAMILIES.join(', ')}` });
  }
  if (options.limit < 1 && options.limit !== -1) {
    throw new ToolError('USAGE', 'List length should be a positive number. Only allowed negative number is -1 which is to dump entire table');
  }
  const cf: ColumnFamily = options.columnFamily;
  if (options.count) {
    io.out(String(await db.count(cf)));
    return;
  }
  const lines: string[] = [];
  let first = true;
  for await (const [key, value] of db.entries(cf, options.limit === -1 ? {} : { limit: options.limit })) {
    const v = jacksonJson(value, options.compact);
    const k = options.withKeys ? `${jacksonJson(scanKey(cf, key), options.compact)}: ` : '';
    lines.push(`${first ? '' : ', '}${k}${v}`);
    first = false;
  }
  const [open, close] = options.withKeys ? ['{ ', ' }'] : ['[ ', ' ]'];
  io.out(`${open}${lines.join('\n')}${lines.length > 0 ? '\n' : ''}${close}`);
}

/** the key object Ozone's codec for `cf` decodes, as Jackson would serialise it */
export function scanKey(cf: ColumnFamily, key: string | number | bigint): unknown {
  switch (cf) {
    case 'containers':
    case 'move':
      return { id: Number(key) };
    case 'pipelines':
      return { id: String(key) };
    case 'deletedBlocks':
    case 'validCerts':
    case 'validSCMCerts':
      return typeof key === 'bigint' ? (key <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(key) : key) : Number(key);
    default:
      return String(key);
  }
}

export async function ldbCheckpoint(db: ScmDb, output: string, io: ToolIo): Promise<void> {
  const target = resolve(output);
  if (existsSync(target)) throw new ToolError('LDB_OUTPUT_EXISTS', `${target} already exists; a checkpoint is written to a new directory`, { hint: 'pass --output=<a path that does not exist>' });
  await restoreCheckpoint(checkpointStream(db), target);
  io.out(`Created checkpoint at ${target}`);
}
