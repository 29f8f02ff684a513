import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { javaDateString, loadProperties, storeProperties } from '../../../src/scm/storage/java-properties.js';
import { clusterIdFromUuid, newClusterId, parseVersion, readVersionFile, renderVersion, storageState, writeVersionFile, type ScmVersion } from '../../../src/scm/storage/version-file.js';

const docExample: ScmVersion = {
  nodeType: 'SCM',
  clusterId: 'CID-130fb246-1717-4313-9b62-9ddfe1bcb2e7',
  cTime: 1615889973116,
  layoutVersion: 0,
  scmUuid: 'e6877ce5-56cd-4f0b-ad60-4c8ef9000882',
};

describe('VERSION file (§3)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('renders byte-for-byte like the Ozone documentation example (JDK Properties hash order, date comment)', () => {
    expect(renderVersion(docExample, new Date(Date.UTC(2021, 2, 16, 10, 19, 33)))).toBe(
      '#Tue Mar 16 10:19:33 UTC 2021\ncTime=1615889973116\nclusterID=CID-130fb246-1717-4313-9b62-9ddfe1bcb2e7\nnodeType=SCM\nscmUuid=e6877ce5-56cd-4f0b-ad60-4c8ef9000882\nlayoutVersion=0\n',
    );
  });

  it('golden: an HA member adds scmHA and primaryScmNodeId in their hash positions', () => {
    const v: ScmVersion = { ...docExample, layoutVersion: 10, scmHA: true, primaryScmNodeId: 'a42a1405-bf50-403c-8db2-ee7eb2c49d64' };
    expect(renderVersion(v, new Date(Date.UTC(2026, 10, 24, 9, 5, 7)))).toBe(
      [
        '#Tue Nov 24 09:05:07 UTC 2026',
        'scmHA=true',
        'cTime=1615889973116',
        'clusterID=CID-130fb246-1717-4313-9b62-9ddfe1bcb2e7',
        'nodeType=SCM',
        'scmUuid=e6877ce5-56cd-4f0b-ad60-4c8ef9000882',
        'layoutVersion=10',
        'primaryScmNodeId=a42a1405-bf50-403c-8db2-ee7eb2c49d64',
        '',
      ].join('\n'),
    );
    expect(parseVersion(renderVersion(v, new Date()), 'x')).toEqual(v);
  });

  it('reads Java 8 (Hashtable order) files and escapes/unescapes like java.util.Properties', () => {
    const java8 = '#Thu Sep 24 08:50:03 UTC 2020\nnodeType=SCM\nscmUuid=2245531e-8737-4d7b-879d-7e8af82ccf56\nclusterID=CID-020e0a3f-13e2-4f36-89b2-065b6667b78e\ncTime=1600937403500\nlayoutVersion=0\n';
    expect(parseVersion(java8, 'x').scmUuid).toBe('2245531e-8737-4d7b-879d-7e8af82ccf56');
    const text = storeProperties([['a key', ' v=1:#é'], ['b', 'x\\y']], new Date(0));
    expect(text).toContain('a\\ key=\\ v\\=1\\:\\#\\u00E9');
    expect(loadProperties(text)).toEqual(new Map([['a key', ' v=1:#é'], ['b', 'x\\y']]));
    expect(loadProperties('! c\n  k : v \\\n   w\nz')).toEqual(new Map([['k', 'v w'], ['z', '']]));
    expect(javaDateString(new Date(Date.UTC(2021, 0, 3, 4, 5, 6)))).toBe('Sun Jan 03 04:05:06 UTC 2021');
  });

  it('rejects files that are not an SCM VERSION with VERSION_INVALID', () => {
    expect(() => parseVersion('nodeType=OM\n', 'x')).toThrow(expect.objectContaining({ code: 'VERSION_INVALID' }));
    expect(() => parseVersion('nodeType=SCM\nclusterID=abc\nscmUuid=u\ncTime=1\nlayoutVersion=1\n', 'x')).toThrow(expect.objectContaining({ code: 'VERSION_INVALID' }));
  });

  it('--clusterid takes a bare UUID; generated ids are CID-<uuid>', () => {
    expect(clusterIdFromUuid('130FB246-1717-4313-9b62-9ddfe1bcb2e7')).toBe('CID-130fb246-1717-4313-9b62-9ddfe1bcb2e7');
    expect(() => clusterIdFromUuid('CID-130fb246-1717-4313-9b62-9ddfe1bcb2e7')).toThrow(expect.objectContaining({ code: 'VERSION_CLUSTER_ID' }));
    expect(newClusterId()).toMatch(/^CID-[0-9a-f-]{36}$/);
  });

  it('writes atomically (no temp file left), reads back, and reports the storage state', () => {
    const d = mkdtempSync(join(tmpdir(), 'version-'));
    dirs.push(d);
    const file = join(d, 'scm', 'current', 'VERSION');
    expect(storageState(file)).toBe('NON_EXISTENT');
    expect(readVersionFile(file)).toBeUndefined();
    writeVersionFile(file, docExample);
    expect(readdirSync(join(d, 'scm', 'current'))).toEqual(['VERSION']);
    expect(readFileSync(file, 'utf8')).toMatch(/^#\w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}\n/);
    expect(readVersionFile(file)).toEqual(docExample);
    expect(storageState(file)).toBe('INITIALIZED');
    const d2 = join(d, 'other', 'current');
    mkdirSync(d2, { recursive: true });
    expect(storageState(join(d2, 'VERSION'))).toBe('NOT_INITIALIZED');
    writeFileSync(join(d2, 'junk'), 'x');
    expect(() => storageState(join(d2, 'VERSION'))).toThrow(expect.objectContaining({ code: 'VERSION_INCONSISTENT' }));
  });
});
