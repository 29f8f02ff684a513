import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openLevelStore, type LevelStore } from '../../../src/scm/storage/level-db.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('LevelStore (real LevelDB)', () => {
  const dirs: string[] = [];
  const stores: LevelStore[] = [];
  const open = async (dir?: string): Promise<LevelStore> => {
    const d = dir ?? mkdtempSync(join(tmpdir(), 'level-'));
    if (!dir) dirs.push(d);
    const s = await openLevelStore(join(d, 'db'));
    stores.push(s);
    return s;
  };
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('puts, gets, deletes and batches atomically, durably across reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'level-'));
    dirs.push(dir);
    const a = await open(dir);
    await a.put(enc('k1'), enc('v1'), { sync: true });
    await a.batch([
      { type: 'put', key: enc('k2'), value: enc('v2') },
      { type: 'del', key: enc('k1') },
    ], { sync: true });
    expect(await a.get(enc('k1'))).toBeUndefined();
    await a.close();
    const b = await open(dir);
    expect(dec((await b.get(enc('k2')))!)).toBe('v2');
  });

  it('iterates a range in byte order and in reverse, from a snapshot', async () => {
    const s = await open();
    for (const k of ['a', 'b', 'c', 'd']) await s.put(enc(k), enc(k.toUpperCase()));
    const seen: string[] = [];
    for await (const [k, v] of s.entries({ gte: enc('b'), lt: enc('d') })) {
      seen.push(`${dec(k)}=${dec(v)}`);
      await s.put(enc('bb'), enc('late'));
    }
    expect(seen).toEqual(['b=B', 'c=C']);
    const rev: string[] = [];
    for await (const k of s.keys({ reverse: true, limit: 2 })) rev.push(dec(k));
    expect(rev).toEqual(['d', 'c']);
  });

  it('refuses a second opener of the same directory with LEVEL_LOCKED', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'level-'));
    dirs.push(dir);
    await open(dir);
    await expect(openLevelStore(join(dir, 'db'))).rejects.toMatchObject({ code: 'LEVEL_LOCKED' });
  });

  it('fails operations after close with LEVEL_CLOSED', async () => {
    const s = await open();
    await s.close();
    await expect(s.get(enc('x'))).rejects.toMatchObject({ code: 'LEVEL_CLOSED' });
  });
});
