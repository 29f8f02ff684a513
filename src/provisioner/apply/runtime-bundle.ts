/**
 * The runtime bundle apply installs: the operator's `--bundle FILE` (verified), or one made from this
 * scmctl's own package and cached under `<cache dir>/bundles/<key>/`. The key covers what goes into the
 * bundle (package.json, package-lock.json, every packed file's path, size and mtime, the platform, and the
 * Node binary when one is bundled), so a rebuilt scmctl gets a new bundle and an unchanged one reuses it
 * (a cache hit reads one small JSON file and hashes the archive).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BundleInfo } from '../bundle/bundle-info.js';
import { createBundle } from '../bundle/create-bundle.js';
import { sha256File } from '../bundle/file-sha256.js';
import { collectPackageFiles } from '../bundle/package-files.js';
import { verifyBundle } from '../bundle/verify-bundle.js';
import type { PlanBundle } from '../plan/plan-model.js';
import { BundleError } from '../bundle/bundle-error.js';
import { bundleKind } from '../bundle/bundle-manifest.js';
import { createReleaseBundle } from '../bundle/create-release-bundle.js';
import type { Runtime, Topology } from '../topology/model.js';
import { layoutVersionOf } from '../topology/ozone-release.js';
import { expectedChecksum } from '../topology/release-files.js';

export interface SelfBundleOptions {
  readonly packageRoot: string;
  readonly cacheDir: string;
  /** put this Node binary inside (hosts without Node ≥ 20) */
  readonly node?: { readonly binary: string; readonly version: string };
  readonly signal?: AbortSignal;
  /** the package's files listed ahead (listPackageFiles of the same root, made just before); default: listed now */
  readonly listing?: PackageListing;
}

export function planBundle(b: BundleInfo): PlanBundle {
  return {
    release: b.release,
    sha256: b.sha256,
    platform: b.manifest.platform,
    arch: b.manifest.arch,
    bundledNode: b.manifest.node !== null,
    ...(b.manifest.layoutVersion !== undefined ? { layoutVersion: b.manifest.layoutVersion } : {}),
  };
}

export type PackageListing = ReturnType<typeof collectPackageFiles>;

/**
 * Starts listing this scmctl's package files (thousands of them) now, for a selfBundle call that follows
 * (its `listing`): apply and plan start it before reading the hosts, so the listing overlaps the network.
 */
export function listPackageFiles(packageRoot: string): PackageListing {
  const p = collectPackageFiles(packageRoot, { platform: process.platform, arch: process.arch });
  p.catch(() => {}); // whoever passes it on sees the rejection; nobody may (hosts unreachable)
  return p;
}

async function cacheKey(o: SelfBundleOptions): Promise<string> {
  const h = createHash('sha256');
  const { entries } = await (o.listing ?? listPackageFiles(o.packageRoot));
  h.update(`${process.platform}-${process.arch}\n`);
  for (const f of ['package.json', 'package-lock.json']) h.update(await readFile(join(o.packageRoot, f)));
  for (const e of entries) {
    if (e.kind === 'symlink') h.update(`l ${e.rel} ${e.target}\n`);
    else h.update(`f ${e.rel} ${e.size} ${e.mtimeMs} ${e.executable ? 'x' : '-'}\n`);
  }
  if (o.node) {
    const s = await stat(o.node.binary);
    h.update(`node ${o.node.binary} ${o.node.version} ${s.size} ${s.mtimeMs}\n`);
  }
  return h.digest('hex').slice(0, 24);
}

