/** ScmStateStore.open completes or rolls back a checkpoint install a crash interrupted (real LevelDB). */
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ScmStateStore } from '../../../src/scm/replication/scm-state-store.js';
import { ScmDb } from '../../../src/scm/storage/scm-db.js';

async function dbWith(path: string, layout: number): Promise<void> {
  await (await ScmDb.open(path, { create: true })).close();
  const sm = await ScmStateStore.open(path, 'CID-1');
  await sm.apply([{ term: 1, index: 1, command: { type: 'finalizeLayoutFeature', layoutVersion: layout } }], { sync: true });
  await sm.close();
}

describe('ScmStateStore.open after an interrupted checkpoint install', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const setup = async (): Promise<{ db: string; staged: string; marker: string }> => {
    const dir = mkdtempSync(join(tmpdir(), 'sm-rec-'));
    dirs.push(dir);
    const db = join(dir, 'scm.db');
    const staged = join(dir, 'scm.db.installing');
    await dbWith(db, 7);
    await dbWith(staged, 9);
    const marker = join(dir, 'dbInconsistentMarker');
    writeFileSync(marker, 'installing x\n');
    return { db, staged, marker };
  };

  it('keeps the old database when the crash came before the swap', async () => {
    const p = await setup();
    const sm = await ScmStateStore.open(p.db, 'CID-1');
    expect(sm.snapshotState.meta.get('#LAYOUTVERSION')).toBe('7');
    await sm.close();
    expect(existsSync(p.staged) || existsSync(p.marker)).toBe(false);
  });

  it('finishes the swap when the crash came between the two renames', async () => {
    const p = await setup();
    renameSync(p.db, `${p.db}.backup.1_1`);
    const sm = await ScmStateStore.open(p.db, 'CID-1');
    expect(sm.snapshotState.meta.get('#LAYOUTVERSION')).toBe('9');
    await sm.close();
    expect(existsSync(p.marker)).toBe(false);
  });

  it('leaves a database another process holds alone', async () => {
    const p = await setup();
    const running = await ScmStateStore.open(p.db, 'CID-1');
    writeFileSync(p.marker, 'installing y\n');
    await expect(ScmStateStore.open(p.db, 'CID-1')).rejects.toMatchObject({ code: 'LEVEL_LOCKED' });
    expect(existsSync(p.marker)).toBe(true);
    await running.close();
  });
});
