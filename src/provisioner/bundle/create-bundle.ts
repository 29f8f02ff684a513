/**
 * createBundle: packs the scmctl package (the built program, its production node_modules, and optionally a
 * Node runtime as `node/bin/node` for hosts without Node ≥ 20) into `scmctl-<version>-<platform>-<arch>.tar.gz`
 * with a manifest of every file's sha256 (`scmctl-bundle.json`), a `SHA256SUMS` file the host checks with
 * `sha256sum -c`, and a `<bundle>.sha256` file next to it. Works offline. Deterministic: the same inputs give
 * the same bytes (sorted entries, fixed mtime, normalised modes), so re-creating a bundle does not create
 * a new release on the hosts.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ConcurrencyLimit } from '../hosts/concurrency-limit.js';
import { BundleError } from './bundle-error.js';
import { BUNDLE_FORMAT, bundleId, type BundleManifest, type ManifestFile, type ManifestSymlink, MANIFEST_PATH, manifestBytes, releaseName, SUMS_PATH, sumsText } from './bundle-manifest.js';
import type { BundleInfo } from './bundle-info.js';
import { parseVersionBanner } from '../facts/version-banner.js';
import { sha256File } from './file-sha256.js';
import { collectPackageFiles } from './package-files.js';
import { createTarGz } from './tar-archive.js';
import { verifyBundle } from './verify-bundle.js';

export interface CreateBundleOptions {
  /** the scmctl package root: package.json, package-lock.json, dist/ (built), node_modules/ */
  readonly packageRoot: string;
  /** where the .tar.gz and its .sha256 go (created if missing) */
  readonly outDir: string;
  /** include this Node binary as `node/bin/node` (e.g. process.execPath) */
  readonly nodeBinary?: string;
  /** its `process.version`; required with nodeBinary */
  readonly nodeVersion?: string;
  /** default process.platform / process.arch */
  readonly platform?: string;
  readonly arch?: string;
  readonly minNodeMajor?: number;
  /** 1–9; default 6 */
  readonly gzipLevel?: number;
  readonly signal?: AbortSignal;
}

/**
 * The layout version of the release's SCM, from its own `ozone version` banner ("HDDS layout version N"):
 * the two programs meet through commands, not imports. null when it cannot tell.
 */
async function releaseLayoutVersion(root: string): Promise<number | null> {
  const r = await new Promise<string>((resolve) =>
    execFile(process.execPath, [join(root, 'dist/src/scm/main.js'), 'version'], { timeout: 30_000, env: { ...process.env, OZONE_CONF_DIR: '' } }, (_err, stdout) => resolve(String(stdout))),
  );
  return parseVersionBanner(r)?.layoutVersion ?? null;
}

/** Every entry gets this mtime: bundles are reproducible. */
const FIXED_MTIME = new Date('2000-01-01T00:00:00Z');

export async function createBundle(options: CreateBundleOptions): Promise<BundleInfo> {
  const root = options.packageRoot;
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  if (!existsSync(join(root, 'dist/src/scm/main.js')) || !existsSync(join(root, 'dist/src/provisioner/cli.js'))) {
    throw new BundleError('BUNDLE_NOT_BUILT', `${join(root, 'dist/src')} is missing the built programs`, { hint: 'run `npm run build` first' });
  }
  if (options.nodeBinary && !options.nodeVersion) throw new TypeError('createBundle: nodeVersion is required with nodeBinary');
  const { name, version, entries } = await collectPackageFiles(root, { platform, arch });
  const layoutVersion = await releaseLayoutVersion(root);
  const stage = await mkdtemp(join(tmpdir(), 'scmctl-bundle-'));
  try {
    const files: ManifestFile[] = [];
    const symlinks: ManifestSymlink[] = [];
    const copyIn = async (rel: string, abs: string, executable: boolean): Promise<void> => {
      options.signal?.throwIfAborted();
      const dest = join(stage, rel);
      await mkdir(dirname(dest), { recursive: true });
      const mode = executable ? 0o755 : 0o644;
      const size = (await stat(abs)).size;
      let sha256: string;
      if (size <= 8 * 1024 * 1024) {
        const data = await readFile(abs);
        await writeFile(dest, data, { mode });
        sha256 = createHash('sha256').update(data).digest('hex');
      } else {
        await copyFile(abs, dest);
        sha256 = await sha256File(dest, options.signal);
      }
      await chmod(dest, mode);
      files.push({ path: rel, size, mode, sha256 });
    };
    const limit = new ConcurrencyLimit(16);
    await Promise.all(
      entries.map((e) =>
        limit.run(async () => {
          if (e.kind === 'file') return copyIn(e.rel, e.abs, e.executable);
          const dest = join(stage, e.rel);
          await mkdir(dirname(dest), { recursive: true });
          await symlink(e.target, dest);
          symlinks.push({ path: e.rel, target: e.target });
        }),
      ),
    );
    symlinks.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    if (options.nodeBinary) await copyIn('node/bin/node', options.nodeBinary, true);
    files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const manifest: BundleManifest = {
      format: BUNDLE_FORMAT,
      name,
      version,
      platform,
      arch,
      node: options.nodeBinary ? { version: options.nodeVersion! } : null,
      minNodeMajor: options.minNodeMajor ?? 20,
      ...(layoutVersion !== null ? { layoutVersion } : {}),
      files,
      symlinks,
    };
    const fileName = `${name}-${version}-${platform}-${arch}${options.nodeBinary ? '-node' : ''}.tar.gz`;
    return await packBundle(stage, manifest, options.outDir, fileName, options);
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

/**
 * Packs a staged release tree (every file and symlink listed in `manifest`) with its manifest and
 * SHA256SUMS into `<outDir>/<fileName>` plus `<fileName>.sha256`, reading the archive back before it is
 * renamed into place.
 */
export async function packBundle(stage: string, manifest: BundleManifest, outDir: string, fileName: string, options: { gzipLevel?: number; signal?: AbortSignal } = {}): Promise<BundleInfo> {
  const { files, symlinks, version } = manifest;
  const mbytes = manifestBytes(manifest);
  await writeFile(join(stage, MANIFEST_PATH), mbytes, { mode: 0o644 });
  await writeFile(join(stage, SUMS_PATH), sumsText(files), { mode: 0o644 });
  await chmod(join(stage, MANIFEST_PATH), 0o644);
  await chmod(join(stage, SUMS_PATH), 0o644);

  await mkdir(outDir, { recursive: true });
  const out = join(outDir, fileName);
  const tmpOut = `${out}.${process.pid}.tmp`;
  const order = [MANIFEST_PATH, SUMS_PATH, ...[...files.map((f) => f.path), ...symlinks.map((s) => s.path)].sort()];
  await createTarGz(tmpOut, stage, order, { mtime: FIXED_MTIME, ...(options.gzipLevel !== undefined ? { gzipLevel: options.gzipLevel } : {}) });
  const sha256 = await sha256File(tmpOut, options.signal);
  // read back what was written: a truncated or inconsistent archive never leaves this function
  const checked = await verifyBundle(tmpOut, { expectedSha256: sha256, ...(options.signal ? { signal: options.signal } : {}) });
  if (checked.id !== bundleId(mbytes)) throw new BundleError('BUNDLE_INVALID', `${out}: the written manifest differs from the one built`);
  await rename(tmpOut, out);
  await writeFile(`${out}.sha256`, `${sha256}  ${fileName}\n`);
  return { ...checked, path: out, release: releaseName(version, checked.id) };
}
