/**
 * Which files of the scmctl package go into a bundle: package.json, what its `files` field lists
 * (bin, dist/src, schemas, templates, examples — those that exist), and the production dependencies, found
 * offline from package-lock.json (entries not marked dev/devOptional; optional ones when installed).
 * Prebuilt native binaries for other platforms (`prebuilds/<platform>-<arch>`) are left out: a bundle is
 * made for one platform and architecture.
 */
import { existsSync, lstatSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { lstat, readFile } from 'node:fs/promises';
import { join, posix, sep } from 'node:path';
import { BundleError } from './bundle-error.js';

export type SourceEntry =
  | { readonly kind: 'file'; readonly rel: string; readonly abs: string; readonly executable: boolean; readonly size: number; readonly mtimeMs: number }
  | { readonly kind: 'symlink'; readonly rel: string; readonly target: string };

interface LockPackage {
  readonly dev?: boolean;
  readonly devOptional?: boolean;
  readonly optional?: boolean;
  readonly link?: boolean;
}

function toPosix(p: string): string {
  return p.split(sep).join('/');
}

function foreignPrebuild(dirName: string, platform: string, arch: string): boolean {
  const dash = dirName.indexOf('-');
  if (dash < 0) return false;
  const p = dirName.slice(0, dash);
  const archs = dirName.slice(dash + 1).split('+');
  return !(p === platform && archs.includes(arch));
}

/**
 * The reads are synchronous on purpose: a package holds thousands of small files on the local disk, and one
 * promise per lstat cost ~0.1 ms of main-thread time each (~0.35 s for this package) where the synchronous
 * call costs a few microseconds. Between directories the walk yields to the event loop, so a walk that runs
 * beside other work (every apply walks the ~4,000 files for the bundle's cache key while the hosts answer,
 * issue 13) holds the main thread for one directory at a time, not for the whole package. Paths are built by
 * concatenation (`rel` is the path under the package root, always with `/`), not path.join/relative per file.
 */
async function walk(dir: string, rel: string, out: SourceEntry[], options: { skipNodeModules: boolean; platform: string; arch: string }): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  const inPrebuilds = rel === 'prebuilds' || rel.endsWith('/prebuilds');
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const abs = `${dir}${sep}${e.name}`;
    const childRel = `${rel}/${e.name}`;
    if (e.isDirectory()) {
      if (options.skipNodeModules && e.name === 'node_modules') continue;
      if (e.name === '.bin') continue;
      if (inPrebuilds && foreignPrebuild(e.name, options.platform, options.arch)) continue;
      await walk(abs, childRel, out, options);
    } else if (e.isSymbolicLink()) {
      out.push({ kind: 'symlink', rel: childRel, target: readlinkSync(abs) });
    } else if (e.isFile()) {
      out.push(fileEntry(childRel, abs, lstatSync(abs)));
    }
  }
}

function fileEntry(rel: string, abs: string, st: Stats): SourceEntry {
  return { kind: 'file', rel, abs, executable: (st.mode & 0o111) !== 0, size: st.size, mtimeMs: st.mtimeMs };
}

export async function collectPackageFiles(packageRoot: string, target: { platform: string; arch: string }): Promise<{ name: string; version: string; entries: SourceEntry[] }> {
  const pkg = JSON.parse(await readFile(join(packageRoot, 'package.json'), 'utf8')) as { name: string; version: string; files?: string[] };
  const out: SourceEntry[] = [];
  out.push(fileEntry('package.json', join(packageRoot, 'package.json'), await lstat(join(packageRoot, 'package.json'))));
  for (const f of pkg.files ?? []) {
    const abs = join(packageRoot, f);
    if (!existsSync(abs)) continue;
    const s = await lstat(abs);
    if (s.isDirectory()) await walk(abs, posix.normalize(toPosix(f)).replace(/\/+$/, ''), out, { skipNodeModules: true, ...target });
    else out.push(fileEntry(toPosix(f), abs, s));
  }
  const lockPath = join(packageRoot, 'package-lock.json');
  if (!existsSync(lockPath)) {
    throw new BundleError('BUNDLE_NO_LOCKFILE', `${lockPath} is missing`, { hint: 'run `npm install` (or `npm ci`) to produce package-lock.json' });
  }
  const lock = JSON.parse(await readFile(lockPath, 'utf8')) as { packages?: Record<string, LockPackage> };
  for (const [key, meta] of Object.entries(lock.packages ?? {})) {
    if (!key.startsWith('node_modules/') || meta.dev || meta.devOptional || meta.link) continue;
    const abs = join(packageRoot, key);
    if (!existsSync(abs)) {
      if (meta.optional) continue;
      throw new BundleError('BUNDLE_DEPENDENCY_MISSING', `production dependency ${key} is in package-lock.json but not installed`, {
        hint: 'run `npm ci` in the package first',
      });
    }
    await walk(abs, key, out, { skipNodeModules: true, ...target });
  }
  out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return { name: pkg.name, version: pkg.version, entries: out };
}
