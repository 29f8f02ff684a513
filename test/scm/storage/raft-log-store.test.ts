import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isCodedError } from '../../../src/common/coded-error.js';
import { nodeId, type Entry, type Snapshot } from '../../../src/scm/raft/index.js';
import { openLevelStore } from '../../../src/scm/storage/level-db.js';
import { openRaftLogStore, type RaftLogStore } from '../../../src/scm/storage/raft-log-store.js';
import { crc32 } from '../../../src/scm/storage/raft-crc32.js';

const enc = new TextEncoder();
const e = (term: number, index: number, data = `d${index}`): Entry => ({ term, index, type: 'normal', data: enc.encode(data) });
const id = { groupId: 'group-1', nodeId: nodeId('n1') };

describe('RaftLogStore (real LevelDB)', () => {
  const dirs: string[] = [];
  const open: RaftLogStore[] = [];
  const fresh = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'raftlog-'));
    dirs.push(d);
    return join(d, 'log');
  };
  const openStore = async (location: string, identity = id): Promise<RaftLogStore> => {
    const s = await openRaftLogStore(location, identity);
    open.push(s);
    return s;
  };
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close().catch(() => {});
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
    try {
      await p;
    } catch (err) {
      return isCodedError(err) ? err.code : `uncoded: ${(err as Error).message}`;
    }
    return undefined;
  }

  it('crc32 matches the standard check value', () => {
    expect(crc32(enc.encode('123456789'))).toBe(0xcbf43926);
  });

  it('rebuilds exactly what was saved after a restart, including truncation of a conflicting suffix', async () => {
    const loc = fresh();
    const a = await openStore(loc);
    expect(await a.isEmpty()).toBe(true);
    await a.save({ hardState: { term: 1, vote: nodeId('n1'), commit: 0 }, entries: [e(1, 1), e(1, 2), e(1, 3), e(1, 4)] }, { sync: true });
    await a.save({ hardState: { term: 2, vote: null, commit: 2 }, entries: [e(2, 3, 'new3')] }, { sync: true });
    await a.close();
    const b = await openStore(loc);
    const st = await b.load();
    expect(st.hardState).toEqual({ term: 2, vote: null, commit: 2 });
    expect(st.entries.map((x) => `${x.term}/${x.index}/${new TextDecoder().decode(x.data)}`)).toEqual(['1/1/d1', '1/2/d2', '2/3/new3']);
    expect(await b.isEmpty()).toBe(false);
  });

  it('installs a leader snapshot (replacing the log) and compacts after a local snapshot', async () => {
    const loc = fresh();
    const a = await openStore(loc);
    await a.load();
    await a.save({ hardState: { term: 1, vote: null, commit: 3 }, entries: [e(1, 1), e(1, 2), e(1, 3)] }, { sync: true });
    const local: Snapshot = { meta: { index: 3, term: 1, confState: { members: [{ id: nodeId('n1'), address: '127.0.3.1:9894', role: 'voter', autoPromote: false }] } }, data: enc.encode('state@3') };
    await a.saveSnapshot(local, { index: 2, term: 1 });
    let st = await a.load();
    expect([st.compactedIndex, st.compactedTerm, st.entries.map((x) => x.index), st.snapshot.meta.index]).toEqual([2, 1, [3], 3]);
    expect(st.installing).toBeNull();
    const remote: Snapshot = { meta: { index: 10, term: 3, confState: local.meta.confState }, data: enc.encode('state@10') };
    // The install marker survives restarts and snapshot saves, and is never lowered.
    await a.markInstalling(10);
    await a.close();
    const b = await openStore(loc);
    expect((await b.load()).installing).toBe(10);
    await b.save({ snapshot: remote, hardState: { term: 3, vote: null, commit: 10 }, entries: [e(3, 11)] }, { sync: true });
    await b.markInstalling(7);
    await b.close();
    st = await (await openStore(loc)).load();
    expect(st.installing).toBe(10);
    expect([st.compactedIndex, st.compactedTerm, st.entries.map((x) => x.index)]).toEqual([10, 3, [11]]);
    expect(new TextDecoder().decode(st.snapshot.data)).toBe('state@10');
    expect(st.snapshot.meta.confState.members[0]?.address).toBe('127.0.3.1:9894');
  });

  it('compaction removes the entries behind it; leftovers of an interrupted clear are ignored on load', async () => {
    const loc = fresh();
    const a = await openStore(loc);
    await a.load();
    await a.save({ hardState: { term: 1, vote: null, commit: 6 }, entries: [1, 2, 3, 4, 5, 6].map((i) => e(1, i)) }, { sync: true });
    const snap: Snapshot = { meta: { index: 5, term: 1, confState: { members: [] } }, data: enc.encode('s5') };
    await a.saveSnapshot(snap, { index: 4, term: 1 });
    await a.close();
    const countEntries = async (): Promise<number> => {
      const db = await openLevelStore(loc);
      let n = 0;
      for await (const k of db.keys({ gte: Uint8Array.of(0x10), lt: Uint8Array.of(0x11) })) if (k) n++;
      await db.close();
      return n;
    };
    expect(await countEntries()).toBe(2);
    // A crash after the compaction point was written but before the clear ran: entries 1..4 linger.
    await tamper(loc, async (db) => {
      for (const i of [1, 2, 3, 4]) await db.put(entryKey(i), new Uint8Array([1, 2, 3]));
    });
    const st = await (await openStore(loc)).load();
    expect([st.compactedIndex, st.entries.map((x) => x.index)]).toEqual([4, [5, 6]]);
  });

  it('refuses a store that belongs to another group or node', async () => {
    const loc = fresh();
    await (await openStore(loc)).close();
    expect(await codeOf(openRaftLogStore(loc, { groupId: 'other', nodeId: nodeId('n1') }))).toBe('RAFT_STORE_MISMATCH');
    expect(await codeOf(openRaftLogStore(loc, { groupId: 'group-1', nodeId: nodeId('n2') }))).toBe('RAFT_STORE_MISMATCH');
  });

  async function seeded(): Promise<string> {
    const loc = fresh();
    const a = await openStore(loc);
    await a.load();
    await a.save({ hardState: { term: 1, vote: null, commit: 3 }, entries: [e(1, 1), e(1, 2), e(1, 3), e(1, 4), e(1, 5)] }, { sync: true });
    await a.close();
    return loc;
  }

  async function tamper(loc: string, f: (db: Awaited<ReturnType<typeof openLevelStore>>) => Promise<void>): Promise<void> {
    const db = await openLevelStore(loc);
    await f(db);
    await db.close();
  }

  const entryKey = (i: number): Uint8Array => {
    const k = new Uint8Array(9);
    k[0] = 0x10;
    new DataView(k.buffer).setUint32(5, i);
    return k;
  };

  it('detects a flipped bit in an entry', async () => {
    const loc = await seeded();
    await tamper(loc, async (db) => {
      const v = (await db.get(entryKey(4)))!;
      const copy = new Uint8Array(v);
      copy[copy.length - 1] ^= 0x01;
      await db.put(entryKey(4), copy);
    });
    expect(await codeOf((await openStore(loc)).load())).toBe('RAFT_LOG_CORRUPT');
  });

  it('detects a missing entry in the middle and a lost tail below the commit index', async () => {
    const gap = await seeded();
    await tamper(gap, (db) => db.del(entryKey(2)));
    expect(await codeOf((await openStore(gap)).load())).toBe('RAFT_LOG_CORRUPT');
    const tail = await seeded();
    await tamper(tail, async (db) => {
      await db.del(entryKey(5));
      await db.del(entryKey(4));
      await db.del(entryKey(3));
    });
    expect(await codeOf((await openStore(tail)).load())).toBe('RAFT_LOG_CORRUPT');
  });

  it('detects a truncated (torn) record and an entry stored under the wrong index', async () => {
    const torn = await seeded();
    await tamper(torn, async (db) => {
      const v = (await db.get(entryKey(5)))!;
      await db.put(entryKey(5), v.subarray(0, v.length - 3));
    });
    expect(await codeOf((await openStore(torn)).load())).toBe('RAFT_LOG_CORRUPT');
    const moved = await seeded();
    await tamper(moved, async (db) => {
      await db.put(entryKey(5), (await db.get(entryKey(4)))!);
    });
    expect(await codeOf((await openStore(moved)).load())).toBe('RAFT_LOG_CORRUPT');
  });

  it('detects a corrupt hard state', async () => {
    const loc = await seeded();
    await tamper(loc, async (db) => {
      const v = new Uint8Array((await db.get(Uint8Array.of(0x02)))!);
      v[5] ^= 0xff;
      await db.put(Uint8Array.of(0x02), v);
    });
    expect(await codeOf((await openStore(loc)).load())).toBe('RAFT_LOG_CORRUPT');
  });
});
