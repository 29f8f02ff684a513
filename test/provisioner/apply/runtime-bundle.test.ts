/**
 * selfBundle's cache on a small real package: an unchanged package reuses its bundle, a changed file (size
 * or mtime) gets a new one, and the files listed ahead of time (listPackageFiles, started before the hosts
 * are read) give the same bundle as a listing made on the spot.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listPackageFiles, selfBundle } from '../../../src/provisioner/apply/runtime-bundle.js';

const root = mkdtempSync(join(tmpdir(), 'scmctl-self-bundle-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function makePackage(dir: string): void {
  mkdirSync(join(dir, 'dist/src/scm'), { recursive: true });
  mkdirSync(join(dir, 'dist/src/provisioner'), { recursive: true });
  mkdirSync(join(dir, 'bin'), { recursive: true });
  // the two programs a bundle must hold (createBundle checks them; `main.js version` prints no banner here)
  writeFileSync(join(dir, 'dist/src/scm/main.js'), '');
  writeFileSync(join(dir, 'dist/src/provisioner/cli.js'), '');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'scmctl', version: '0.1.0', files: ['bin', 'dist/src'] }));
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ name: 'scmctl', lockfileVersion: 3, packages: { '': { name: 'scmctl' } } }));
  writeFileSync(join(dir, 'bin/ozone'), '#!/bin/sh\n', { mode: 0o755 });
  for (let i = 0; i < 40; i++) writeFileSync(join(dir, `dist/src/scm/m${i}.js`), `export const x${i} = ${i};\n`);
}

describe('selfBundle cache', () => {
  const pkg = join(root, 'pkg');
  const cacheDir = join(root, 'cache');
  makePackage(pkg);

  it('reuses the bundle of an unchanged package and makes a new one when a file changes', async () => {
    const first = await selfBundle({ packageRoot: pkg, cacheDir });
    const again = await selfBundle({ packageRoot: pkg, cacheDir });
    expect(again.path).toBe(first.path);
    expect(again.release).toBe(first.release);
    writeFileSync(join(pkg, 'dist/src/scm/m7.js'), 'export const x7 = 70;\n');
    const changed = await selfBundle({ packageRoot: pkg, cacheDir });
    expect(changed.path).not.toBe(first.path);
    expect(changed.release).not.toBe(first.release);
    // only the mtime moves: the cache key sees it too
    const t = new Date(Date.now() + 60_000);
    utimesSync(join(pkg, 'dist/src/scm/m8.js'), t, t);
    expect((await selfBundle({ packageRoot: pkg, cacheDir })).path).not.toBe(changed.path);
  });

  it('a listing made ahead gives the same bundle as one made on the spot; without one, a later change is seen', async () => {
    const plain = await selfBundle({ packageRoot: pkg, cacheDir });
    const listing = listPackageFiles(pkg);
    const early = await selfBundle({ packageRoot: pkg, cacheDir, listing });
    expect(early.path).toBe(plain.path);
    writeFileSync(join(pkg, 'dist/src/scm/m9.js'), 'export const x9 = 90;\n');
    expect((await selfBundle({ packageRoot: pkg, cacheDir })).path).not.toBe(plain.path);
  });
});
