/**
 * createBundle / verifyBundle on a small synthetic package (and on one with the real package.json `files`:
 * dev-only programs stay out), and installBundle's decisions on the fake host.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundleError } from '../../../src/provisioner/bundle/bundle-error.js';
import type { BundleInfo } from '../../../src/provisioner/bundle/bundle-info.js';
import { MANIFEST_PATH, manifestBytes, SUMS_PATH, sumsText } from '../../../src/provisioner/bundle/bundle-manifest.js';
import { createBundle } from '../../../src/provisioner/bundle/create-bundle.js';
import { installBundle, RELEASE_MARKER } from '../../../src/provisioner/bundle/install-bundle.js';
import { createTarGz } from '../../../src/provisioner/bundle/tar-archive.js';
import { verifyBundle } from '../../../src/provisioner/bundle/verify-bundle.js';
import { FakeHost } from '../../support/fake-host.js';

let dir: string;
let pkg: string;

function put(path: string, content: string, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  chmodSync(path, mode);
}

function makePackage(root: string): void {
  put(join(root, 'package.json'), JSON.stringify({ name: 'scmctl', version: '9.9.9', files: ['bin', 'dist/src', 'schemas'] }));
  put(
    join(root, 'package-lock.json'),
    JSON.stringify({
      lockfileVersion: 3,
      packages: {
        '': {},
        'node_modules/prod': {},
        'node_modules/prod/node_modules/nested': {},
        'node_modules/dev': { dev: true },
        'node_modules/devopt': { devOptional: true },
        'node_modules/opt-missing': { optional: true },
      },
    }),
  );
  put(join(root, 'bin/ozone'), '#!/bin/sh\necho ozone\n', 0o755);
  put(join(root, 'dist/src/scm/main.js'), 'console.log("scm")\n');
  put(join(root, 'dist/src/provisioner/cli.js'), 'console.log("cli")\n');
  put(join(root, 'dist/test/support/x.js'), 'test only\n');
  put(join(root, 'node_modules/prod/index.js'), 'module.exports = 1\n');
  put(join(root, 'node_modules/prod/prebuilds/linux-x64/prod.node'), 'linux-x64 native', 0o755);
  put(join(root, 'node_modules/prod/prebuilds/darwin-x64+arm64/prod.node'), 'darwin native');
  put(join(root, 'node_modules/prod/prebuilds/win32-x64/prod.node'), 'win native');
  symlinkSync('index.js', join(root, 'node_modules/prod/alias.js'));
  put(join(root, 'node_modules/prod/node_modules/nested/index.js'), 'nested\n');
  put(join(root, 'node_modules/dev/index.js'), 'dev only\n');
  put(join(root, 'node_modules/devopt/index.js'), 'dev optional\n');
  mkdirSync(join(root, 'node_modules/.bin'), { recursive: true });
  symlinkSync('../prod/index.js', join(root, 'node_modules/.bin/prod'));
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'scmctl-bundle-test-'));
  pkg = join(dir, 'pkg');
  makePackage(pkg);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('createBundle', () => {
  let bundle: BundleInfo;
  beforeAll(async () => {
    bundle = await createBundle({ packageRoot: pkg, outDir: join(dir, 'out'), platform: 'linux', arch: 'x64' });
  });

  it('packs the program and production dependencies only, for one platform', () => {
    expect(bundle.manifest.files.map((f) => f.path)).toEqual([
      'bin/ozone',
      'dist/src/provisioner/cli.js',
      'dist/src/scm/main.js',
      'node_modules/prod/index.js',
      'node_modules/prod/node_modules/nested/index.js',
      'node_modules/prod/prebuilds/linux-x64/prod.node',
      'package.json',
    ]);
    expect(bundle.manifest.symlinks).toEqual([{ path: 'node_modules/prod/alias.js', target: 'index.js' }]);
    expect(bundle.manifest.files.find((f) => f.path === 'bin/ozone')!.mode).toBe(0o755);
    expect(bundle.manifest.files.find((f) => f.path === 'package.json')!.mode).toBe(0o644);
    expect(bundle.manifest).toMatchObject({ name: 'scmctl', version: '9.9.9', platform: 'linux', arch: 'x64', node: null, minNodeMajor: 20 });
    expect(bundle.release).toBe(`9.9.9-${bundle.id.slice(0, 8)}`);
    expect(bundle.path.endsWith('scmctl-9.9.9-linux-x64.tar.gz')).toBe(true);
    expect(readFileSync(`${bundle.path}.sha256`, 'utf8')).toBe(`${bundle.sha256}  scmctl-9.9.9-linux-x64.tar.gz\n`);
  });

  it('is reproducible: the same package gives the same bytes', async () => {
    const again = await createBundle({ packageRoot: pkg, outDir: join(dir, 'out-again'), platform: 'linux', arch: 'x64' });
    expect(again.sha256).toBe(bundle.sha256);
    expect(again.release).toBe(bundle.release);
  });

  it('can carry a Node runtime as node/bin/node', async () => {
    const fakeNode = join(dir, 'fake-node');
    put(fakeNode, '#!/bin/sh\necho v20.0.0\n', 0o755);
    const b = await createBundle({ packageRoot: pkg, outDir: join(dir, 'out-node'), nodeBinary: fakeNode, nodeVersion: 'v20.0.0', platform: 'linux', arch: 'x64' });
    expect(b.manifest.node).toEqual({ version: 'v20.0.0' });
    expect(b.manifest.files.find((f) => f.path === 'node/bin/node')).toMatchObject({ mode: 0o755 });
    expect(b.path.endsWith('-linux-x64-node.tar.gz')).toBe(true);
    expect(b.release).not.toBe(bundle.release);
  });

  it('verifies a good bundle and refuses a corrupted one', async () => {
    expect((await verifyBundle(bundle.path)).id).toBe(bundle.id);
    const copy = join(dir, 'corrupt.tar.gz');
    const bytes = readFileSync(bundle.path);
    bytes[bytes.length - 20] ^= 0xff;
    writeFileSync(copy, bytes);
    writeFileSync(`${copy}.sha256`, readFileSync(`${bundle.path}.sha256`));
    await expect(verifyBundle(copy)).rejects.toMatchObject({ code: 'BUNDLE_HASH_MISMATCH' });
  });

  it('refuses an archive whose content disagrees with its manifest', async () => {
    const stage = join(dir, 'evil');
    put(join(stage, 'bin/ozone'), '#!/bin/sh\necho evil\n', 0o755);
    put(join(stage, 'extra.sh'), 'rm -rf /\n');
    writeFileSync(join(stage, MANIFEST_PATH), manifestBytes({ ...bundle.manifest, files: [bundle.manifest.files[0]!], symlinks: [] }));
    writeFileSync(join(stage, SUMS_PATH), sumsText([bundle.manifest.files[0]!]));
    const out = join(dir, 'evil.tar.gz');
    await createTarGz(out, stage, [MANIFEST_PATH, SUMS_PATH, 'bin/ozone', 'extra.sh'], { mtime: new Date(0) });
    const e = await verifyBundle(out).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BundleError);
    expect((e as BundleError).code).toBe('BUNDLE_INVALID');
    expect((e as BundleError).message).toMatch(/content of bin\/ozone differs|unlisted entry extra\.sh/);
  });

  it('explains what is missing', async () => {
    const bare = join(dir, 'bare');
    put(join(bare, 'package.json'), JSON.stringify({ name: 'scmctl', version: '1.0.0', files: ['dist/src'] }));
    await expect(createBundle({ packageRoot: bare, outDir: join(dir, 'o1') })).rejects.toMatchObject({ code: 'BUNDLE_NOT_BUILT' });
    put(join(bare, 'dist/src/scm/main.js'), '');
    put(join(bare, 'dist/src/provisioner/cli.js'), '');
    await expect(createBundle({ packageRoot: bare, outDir: join(dir, 'o2') })).rejects.toMatchObject({ code: 'BUNDLE_NO_LOCKFILE' });
    put(join(bare, 'package-lock.json'), JSON.stringify({ packages: { 'node_modules/gone': {} } }));
    await expect(createBundle({ packageRoot: bare, outDir: join(dir, 'o3') })).rejects.toMatchObject({ code: 'BUNDLE_DEPENDENCY_MISSING' });
  });

  it("leaves out the tests' and benchmarks' Raft KV node: it is built outside what package.json ships", async () => {
    const repo = join(dirname(fileURLToPath(import.meta.url)), '../../..');
    const { files } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { files: string[] };
    // its source is in test/support (built to dist/test/support), none is under src/ (built to dist/src)
    expect(existsSync(join(repo, 'test/support/raft-kv-node.ts'))).toBe(true);
    expect(readdirSync(join(repo, 'src'), { recursive: true }).filter((f) => String(f).includes('raft-kv-node'))).toEqual([]);
    // a package with the real `files` and both builds: the bundle takes the programs, not the dev node
    const real = join(dir, 'real-files');
    put(join(real, 'package.json'), JSON.stringify({ name: 'scmctl', version: '1.0.0', files }));
    put(join(real, 'package-lock.json'), JSON.stringify({ packages: {} }));
    put(join(real, 'dist/src/scm/main.js'), '');
    put(join(real, 'dist/src/provisioner/cli.js'), '');
    put(join(real, 'dist/test/support/raft-kv-node.js'), '');
    const b = await createBundle({ packageRoot: real, outDir: join(dir, 'out-real'), platform: 'linux', arch: 'x64' });
    const paths = b.manifest.files.map((f) => f.path);
    expect(paths).toContain('dist/src/scm/main.js');
    expect(paths.filter((f) => f.includes('raft-kv-node'))).toEqual([]);
  });
});

describe('installBundle decisions (strict fake host)', () => {
  let bundle: BundleInfo;
  beforeAll(async () => {
    bundle = await createBundle({ packageRoot: pkg, outDir: join(dir, 'out-install'), platform: 'linux', arch: 'x64' });
  });

  it('does nothing, with reads only, when the host already runs this bundle', async () => {
    const host = new FakeHost({
      readOnly: true,
      files: {
        '/opt/scmctl/current': { type: 'symlink', target: `releases/${bundle.release}` },
        [`/opt/scmctl/releases/${bundle.release}/${RELEASE_MARKER}`]: `${bundle.id}\n`,
      },
    });
    expect(await installBundle(host, bundle, '/opt/scmctl')).toMatchObject({ changed: false, action: 'none', previous: `releases/${bundle.release}` });
    host.assertNoViolations();
    expect(host.calls.map((c) => c.kind).sort()).toEqual(['readFile', 'stat']);
  });

  it('only switches current when the release is already unpacked', async () => {
    const host = new FakeHost({
      responders: [{ match: /mv -Tf .current\.scmctl-[0-9a-f]+ current/, reply: { exitCode: 0 } }],
      files: {
        '/opt/scmctl/current': { type: 'symlink', target: 'releases/0.0.1-00000000' },
        [`/opt/scmctl/releases/${bundle.release}/${RELEASE_MARKER}`]: `${bundle.id}\n`,
      },
    });
    expect(await installBundle(host, bundle, '/opt/scmctl')).toMatchObject({ changed: true, action: 'activated', previous: 'releases/0.0.1-00000000' });
    host.assertNoViolations();
    expect(host.calls.some((c) => c.kind === 'upload')).toBe(false);
  });

  it('refuses a host of another architecture before uploading anything', async () => {
    const host = new FakeHost({ responders: [{ match: 'uname -s -m', reply: { stdout: 'Linux aarch64\n' } }] });
    await expect(installBundle(host, bundle, '/opt/scmctl')).rejects.toMatchObject({ code: 'BUNDLE_ARCH_MISMATCH', host: 'fake1' });
    expect(host.calls.some((c) => c.kind === 'upload')).toBe(false);
  });

  it('refuses to replace a current that is not a symlink', async () => {
    const host = new FakeHost({ files: { '/opt/scmctl/current/bin/ozone': 'x' } });
    await expect(installBundle(host, bundle, '/opt/scmctl')).rejects.toMatchObject({ code: 'BUNDLE_INSTALL_FAILED' });
  });
});
