/**
 * The identity an operator command authenticates with: found under $OZONE_CLIENT_IDENTITY_DIR (or the
 * SCM's admin directory), and refused unless its private key is a private regular file — the same check
 * as a token file (security/private-file.ts): not readable by others, not a symlink.
 */
import { chmodSync, mkdtempSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initPrimordialCa } from '../../../src/scm/ca/certificate-authority.js';
import { identityPaths } from '../../../src/scm/ca/identity-store.js';
import { OzoneConf } from '../../../src/scm/config/ozone-conf.js';
import { loadClientIdentity } from '../../../src/scm/tools/client-identity.js';

describe('loadClientIdentity', () => {
  const meta = mkdtempSync(join(tmpdir(), 'client-identity-'));
  afterAll(() => rmSync(meta, { recursive: true, force: true }));
  initPrimordialCa({ metadataDir: meta, host: '127.0.0.1', clusterId: 'CID-3f1e6c87-8cf0-4cbf-b3b6-3b8f09b1462a', scmUuid: 'b316431d-9631-48ad-81d5-4bc87199a460' });
  const dir = join(meta, 'scm', 'sub-ca');
  const key = identityPaths(dir).privateKey;
  const conf = new OzoneConf([['ozone.security.enabled', 'true']]);
  const load = (d: string): unknown => {
    try {
      return loadClientIdentity(conf, { OZONE_CLIENT_IDENTITY_DIR: d });
    } catch (err) {
      return err;
    }
  };

  it('loads an identity whose key only its owner can read', () => {
    expect(load(dir)).toMatchObject({ privateKeyPem: expect.stringContaining('PRIVATE KEY'), serial: '2' });
  });

  it('refuses a key that others may read, and a symlinked key, with SECRET_FILE', () => {
    chmodSync(key, 0o644);
    expect(load(dir)).toMatchObject({ code: 'SECRET_FILE', message: expect.stringContaining('mode 644') });
    chmodSync(key, 0o600);
    renameSync(key, `${key}.real`);
    symlinkSync(`${key}.real`, key);
    expect(load(dir)).toMatchObject({ code: 'SECRET_FILE' });
    rmSync(key);
    renameSync(`${key}.real`, key);
    expect(load(dir)).toMatchObject({ serial: '2' });
  });

  it('no identity there: NO_CLIENT_IDENTITY with a hint, and none configured at all', () => {
    expect(load(join(meta, 'nothing'))).toMatchObject({ code: 'NO_CLIENT_IDENTITY', hint: expect.stringContaining('OZONE_CLIENT_IDENTITY_DIR') });
    expect((() => {
      try {
        return loadClientIdentity(conf, {});
      } catch (err) {
        return err;
      }
    })()).toMatchObject({ code: 'NO_CLIENT_IDENTITY' });
  });
});
