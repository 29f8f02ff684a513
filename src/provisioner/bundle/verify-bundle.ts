/**
 * verifyBundle: checks a bundle before it travels: the archive's sha256 against `<bundle>.sha256` (or an
 * expected value), the manifest's shape, every file's size and sha256, no file outside the manifest, no
 * path or symlink that escapes the release directory.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { BundleError } from './bundle-error.js';
import type { BundleInfo } from './bundle-info.js';
import { bundleId, isSafeRelativePath, MANIFEST_PATH, parseManifest, releaseName, SUMS_PATH, sumsText } from './bundle-manifest.js';
import { sha256File } from './file-sha256.js';
import { inspectTarGz } from './tar-archive.js';

export async function verifyBundle(path: string, options: { expectedSha256?: string; signal?: AbortSignal } = {}): Promise<BundleInfo> {
  if (!existsSync(path)) throw new BundleError('BUNDLE_INVALID', `${path} does not exist`);
  const sha256 = await sha256File(path, options.signal);
  let expected = options.expectedSha256;
  if (expected === undefined && existsSync(`${path}.sha256`)) expected = (await readFile(`${path}.sha256`, 'utf8')).trim().split(/\s+/)[0];
  if (expected !== undefined && expected.toLowerCase() !== sha256) {
    throw new BundleError('BUNDLE_HASH_MISMATCH', `${path} has sha256 ${sha256}, expected ${expected}`, {
      hint: 'the file is corrupted or was changed: copy it again from its source',
    });
  }
  let inspected;
  try {
    inspected = await inspectTarGz(path, { collect: new Set([MANIFEST_PATH, SUMS_PATH]) });
  } catch (err) {
    throw new BundleError('BUNDLE_INVALID', `${path} is not a readable .tar.gz: ${(err as Error).message}`, { cause: err });
  }
  const mbytes = inspected.collected.get(MANIFEST_PATH);
  const manifest = mbytes ? parseManifest(mbytes) : null;
  if (!mbytes || !manifest) throw new BundleError('BUNDLE_INVALID', `${path} has no valid ${MANIFEST_PATH}: not a scmctl bundle`);
  const problems: string[] = [];
  if (inspected.collected.get(SUMS_PATH)?.toString('utf8') !== sumsText(manifest.files)) problems.push(`${SUMS_PATH} disagrees with the manifest`);
  const byPath = new Map(inspected.entries.map((e) => [e.path.replace(/\/$/, ''), e]));
  for (const f of manifest.files) {
    const e = byPath.get(f.path);
    if (!isSafeRelativePath(f.path)) problems.push(`unsafe path ${f.path}`);
    else if (!e || e.type !== 'file') problems.push(`missing file ${f.path}`);
    else if (e.sha256 !== f.sha256 || e.size !== f.size) problems.push(`content of ${f.path} differs from the manifest`);
  }
  for (const s of manifest.symlinks) {
    const e = byPath.get(s.path);
    const resolved = posix.normalize(posix.join(posix.dirname(s.path), s.target));
    if (!isSafeRelativePath(s.path) || s.target.startsWith('/') || resolved.startsWith('..')) problems.push(`symlink ${s.path} points outside the bundle`);
    else if (!e || e.type !== 'symlink' || e.linkTarget !== s.target) problems.push(`symlink ${s.path} differs from the manifest`);
  }
  const listed = new Set([MANIFEST_PATH, SUMS_PATH, ...manifest.files.map((f) => f.path), ...manifest.symlinks.map((s) => s.path)]);
  for (const e of inspected.entries) {
    const p = e.path.replace(/\/$/, '');
    if (e.type === 'directory') continue;
    if (!listed.has(p)) problems.push(`unlisted entry ${p}`);
  }
  if (problems.length > 0) {
    throw new BundleError('BUNDLE_INVALID', `${path} does not match its manifest: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ''}`);
  }
  const id = bundleId(mbytes);
  return { path, sha256, bytes: (await stat(path)).size, manifest, id, release: releaseName(manifest.version, id) };
}
