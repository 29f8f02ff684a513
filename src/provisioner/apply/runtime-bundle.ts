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

export interface SelfBundleOptions {
  readonly packageRoot: string;
  readonly cacheDir: string;
  /** put this Node binary inside (hosts without Node ≥ 20) */
  readonly node?: { readonly binary: string; readonly version: string };
  readonly signal?: AbortSignal;
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

async function cacheKey(o: SelfBundleOptions): Promise<string> {
  const h = createHash('sha256');
  const { entries } = await collectPackageFiles(o.packageRoot, { platform: process.platform, arch: process.arch });
  h.update(`${process.platform}-${process.arch}\n`);
  for (const f of ['package.json', 'package-lock.json']) h.update(await readFile(join(o.packageRoot, f)));
  for (const e of entries) {
    if (e.kind === 'symlink') h.update(`l ${e.rel} ${e.target}\n`);
    else {
      const s = await stat(e.abs);
      h.update(`f ${e.rel} ${s.size} ${s.mtimeMs} ${e.executable ? 'x' : '-'}\n`);
    }
  }
  if (o.node) {
    const s = await stat(o.node.binary);
    h.update(`node ${o.node.binary} ${o.node.version} ${s.size} ${s.mtimeMs}\n`);
  }
  return h.digest('hex').slice(0, 24);
}

/** A bundle of this scmctl, from the cache when its inputs did not change. */
export async function selfBundle(o: SelfBundleOptions): Promise<BundleInfo> {
  const key = await cacheKey(o);
  const dir = join(o.cacheDir, 'bundles', key);
  const infoPath = join(dir, 'bundle.json');
  if (existsSync(infoPath)) {
    try {
      const info = JSON.parse(await readFile(infoPath, 'utf8')) as BundleInfo;
      if (existsSync(info.path) && (await sha256File(info.path, o.signal)) === info.sha256) return info;
    } catch {
      // a broken cache entry is rebuilt below
    }
  }
  const tmp = `${dir}.${process.pid}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  const made = await createBundle({
    packageRoot: o.packageRoot,
    outDir: tmp,
    ...(o.node ? { nodeBinary: o.node.binary, nodeVersion: o.node.version } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
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
