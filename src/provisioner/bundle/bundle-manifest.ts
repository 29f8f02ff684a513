/**
 * The bundle's manifest (`scmctl-bundle.json` at the archive root) and the release naming, pure.
 * A bundle's identity is the sha256 of its manifest (which lists every file's sha256), so the same content
 * gives the same release name whatever the compression; releases install to `releases/<version>-<id8>`.
 */
import { createHash } from 'node:crypto';

export const MANIFEST_PATH = 'scmctl-bundle.json';
export const SUMS_PATH = 'SHA256SUMS';
export const BUNDLE_FORMAT = 'scmctl-bundle/v1';

export type BundleKind = 'embedded' | 'apache-ozone';

/** a manifest without `kind` is an embedded bundle (written before apache-ozone bundles existed) */
export function bundleKind(m: BundleManifest): BundleKind {
  return m.kind ?? 'embedded';
}

export interface ManifestFile {
  readonly path: string;
  readonly size: number;
  /** 0o755 or 0o644 */
  readonly mode: number;
  readonly sha256: string;
}

export interface ManifestSymlink {
  readonly path: string;
  readonly target: string;
}

export interface BundleManifest {
  readonly format: typeof BUNDLE_FORMAT;
  readonly name: string;
  readonly version: string;
  /** process.platform / process.arch of the machine that made it (native modules, bundled node) */
  readonly platform: string;
  readonly arch: string;
  /** the bundled runtime (`node/bin/node`), or null when hosts must provide Node ≥ minNodeMajor */
  readonly node: { readonly version: string } | null;
  readonly minNodeMajor: number;
  /**
   * the HDDS layout version the release's SCM writes and reads (its `ozone version` banner); a host whose
   * VERSION is newer cannot run it (absent in bundles of older scmctl releases)
   */
  readonly layoutVersion?: number;
  /** what the release is: scmctl's embedded SCM (absent in bundles of older scmctl releases), or an Apache Ozone release */
  readonly kind?: BundleKind;
  /** kind apache-ozone: the release and the checksum of the tarball it was made from */
  readonly ozone?: { readonly version: string; readonly source: string; readonly sourceDigest: string };
  /** kind apache-ozone: a Java runtime shipped under `java/` (its `release` file's JAVA_VERSION), or null (hosts have one) */
  readonly java?: { readonly version: string | null } | null;
  readonly files: readonly ManifestFile[];
  readonly symlinks: readonly ManifestSymlink[];
}

export function manifestBytes(m: BundleManifest): Buffer {
  return Buffer.from(`${JSON.stringify(m, null, 2)}\n`, 'utf8');
}

export function bundleId(manifest: Buffer): string {
  return createHash('sha256').update(manifest).digest('hex');
}

/** `<version>-<first 8 hex of the bundle id>`: the release directory name. */
export function releaseName(version: string, id: string): string {
  return `${version}-${id.slice(0, 8)}`;
}

/** `sha256sum -c` input for every file except the manifest and this file. */
export function sumsText(files: readonly ManifestFile[]): string {
  return files.map((f) => `${f.sha256}  ${f.path}\n`).join('');
}

/** `uname -m` names for Node's process.arch values. */
export function unameArch(nodeArch: string): string[] {
  switch (nodeArch) {
    case 'x64':
      return ['x86_64', 'amd64'];
    case 'arm64':
      return ['aarch64', 'arm64'];
    case 'arm':
      return ['armv7l', 'armv6l', 'arm'];
    case 'ppc64':
      return ['ppc64le', 'ppc64'];
    case 's390x':
      return ['s390x'];
    default:
      return [nodeArch];
  }
}

/** A relative path that stays inside the release directory. */
export function isSafeRelativePath(p: string): boolean {
  return p !== '' && !p.startsWith('/') && !p.split('/').some((s) => s === '..') && !/[\0\n\r\\]/.test(p);
}

export function parseManifest(bytes: Buffer): BundleManifest | null {
  let m: unknown;
  try {
    m = JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof m !== 'object' || m === null) return null;
  const o = m as Record<string, unknown>;
  if (o['format'] !== BUNDLE_FORMAT || typeof o['version'] !== 'string' || !Array.isArray(o['files']) || !Array.isArray(o['symlinks'])) return null;
  if (typeof o['platform'] !== 'string' || typeof o['arch'] !== 'string' || typeof o['minNodeMajor'] !== 'number') return null;
  if (o['layoutVersion'] !== undefined && !Number.isSafeInteger(o['layoutVersion'])) return null;
  if (o['kind'] !== undefined && o['kind'] !== 'embedded' && o['kind'] !== 'apache-ozone') return null;
  if (o['kind'] === 'apache-ozone') {
    const oz = o['ozone'] as Record<string, unknown> | undefined;
    if (typeof oz !== 'object' || oz === null || typeof oz['version'] !== 'string' || typeof oz['source'] !== 'string' || typeof oz['sourceDigest'] !== 'string') return null;
  }
  for (const f of o['files'] as unknown[]) {
    const x = f as Record<string, unknown>;
    if (typeof x['path'] !== 'string' || typeof x['sha256'] !== 'string' || typeof x['size'] !== 'number' || typeof x['mode'] !== 'number') return null;
  }
  for (const s of o['symlinks'] as unknown[]) {
    const x = s as Record<string, unknown>;
    if (typeof x['path'] !== 'string' || typeof x['target'] !== 'string') return null;
  }
  return m as BundleManifest;
}
