import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkpointStream, installCheckpoint, readCheckpointTrailer, restoreCheckpoint, writeCheckpointFile } from '../../../src/scm/storage/checkpoint.js';
import { COLUMN_FAMILIES, decodeKey, encodeKey } from '../../../src/scm/storage/column-families.js';
import { ScmDb, transactionInfoChange } from '../../../src/scm/storage/scm-db.js';

describe('scm.db column families (real LevelDB)', () => {
  const dirs: string[] = [];
  const dbs: ScmDb[] = [];
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'scmdb-'));
    dirs.push(d);
    return d;
  };
  const open = async (path: string, create = true): Promise<ScmDb> => {
    const db = await ScmDb.open(path, { create });
    dbs.push(db);
    return db;
  };
  afterEach(async () => {
    for (const db of dbs.splice(0)) await db.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('registers the §5 families (and default) at creation, and never creates a missing db on open', async () => {
    const d = tmp();
    const db = await open(join(d, 'scm.db'));
    expect(await db.listColumnFamilies()).toEqual([...COLUMN_FAMILIES]);
    expect(COLUMN_FAMILIES).toEqual([
      'default', 'containers', 'pipelines', 'deletedBlocks', 'validCerts', 'validSCMCerts', 'scmTransactionInfos', 'sequenceId', 'move', 'meta', 'statefulServiceConfig',
    ]);
    await expect(ScmDb.open(join(d, 'missing.db'), { create: false })).rejects.toMatchObject({ code: 'SCMDB_NOT_FOUND' });
  });

  it('encodes keys like Ozone codecs: 8-byte BE longs, 16-byte UUIDs, BigInteger bytes', () => {
    expect(Buffer.from(encodeKey('long', 1)).toString('hex')).toBe('0000000000000001');
    expect(Buffer.from(encodeKey('uuid', 'a42a1405-bf50-403c-8db2-ee7eb2c49d64')).length).toBe(16);
    expect(decodeKey('uuid', encodeKey('uuid', 'a42a1405-bf50-403c-8db2-ee7eb2c49d64'))).toBe('a42a1405-bf50-403c-8db2-ee7eb2c49d64');
    expect(Buffer.from(encodeKey('bigint', 128)).toString('hex')).toBe('0080');
    expect(Buffer.from(encodeKey('bigint', 2)).toString('hex')).toBe('02');
    expect(decodeKey('bigint', encodeKey('bigint', 1234567890123n))).toBe(1234567890123n);
  });

  it('writes atomically across families, keeps them apart, iterates in key order', async () => {
    const d = tmp();
    const db = await open(join(d, 'scm.db'));
    await db.write([
      { cf: 'containers', key: 2, value: { containerID: 2 } },
      { cf: 'containers', key: 1, value: { containerID: 1 } },
      { cf: 'sequenceId', key: 'containerId', value: 1000 },
      transactionInfoChange({ term: 0, index: 7 }),
    ], { sync: true });
    const rows: unknown[] = [];
    for await (const [k, v] of db.entries('containers')) rows.push([k, v]);
    expect(rows).toEqual([[1, { containerID: 1 }], [2, { containerID: 2 }]]);
    expect(await db.get('sequenceId', 'containerId')).toBe(1000);
    expect(await db.count('pipelines')).toBe(0);
    expect(await db.transactionInfo()).toEqual({ term: 0, index: 7 });
    await db.write([{ cf: 'containers', key: 1, value: null }]);
    expect(await db.count('containers')).toBe(1);
  });

  it('checkpoint round trip: export while writing, restore elsewhere, identical content and term#index', async () => {
    const d = tmp();
    const db = await open(join(d, 'scm.db'));
    for (let i = 1; i <= 3000; i++) await db.write([{ cf: 'containers', key: i, value: { containerID: i, pad: 'x'.repeat(600) } }, transactionInfoChange({ term: 1, index: i })]);
    const stream = checkpointStream(db, { clusterId: 'CID-x' });
    const chunks: Uint8Array[] = [];
    let first = true;
    for await (const c of stream) {
      chunks.push(c);
      if (first) {
        first = false;
        await db.write([{ cf: 'containers', key: 99999, value: { late: true } }, transactionInfoChange({ term: 1, index: 3001 })]);
      }
    }
    expect(chunks.length).toBeGreaterThan(1);
    const target = join(d, 'restored.db');
    const trailer = await restoreCheckpoint((async function* () { yield* chunks; })(), target);
    expect(trailer.transactionInfo).toEqual({ term: 1, index: 3000 });
    const copy = await open(target, false);
    expect(await copy.count('containers')).toBe(3000);
    expect(await copy.get('containers', 1500)).toEqual({ containerID: 1500, pad: 'x'.repeat(600) });
    expect(await copy.transactionInfo()).toEqual({ term: 1, index: 3000 });
    expect(await copy.listColumnFamilies()).toEqual([...COLUMN_FAMILIES]);
  });

  it('detects damage (flipped byte, truncation) and leaves no partial database', async () => {
    const d = tmp();
    const db = await open(join(d, 'scm.db'));
    await db.write([{ cf: 'containers', key: 1, value: { a: 1 } }, transactionInfoChange({ term: 0, index: 1 })]);
    const file = join(d, 'ckpt');
    expect((await writeCheckpointFile(db, file)).transactionInfo).toEqual({ term: 0, index: 1 });
    const bytes = readFileSync(file);
    const flipped = Buffer.from(bytes);
    flipped[20] = flipped[20]! ^ 0xff;
    writeFileSync(join(d, 'bad'), flipped);
    await expect(readCheckpointTrailer(join(d, 'bad'))).rejects.toMatchObject({ code: 'CHECKPOINT_CORRUPT' });
    writeFileSync(join(d, 'short'), bytes.subarray(0, bytes.length - 5));
    await expect(restoreCheckpoint((async function* () { yield bytes.subarray(0, bytes.length - 5); })(), join(d, 'partial.db'))).rejects.toMatchObject({ code: 'CHECKPOINT_CORRUPT' });
    expect(readdirSync(d)).not.toContain('partial.db');
  });

  it('installs a checkpoint only when newer, keeping the old db as scm.db.backup.<index>_<millis>', async () => {
    const leaderDir = tmp();
    const leader = await open(join(leaderDir, 'scm.db'));
    await leader.write([{ cf: 'containers', key: 5, value: { v: 'leader' } }, transactionInfoChange({ term: 2, index: 50 })]);
    const file = join(leaderDir, 'scm.db-scm1-1.ckpt');
    await writeCheckpointFile(leader, file, { clusterId: 'CID-a' });

    const followerDir = tmp();
    const fpath = join(followerDir, 'scm.db');
    const follower = await ScmDb.open(fpath, { create: true });
    await follower.write([transactionInfoChange({ term: 2, index: 60 })]);
    await follower.close();
    await expect(installCheckpoint(fpath, file, { applied: { term: 2, index: 60 }, clusterId: 'CID-a' })).rejects.toMatchObject({ code: 'CHECKPOINT_NOT_NEWER' });
    await expect(installCheckpoint(fpath, file, { applied: { term: 1, index: 10 }, clusterId: 'CID-b' })).rejects.toMatchObject({ code: 'CHECKPOINT_CLUSTER_MISMATCH' });
    const res = await installCheckpoint(fpath, file, { applied: { term: 1, index: 10 }, clusterId: 'CID-a', now: () => 42 });
    expect(res.backup).toBe(join(followerDir, 'scm.db.backup.10_42'));
    expect(readdirSync(followerDir).sort()).toEqual(['scm.db', 'scm.db.backup.10_42']);
    const installed = await open(fpath, false);
    expect(await installed.get('containers', 5)).toEqual({ v: 'leader' });
    expect(await installed.transactionInfo()).toEqual({ term: 2, index: 50 });
  });
});
