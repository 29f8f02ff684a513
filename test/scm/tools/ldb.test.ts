import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScmDb, transactionInfoChange } from '../../../src/scm/storage/scm-db.js';
import { jacksonJson } from '../../../src/scm/tools/jackson-json.js';
import { ldbList, ldbScan, type LdbScanOptions } from '../../../src/scm/tools/ldb.js';
import { bufferIo } from '../../../src/scm/tools/tool-io.js';
import { parseScanEntries } from '../../../src/provisioner/apply/ldb-scan-output.js';

const container = (id: number) => ({
  containerID: id, state: 'CLOSED', pipelineID: '0418d33d-19b6-4da8-b5f3-df1090b997f3',
  replicationConfig: { replicationType: 'RATIS', replicationFactor: 'THREE' }, usedBytes: 60817408, numberOfKeys: 116,
  stateEnterTime: 1795537104757, owner: 'freon', sequenceId: 0, deleteTransactionId: 0,
});

describe('ozone debug ldb output (golden)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ldb-'));
  let db: ScmDb;
  beforeAll(async () => {
    db = await ScmDb.open(join(dir, 'scm.db'), { create: true });
    await db.write([{ cf: 'containers', key: 1, value: container(1) }, { cf: 'containers', key: 2, value: container(2) }, { cf: 'sequenceId', key: 'containerId', value: 1000 }, { cf: 'sequenceId', key: 'localId', value: 2000 }, transactionInfoChange({ term: 0, index: 31 })]);
  });
  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const scan = async (o: Partial<LdbScanOptions> & { columnFamily: string }): Promise<string> => {
    const io = bufferIo();
    await ldbScan(db, { withKeys: true, limit: -1, compact: false, count: false, ...o }, io);
    return io.stdout.join('\n');
  };

  it('ls lists every column family, default included', async () => {
    const io = bufferIo();
    await ldbList(db, io);
    expect(io.stdout).toEqual(['default', 'containers', 'pipelines', 'deletedBlocks', 'validCerts', 'validSCMCerts', 'scmTransactionInfos', 'sequenceId', 'move', 'meta', 'statefulServiceConfig']);
  });

  it('scan --column-family=containers --limit 1: DBScanner layout with Jackson pretty values', async () => {
    // the key is Ozone's ContainerID object as Jackson writes it (DBScanner: writer.writeValueAsString(key))
    expect(await scan({ columnFamily: 'containers', limit: 1 })).toBe(`{ {
  "id" : 1
}: {
  "containerID" : 1,
  "state" : "CLOSED",
  "pipelineID" : "0418d33d-19b6-4da8-b5f3-df1090b997f3",
  "replicationConfig" : {
    "replicationType" : "RATIS",
    "replicationFactor" : "THREE"
  },
  "usedBytes" : 60817408,
  "numberOfKeys" : 116,
  "stateEnterTime" : 1795537104757,
  "owner" : "freon",
  "sequenceId" : 0,
  "deleteTransactionId" : 0
}
 }`);
  });

  it('--compact, --with-keys=false, string-keyed families, scmTransactionInfos, --count, empty families', async () => {
    expect(await scan({ columnFamily: 'sequenceId', compact: true })).toBe('{ "containerId": 1000\n, "localId": 2000\n }');
    expect(await scan({ columnFamily: 'sequenceId', withKeys: false })).toBe('[ 1000\n, 2000\n ]');
    expect(await scan({ columnFamily: 'scmTransactionInfos' })).toBe('{ "#TRANSACTIONINFO": "0#31"\n }');
    const compact = await scan({ columnFamily: 'containers', compact: true });
    expect(compact).toBe(`{ {"id":1}: ${JSON.stringify(container(1))}\n, {"id":2}: ${JSON.stringify(container(2))}\n }`);
    // what scmctl's container scan reads back from it
    expect(parseScanEntries(compact)).toEqual([[{ id: 1 }, container(1)], [{ id: 2 }, container(2)]]);
    expect(await scan({ columnFamily: 'containers', count: true })).toBe('2');
    expect(await scan({ columnFamily: 'pipelines' })).toBe('{  }');
    await expect(scan({ columnFamily: 'nope' })).rejects.toMatchObject({ code: 'LDB_UNKNOWN_CF' });
    await expect(scan({ columnFamily: 'containers', limit: 0 })).rejects.toMatchObject({ code: 'USAGE' });
  });

  it('Jackson pretty printing: inline arrays, empty containers, nulls omitted', () => {
    expect(jacksonJson({ a: [1, { b: null, c: 'x' }], e: {}, f: [], n: null }, false)).toBe('{\n  "a" : [ 1, {\n    "c" : "x"\n  } ],\n  "e" : { },\n  "f" : [ ]\n}');
    expect(jacksonJson({ a: [1, 2], n: null }, true)).toBe('{"a":[1,2]}');
  });
});