/** A bundle of this scmctl, from the cache when its inputs did not change. */
export async function selfBundle(o: SelfBundleOptions): Promise<BundleInfo> {
  return cachedBundle(join(o.cacheDir, 'bundles', await cacheKey(o)), o.signal, (outDir) =>
    createBundle({
      packageRoot: o.packageRoot,
      outDir,
      ...(o.node ? { nodeBinary: o.node.binary, nodeVersion: o.node.version } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    }),
  );
}

/**
 * The bundle cached in `dir` (its `bundle.json` names it; its archive still hashes to what it says), else
 * one made by `make` into a staging directory renamed over `dir`.
 */
async function cachedBundle(dir: string, signal: AbortSignal | undefined, make: (outDir: string) => Promise<BundleInfo>): Promise<BundleInfo> {
  const infoPath = join(dir, 'bundle.json');
  if (existsSync(infoPath)) {
    try {
      const info = JSON.parse(await readFile(infoPath, 'utf8')) as BundleInfo;
      if (existsSync(info.path) && (await sha256File(info.path, signal)) === info.sha256) return info;
    } catch {
      // a broken cache entry is rebuilt below
    }
  }
  const tmp = `${dir}.${process.pid}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  const made = await make(tmp);
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  const info: BundleInfo = { ...made, path: join(dir, made.path.slice(made.path.lastIndexOf('/') + 1)) };
  await writeFile(infoPath, `${JSON.stringify(info)}\n`);
  return info;
}

/** The operator's bundle file, verified (hash, manifest, every file). */
export function givenBundle(path: string, signal?: AbortSignal): Promise<BundleInfo> {
  return verifyBundle(path, signal ? { signal } : {});
}

/** A bundle must be of the topology's runtime kind (and, for apache-ozone, of its release version). */
export function matchingRuntime(topology: Topology, b: BundleInfo): BundleInfo {
  const kind = bundleKind(b.manifest);
  const want = topology.runtime.kind;
  if (kind !== want) {
    throw new BundleError('BUNDLE_KIND_MISMATCH', `${b.path} is ${kind === 'embedded' ? "scmctl's embedded SCM" : `Apache Ozone ${b.manifest.version}`}, the topology's runtime.kind is ${want}`, {
      hint: want === 'apache-ozone' ? 'drop --bundle (scmctl makes one from runtime.ozone.tarball), or give a bundle made with `scmctl bundle create --ozone-tarball`' : 'give a bundle of this scmctl (`scmctl bundle create`), or set runtime.kind: apache-ozone',
    });
  }
  const v = topology.runtime.ozone?.version;
  if (want === 'apache-ozone' && v && b.manifest.version !== v) {
    throw new BundleError('BUNDLE_KIND_MISMATCH', `${b.path} holds Ozone ${b.manifest.version}, the topology's runtime.ozone names ${v}`, { hint: 'point runtime.ozone at the release you install, so rendering follows its version' });
  }
  return b;
}

/**
 * The bundle of an Apache Ozone release (+ Java tarball), made once and cached under
 * `<cache dir>/releases/<key>/`; the key covers the tarballs' paths, sizes and mtimes and the version, so a
 * replaced tarball is packed again (and its checksum was checked when the topology was loaded).
 */
export async function releaseBundle(o: { runtime: Runtime; cacheDir: string; signal?: AbortSignal }): Promise<BundleInfo> {
  const rt = o.runtime;
  if (!rt.ozone || rt.ozone.version === null) throw new BundleError('BUNDLE_RELEASE_INVALID', 'the topology names no Ozone release with a known version (runtime.ozone)');
  const javaTarball = rt.java && 'tarball' in rt.java ? rt.java.tarball : undefined;
  const h = createHash('sha256');
  for (const f of [rt.ozone.tarball, ...(javaTarball ? [javaTarball] : [])]) {
    const s = await stat(f);
    h.update(`${f} ${s.size} ${s.mtimeMs}\n`);
  }
  h.update(`${rt.ozone.version}\n`);
  const expected = expectedChecksum(rt.ozone.tarball, rt.ozone);
  const ozone = rt.ozone;
  const version = rt.ozone.version;
  return cachedBundle(join(o.cacheDir, 'releases', h.digest('hex').slice(0, 24)), o.signal, (outDir) =>
    createReleaseBundle({
      ozoneTarball: ozone.tarball,
      ozoneVersion: version,
      ozoneDigest: expected ? `${expected.algorithm}:${expected.hex}` : 'unchecked',
      ...(javaTarball ? { javaTarball } : {}),
      layoutVersion: layoutVersionOf(version),
      outDir,
      ...(o.signal ? { signal: o.signal } : {}),
    }),
  );
}
