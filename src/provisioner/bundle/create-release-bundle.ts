/**
 * createReleaseBundle: turns an Apache Ozone release tarball (`ozone-X.Y.Z.tar.gz`, already checked against
 * its checksum) and optionally a JDK/JRE tarball into a bundle of kind `apache-ozone`, so that the same
 * install path serves both runtimes (upload, sha256 on the host, `sha256sum -c` of every file,
 * `releases/<version>-<id8>/`, atomic `current` switch, rollback to the previous release). The release tree
 * is the distribution as Ozone ships it (bin/ozone, libexec/, etc/hadoop/, share/ozone/…) with the
 * tarball's top directory dropped; a Java runtime goes to `java/` (scm.env then sets JAVA_HOME to it).
 * Refuses a tarball without `bin/ozone`, a Java tarball without `bin/java`, hard links and special files,
 * and symlinks that leave the tree.
 */
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { BundleError } from './bundle-error.js';
import type { BundleInfo } from './bundle-info.js';
import { BUNDLE_FORMAT, type BundleManifest, type ManifestFile, type ManifestSymlink } from './bundle-manifest.js';
import { packBundle } from './create-bundle.js';
import { sha256File } from './file-sha256.js';
import { extractTarGz } from './tar-archive.js';

export interface ReleaseBundleOptions {
  readonly ozoneTarball: string;
  readonly ozoneVersion: string;
  /** how the tarball was checked: `sha512:<hex>` or `sha256:<hex>` (recorded in the manifest) */
  readonly ozoneDigest: string;
  readonly javaTarball?: string;
  /** the HDDS layout version of the release, when known */
  readonly layoutVersion?: number | null;
  readonly outDir: string;
  readonly signal?: AbortSignal;
}

/** `uname -m`-style names in a JDK `release` file (OS_ARCH) → Node's process.arch names */
function archOf(osArch: string): string {
  if (osArch === 'x86_64' || osArch === 'amd64') return 'x64';
  if (osArch === 'aarch64') return 'arm64';
  return osArch;
}

async function walk(root: string, rel: string, files: ManifestFile[], symlinks: ManifestSymlink[], what: string): Promise<void> {
  for (const name of (await readdir(join(root, rel))).sort()) {
    const r = rel === '' ? name : `${rel}/${name}`;
    const s = await lstat(join(root, r));
    if (s.isDirectory()) await walk(root, r, files, symlinks, what);
    else if (s.isSymbolicLink()) {
      const target = await readlink(join(root, r));
      if (target.startsWith('/') || posix.normalize(posix.join(posix.dirname(r), target)).startsWith('..')) {
        throw new BundleError('BUNDLE_RELEASE_INVALID', `${what}: symlink ${r} → ${target} points outside the release`);
      }
      symlinks.push({ path: r, target });
    } else if (s.isFile()) {
      if (s.nlink > 1) throw new BundleError('BUNDLE_RELEASE_INVALID', `${what}: ${r} is a hard link`, { hint: 'repack the tarball without hard links' });
      const mode = s.mode & 0o111 ? 0o755 : 0o644;
      files.push({ path: r, size: s.size, mode, sha256: await sha256File(join(root, r)) });
    } else throw new BundleError('BUNDLE_RELEASE_INVALID', `${what}: ${r} is not a regular file, directory or symlink`);
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** The JDK `release` file's JAVA_VERSION and OS_ARCH, when it has one */
async function javaRelease(dir: string): Promise<{ version: string | null; arch: string | null }> {
  try {
    const text = await readFile(join(dir, 'release'), 'utf8');
    const get = (k: string): string | null => new RegExp(`^${k}="?([^"\\n]*)"?$`, 'm').exec(text)?.[1] ?? null;
    const arch = get('OS_ARCH');
    return { version: get('JAVA_VERSION'), arch: arch ? archOf(arch) : null };
  } catch {
    return { version: null, arch: null };
  }
}

export async function createReleaseBundle(o: ReleaseBundleOptions): Promise<BundleInfo> {
  const stage = await mkdtemp(join(tmpdir(), 'scmctl-release-'));
  try {
    try {
      await extractTarGz(o.ozoneTarball, stage, { strip: 1 });
    } catch (err) {
      throw unpackError(o.ozoneTarball, err);
    }
    if (!(await exists(join(stage, 'bin/ozone')))) {
      throw new BundleError('BUNDLE_RELEASE_INVALID', `${o.ozoneTarball} has no bin/ozone under its top directory: not an Ozone binary release`, {
        hint: 'use the binary release ozone-X.Y.Z.tar.gz, not the -src tarball',
      });
    }
    let java: { version: string | null } | null = null;
    let arch = 'any';
    let platform = 'any';
    if (o.javaTarball) {
      if (await exists(join(stage, 'java'))) throw new BundleError('BUNDLE_RELEASE_INVALID', `${o.ozoneTarball} already has a java/ directory`);
      await mkdir(join(stage, 'java'));
      try {
        await extractTarGz(o.javaTarball, join(stage, 'java'), { strip: 1 });
      } catch (err) {
        throw unpackError(o.javaTarball, err);
      }
      if (!(await exists(join(stage, 'java/bin/java')))) throw new BundleError('BUNDLE_RELEASE_INVALID', `${o.javaTarball} has no bin/java under its top directory: not a JDK or JRE`);
      const rel = await javaRelease(join(stage, 'java'));
      java = { version: rel.version };
      // a JDK is native code: the bundle is for the JDK's architecture
      platform = 'linux';
      arch = rel.arch ?? process.arch;
    }
    const files: ManifestFile[] = [];
    const symlinks: ManifestSymlink[] = [];
    await walk(stage, '', files, symlinks, o.ozoneTarball);
    files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    symlinks.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const manifest: BundleManifest = {
      format: BUNDLE_FORMAT,
      name: 'ozone',
      version: o.ozoneVersion,
      platform,
      arch,
      node: null,
      minNodeMajor: 0,
      ...(o.layoutVersion != null ? { layoutVersion: o.layoutVersion } : {}),
      kind: 'apache-ozone',
      ozone: { version: o.ozoneVersion, source: o.ozoneTarball.split('/').pop()!, sourceDigest: o.ozoneDigest },
      java,
      files,
      symlinks,
    };
    const fileName = `ozone-${o.ozoneVersion}-scmctl-bundle${java ? `-java-${arch}` : ''}.tar.gz`;
    return await packBundle(stage, manifest, o.outDir, fileName, o.signal ? { signal: o.signal } : {});
  } finally {
    // a refused archive may still be writing its last entries: retry the removal briefly
    await rm(stage, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  }
}

/** node-tar refuses (strict) entries with absolute or escaping paths and links: say so, not "unreadable" */
function unpackError(file: string, err: unknown): BundleError {
  const tarCode = (err as { tarCode?: string }).tarCode;
  if (tarCode === 'TAR_ENTRY_INFO' || tarCode === 'TAR_ENTRY_ERROR') {
    return new BundleError('BUNDLE_RELEASE_INVALID', `${file} has an entry that points outside the release: ${(err as Error).message}`, { cause: err, hint: 'use the release tarball as published; it must not contain absolute paths or links' });
  }
  return new BundleError('BUNDLE_RELEASE_INVALID', `${file} is not a readable .tar.gz: ${(err as Error).message}`, { cause: err });
}
