import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ScmStateStore } from '../../../src/scm/replication/scm-state-store.js';
import { StandaloneReplicator } from '../../../src/scm/replication/standalone-replicator.js';
import { ScmDb } from '../../../src/scm/storage/scm-db.js';

const self = { scmUuid: 'u1', host: '127.0.4.1', ratisPort: 9894, nodeId: 'scm1' };

describe('StandaloneReplicator + ScmStateStore (real LevelDB)', () => {
  const dirs: string[] = [];
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const setup = async (dir: string): Promise<{ sm: ScmStateStore; r: StandaloneReplicator }> => {
    const sm = await ScmStateStore.open(join(dir, 'scm.db'), 'CID-1');
    const r = new StandaloneReplicator(sm, self);
    closers.push(() => sm.close(), () => r.close());
    return { sm, r };
  };

  it('is LEADER in term 0 once started, group-commits concurrent submits with consecutive indexes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'repl-'));
    dirs.push(dir);
    await (await ScmDb.open(join(dir, 'scm.db'), { create: true })).close();
    const { sm, r } = await setup(dir);
    await expect(r.submit({ type: 'finalizeLayoutFeature', layoutVersion: 10 })).rejects.toMatchObject({ code: 'REPLICATION_NOT_LEADER' });
    const roles: string[] = [];
    r.onRoleChange((c) => roles.push(`${c.role}@${c.term}`));
    await r.start();
    expect(roles).toEqual(['LEADER@0']);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => r.submit({ type: 'allocateBatch', sequence: 'localId', expectedLastId: i * 10, newLastId: i * 10 + 10 })),
    );
    expect(results.every((x) => x.ok)).toBe(true);
    expect(sm.lastApplied()).toEqual({ term: 0, index: 50 });
    expect(sm.view.sequence('localId')).toBe(500);
    expect(r.status()).toMatchObject({ mode: 'standalone', role: 'LEADER', term: 0, appliedIndex: 50, peers: [{ scmUuid: 'u1', role: 'LEADER' }] });
    await expect(r.transferLeadership()).rejects.toMatchObject({ code: 'REPLICATION_UNSUPPORTED' });
  });

  it('restart reloads state and continues the index; replayed entries are skipped; gaps are refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'repl-'));
    dirs.push(dir);
    await (await ScmDb.open(join(dir, 'scm.db'), { create: true })).close();
    const first = await setup(dir);
    await first.r.start();
    await first.r.submit({ type: 'allocateBatch', sequence: 'containerId', expectedLastId: 0, newLastId: 1000 });
    await first.r.close();
    await first.sm.close();
    const second = await setup(dir);
    expect(second.sm.lastApplied()).toEqual({ term: 0, index: 1 });
    expect(second.sm.view.sequence('containerId')).toBe(1000);
    expect(await second.sm.apply([{ term: 0, index: 1, command: { type: 'finalizeLayoutFeature', layoutVersion: 1 } }], { sync: true })).toEqual([{ ok: true, value: 'ALREADY_APPLIED' }]);
    await expect(second.sm.apply([{ term: 1, index: 3, command: { type: 'finalizeLayoutFeature', layoutVersion: 1 } }], { sync: true })).rejects.toMatchObject({ code: 'SM_GAP' });
    await second.r.start();
    await second.r.submit({ type: 'finalizeLayoutFeature', layoutVersion: 10 });
    expect(second.sm.lastApplied()).toEqual({ term: 0, index: 2 });
    expect(second.sm.snapshotState.meta.get('#LAYOUTVERSION')).toBe('10');
  });

  it('a standalone SCM converts to a Raft ring whose log starts after an initial snapshot at 0#N', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'repl-'));
    dirs.push(dir);
    await (await ScmDb.open(join(dir, 'scm.db'), { create: true })).close();
    const standalone = await setup(dir);
    await standalone.r.start();
    for (let i = 0; i < 5; i++) await standalone.r.submit({ type: 'allocateBatch', sequence: 'localId', expectedLastId: i, newLastId: i + 1 });
    await standalone.r.close();
    await standalone.sm.close();
    // what the Raft layer does at first start with Ratis enabled: snapshot = scm.db as is, log from N+1, term >= 1
    const sm = await ScmStateStore.open(join(dir, 'scm.db'), 'CID-1');
    closers.push(() => sm.close());
    const snapshot = sm.lastApplied()!;
    expect(snapshot).toEqual({ term: 0, index: 5 });
    const [r] = await sm.apply([{ term: 1, index: snapshot.index + 1, command: { type: 'allocateBatch', sequence: 'localId', expectedLastId: 5, newLastId: 6 } }], { sync: false });
    expect(r).toEqual({ ok: true, value: { firstId: 6, lastId: 6 } });
    expect(sm.lastApplied()).toEqual({ term: 1, index: 6 });
    expect(sm.view.sequence('localId')).toBe(6);
  });

  it('does not create a database that was never initialised', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'repl-'));
    dirs.push(dir);
    await expect(ScmStateStore.open(join(dir, 'scm.db'), 'CID-1')).rejects.toMatchObject({ code: 'SCMDB_NOT_FOUND' });
  });
});
