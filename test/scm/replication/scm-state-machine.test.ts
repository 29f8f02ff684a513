/**
 * The Raft RaftApplier adapter over a real ScmStateStore (real LevelDB): commands decode and apply with
 * gaps (membership entries are not commands), undecodable bytes are a deterministic rejection, a snapshot
 * marks its index applied and flushes, and restore downloads only when the local state is behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/common/clock.js';
import { silentLogger } from '../../../src/common/logger.js';
import { nodeId } from '../../../src/scm/raft/types.js';
import { ScmStateMachine } from '../../../src/scm/replication/scm-state-machine.js';
import { ScmStateStore } from '../../../src/scm/replication/scm-state-store.js';
import { decodeSnapshotDescriptor, encodeSnapshotDescriptor } from '../../../src/scm/replication/snapshot-descriptor.js';
import { encodeCommand } from '../../../src/scm/state/command-codec.js';
import { ScmDb } from '../../../src/scm/storage/scm-db.js';

describe('ScmStateMachine', () => {
  const dirs: string[] = [];
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const open = async (): Promise<{ sm: ScmStateStore; machine: ScmStateMachine; path: string; sources: string[] }> => {
    const dir = mkdtempSync(join(tmpdir(), 'scm-rsm-'));
    dirs.push(dir);
    const path = join(dir, 'scm.db');
    await (await ScmDb.open(path, { create: true })).close();
    const sm = await ScmStateStore.open(path, 'CID-1');
    closers.push(() => sm.close());
    const sources: string[] = [];
    const machine = new ScmStateMachine(sm, {
      clusterId: 'CID-1',
      snapshotDir: join(dir, 'snap'),
      clock: systemClock,
      logger: silentLogger,
      checkpointSources: (from) => {
        sources.push(from ? from.id : 'null');
        return [];
      },
    });
    return { sm, machine, path, sources };
  };

  it('applies commands with index gaps and rejects bytes that are not a command as a result', async () => {
    const { sm, machine } = await open();
    const ok = await machine.apply({ index: 3, term: 2, data: encodeCommand({ type: 'allocateBatch', sequence: 'localId', expectedLastId: 0, newLastId: 10 }) });
    expect(ok).toEqual({ ok: true, value: { firstId: 1, lastId: 10 } });
    const bad = await machine.apply({ index: 5, term: 2, data: new TextEncoder().encode('{"v":9}') });
    expect(bad).toMatchObject({ ok: false, code: 'INVALID_COMMAND' });
    expect(sm.lastApplied()).toEqual({ term: 2, index: 5 });
    expect(machine.appliedIndex()).toBe(5);
    // replay after a restart: already applied entries are skipped
    expect(await machine.apply({ index: 3, term: 2, data: encodeCommand({ type: 'allocateBatch', sequence: 'localId', expectedLastId: 0, newLastId: 10 }) })).toEqual({ ok: true, value: 'ALREADY_APPLIED' });
    expect(sm.view.sequence('localId')).toBe(10);
  });

  it('a snapshot marks its index applied in scm.db and returns a descriptor', async () => {
    const { sm, machine, path } = await open();
    await machine.apply({ index: 2, term: 1, data: encodeCommand({ type: 'finalizeLayoutFeature', layoutVersion: 10 }) });
    const bytes = await machine.snapshot({ index: 7, term: 3 });
    expect(decodeSnapshotDescriptor(bytes)).toEqual({ index: 7, term: 3, clusterId: 'CID-1' });
    expect(sm.lastApplied()).toEqual({ term: 3, index: 7 });
    await sm.close();
    const db = await ScmDb.open(path, { create: false });
    expect(await db.transactionInfo()).toEqual({ term: 3, index: 7 });
    await db.close();
  });

  it('restore: nothing to download when scm.db already covers the snapshot; no source known is an error the driver retries', async () => {
    const { machine, sources } = await open();
    await machine.apply({ index: 9, term: 1, data: encodeCommand({ type: 'finalizeLayoutFeature', layoutVersion: 10 }) });
    const signal = new AbortController().signal;
    expect(await machine.restore({ index: 8, term: 1, data: encodeSnapshotDescriptor({ index: 8, term: 1, clusterId: 'CID-1' }) }, { from: null, signal })).toEqual({ appliedIndex: 9 });
    expect(sources).toEqual([]);
    await expect(machine.restore({ index: 20, term: 2, data: encodeSnapshotDescriptor({ index: 20, term: 2, clusterId: 'CID-1' }) }, { from: { id: nodeId('l'), address: '127.0.4.9:1' }, signal })).rejects.toMatchObject({ code: 'REPLICATION_SNAPSHOT_UNAVAILABLE' });
    expect(sources).toEqual(['l']);
    await expect(machine.restore({ index: 20, term: 2, data: encodeSnapshotDescriptor({ index: 20, term: 2, clusterId: 'CID-other' }) }, { from: null, signal })).rejects.toMatchObject({ code: 'REPLICATION_FAILED' });
    await expect(machine.restore({ index: 20, term: 2, data: new Uint8Array([1, 2]) }, { from: null, signal })).rejects.toMatchObject({ code: 'REPLICATION_FAILED' });
  });
});
