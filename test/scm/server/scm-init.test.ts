/**
 * `ozone scm --init` never creates a second clusterID next to old data: without VERSION, records in scm.db,
 * a Raft log or key material of an earlier SCM are refused (INIT_STALE_DB, exit 255) and nothing changes;
 * an empty scm.db left by a crashed --init is fine (it is run again). Data directories end up 0700.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemHostLocality } from '../../../src/scm/config/host-locality.js';
import { resolveScmConfig, type ScmConfig } from '../../../src/scm/config/scm-config.js';
import { ScmDb } from '../../../src/scm/storage/scm-db.js';
import { readVersionFile } from '../../../src/scm/storage/version-file.js';
import { scmInit } from '../../../src/scm/server/scm-init.js';
import { bufferIo } from '../../../src/scm/tools/tool-io.js';
import { siteConf, siteProperties } from '../../support/scm-site.js';
import { treeDigest } from '../../support/tree-digest.js';

const H = '127.0.4.61';

describe('ozone scm --init over leftovers', () => {
  const root = mkdtempSync(join(tmpdir(), 'scm-init-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const config = (name: string, extra: Record<string, string> = {}): Promise<ScmConfig> =>
    resolveScmConfig(siteConf(siteProperties({ hosts: [H], metadataDir: () => join(root, name), nodeId: 'scm1', ratis: false, extra })), systemHostLocality);

  it('refuses when scm.db holds any record, the Raft directory is not empty or key material exists; nothing changes', async () => {
    const withRecord = await config('db-record');
    const db = await ScmDb.open(withRecord.dirs.scmDb, { create: true });
    await db.write([{ cf: 'containers', key: 7, value: { containerID: 7 } }]);
    await db.close();
    const ratisLeft = await config('ratis-left');
    mkdirSync(join(ratisLeft.dirs.ratis, 'abc'), { recursive: true });
    const keysLeft = await config('keys-left');
    mkdirSync(join(keysLeft.dirs.security!, 'scm', 'sub-ca', 'keys'), { recursive: true });
    writeFileSync(join(keysLeft.dirs.security!, 'scm', 'sub-ca', 'keys', 'private.pem'), 'x', { mode: 0o600 });
    // refused before anything is opened: the trees stay byte for byte
    for (const c of [ratisLeft, keysLeft]) {
      const before = treeDigest(c.dirs.metadata!);
      await expect(scmInit(c, bufferIo())).rejects.toMatchObject({ code: 'INIT_STALE_DB', exitCode: 255 });
      expect(readVersionFile(c.dirs.versionFile)).toBeUndefined();
      expect(treeDigest(c.dirs.metadata!)).toBe(before);
    }
    // the database is opened to look (LevelDB rewrites its own LOG): its records stay, no VERSION appears
    await expect(scmInit(withRecord, bufferIo())).rejects.toMatchObject({ code: 'INIT_STALE_DB', exitCode: 255 });
    expect(readVersionFile(withRecord.dirs.versionFile)).toBeUndefined();
    const again = await ScmDb.open(withRecord.dirs.scmDb, { create: false, readOnly: true });
    expect(await again.get('containers', 7)).toEqual({ containerID: 7 });
    await again.close();
  });

  it('an empty scm.db left by an interrupted --init is initialised; the data directories are 0700', async () => {
    const c = await config('crashed');
    await (await ScmDb.open(c.dirs.scmDb, { create: true })).close();
    mkdirSync(c.dirs.metadata!, { recursive: true, mode: 0o755 });
    expect(await scmInit(c, bufferIo())).toMatchObject({ status: 'initialized' });
    for (const d of [c.dirs.metadata!, c.dirs.scmDb, join(c.dirs.db, 'scm'), c.dirs.snapshot]) expect(statSync(d).mode & 0o777, d).toBe(0o700);
  });
});
