import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleKind } from '../../../src/provisioner/bundle/bundle-manifest.js';
import { createReleaseBundle } from '../../../src/provisioner/bundle/create-release-bundle.js';
import { createTarGz } from '../../../src/provisioner/bundle/tar-archive.js';
import { verifyBundle } from '../../../src/provisioner/bundle/verify-bundle.js';

const dir = mkdtempSync(join(tmpdir(), 'release-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** a .tar.gz of `files` (path → content, executable when the path is under bin/) under a top directory */
async function tarball(name: string, top: string, files: Record<string, string>, links: Record<string, string> = {}): Promise<string> {
  const stage = join(dir, `stage-${name}`);
  const paths: string[] = [];
  for (const [p, content] of Object.entries(files)) {
    const f = join(stage, top, p);
    mkdirSync(join(f, '..'), { recursive: true });
    writeFileSync(f, content);
    chmodSync(f, p.startsWith('bin/') ? 0o755 : 0o644);
    paths.push(`${top}/${p}`);
  }
  for (const [p, target] of Object.entries(links)) {
    symlinkSync(target, join(stage, top, p));
    paths.push(`${top}/${p}`);
  }
  const out = join(dir, name);
  await createTarGz(out, stage, paths.sort(), { mtime: new Date('2000-01-01T00:00:00Z') });
  return out;
}

describe('createReleaseBundle (runtime.kind apache-ozone)', () => {
  it('packs the distribution without its top directory, and a JDK under java/ for the JDK\'s architecture', async () => {
    const ozone = await tarball('ozone-2.2.0.tar.gz', 'ozone-2.2.0', { 'bin/ozone': '#!/bin/sh\n', 'libexec/ozone-config.sh': '#\n', 'share/ozone/lib/hdds-common-2.2.0.jar': 'jar' }, { 'share/ozone/lib/current.jar': 'hdds-common-2.2.0.jar' });
    const jdk = await tarball('jdk.tar.gz', 'jdk-17.0.15+6-jre', { 'bin/java': '#!/bin/sh\n', release: 'JAVA_VERSION="17.0.15"\nOS_ARCH="aarch64"\n' });
    const b = await createReleaseBundle({ ozoneTarball: ozone, ozoneVersion: '2.2.0', ozoneDigest: 'sha512:ab', javaTarball: jdk, layoutVersion: 10, outDir: join(dir, 'out') });
    const m = (await verifyBundle(b.path)).manifest;
    expect(bundleKind(m)).toBe('apache-ozone');
    expect(m).toMatchObject({ name: 'ozone', version: '2.2.0', platform: 'linux', arch: 'arm64', layoutVersion: 10, java: { version: '17.0.15' }, ozone: { version: '2.2.0', source: 'ozone-2.2.0.tar.gz', sourceDigest: 'sha512:ab' } });
    expect(m.files.map((f) => [f.path, f.mode])).toEqual([
      ['bin/ozone', 0o755],
      ['java/bin/java', 0o755],
      ['java/release', 0o644],
      ['libexec/ozone-config.sh', 0o644],
      ['share/ozone/lib/hdds-common-2.2.0.jar', 0o644],
    ]);
    expect(m.symlinks).toEqual([{ path: 'share/ozone/lib/current.jar', target: 'hdds-common-2.2.0.jar' }]);
    expect(b.release).toMatch(/^2\.2\.0-[0-9a-f]{8}$/);
    // without a JDK the release is architecture-independent
    const plain = await createReleaseBundle({ ozoneTarball: ozone, ozoneVersion: '2.2.0', ozoneDigest: 'sha512:ab', outDir: join(dir, 'out2') });
    expect(plain.manifest).toMatchObject({ platform: 'any', arch: 'any', java: null });
  });

  it('refuses what is not an Ozone binary release, a JDK without bin/java, and symlinks out of the tree', async () => {
    const src = await tarball('ozone-2.2.0-src.tar.gz', 'ozone-2.2.0-src', { 'pom.xml': '<project/>' });
    await expect(createReleaseBundle({ ozoneTarball: src, ozoneVersion: '2.2.0', ozoneDigest: 'x', outDir: join(dir, 'o3') })).rejects.toMatchObject({ code: 'BUNDLE_RELEASE_INVALID', hint: expect.stringContaining('-src') });
    const ozone = await tarball('ozone-b.tar.gz', 'ozone-2.2.0', { 'bin/ozone': '#!/bin/sh\n' });
    const notJdk = await tarball('notjdk.tar.gz', 'x', { 'README': 'no java' });
    await expect(createReleaseBundle({ ozoneTarball: ozone, ozoneVersion: '2.2.0', ozoneDigest: 'x', javaTarball: notJdk, outDir: join(dir, 'o4') })).rejects.toMatchObject({ code: 'BUNDLE_RELEASE_INVALID' });
    const escaping = await tarball('ozone-c.tar.gz', 'ozone-2.2.0', { 'bin/ozone': '#!/bin/sh\n' }, { 'etc': '/etc' });
    await expect(createReleaseBundle({ ozoneTarball: escaping, ozoneVersion: '2.2.0', ozoneDigest: 'x', outDir: join(dir, 'o5') })).rejects.toMatchObject({ code: 'BUNDLE_RELEASE_INVALID', message: expect.stringContaining('points outside') });
  });
});
