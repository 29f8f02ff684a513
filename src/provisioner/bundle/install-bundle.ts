/**
 * installBundle: puts a verified bundle on a host, with nothing but `sh`, `tar` (gzip), `sha256sum` there
 * (no internet): upload to `<install>/releases/.incoming-<id8>.tar.gz`, check its sha256 on the host, unpack
 * into a staging directory, check every file with `sha256sum -c`, mark it complete, rename it to
 * `<install>/releases/<version>-<id8>/`, then switch `<install>/current` atomically (a new symlink renamed
 * over the old one).
 *
 * Idempotent: when `current` already points at this release and its completion marker names this bundle,
 * nothing is written (two reads). A complete release that is not current is only activated. An install
 * interrupted at any point is finished by running it again; the previous release stays current until the
 * final rename. Older releases are kept (rollback = activateRelease with the previous name).
 */
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { RemoteHost } from '../hosts/remote-host.js';
import { sh } from '../hosts/shell-quote.js';
import { BundleError } from './bundle-error.js';
import type { BundleInfo } from './bundle-info.js';
import { unameArch } from './bundle-manifest.js';

export const RELEASE_MARKER = '.scmctl-release';

export type InstallStep = 'check' | 'upload' | 'unpack' | 'activate';

export interface InstallBundleOptions {
  /** run as root (install dirs owned by root) */
  readonly sudo?: boolean;
  readonly signal?: AbortSignal;
  readonly onStep?: (step: InstallStep, detail?: { readonly sentBytes?: number }) => void;
}

export interface InstallResult {
  /** false when the host already ran this exact bundle */
  readonly changed: boolean;
  readonly action: 'none' | 'activated' | 'installed';
  readonly release: string;
  readonly releaseDir: string;
  /** the `current` link text before, null when there was none */
  readonly previous: string | null;
}

function opts(o: InstallBundleOptions): { sudo?: boolean; signal?: AbortSignal } {
  return { ...(o.sudo ? { sudo: true } : {}), ...(o.signal ? { signal: o.signal } : {}) };
}

function fail(host: RemoteHost, what: string, r: { stderr: string; exitCode: number }): never {
  throw new BundleError('BUNDLE_INSTALL_FAILED', `${what} failed (exit ${r.exitCode}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`, {
    host: host.info.name,
  });
}

/** Points `<installDir>/current` at `releases/<release>` atomically. */
export async function activateRelease(host: RemoteHost, installDir: string, release: string, options: InstallBundleOptions = {}): Promise<void> {
  const tmp = `.current.scmctl-${randomBytes(4).toString('hex')}`;
  const r = await host.exec(
    sh`set -e
cd ${installDir}
test -f ${posix.join('releases', release, RELEASE_MARKER)}
ln -s ${posix.join('releases', release)} ${tmp}
mv -Tf ${tmp} current
sync . 2>/dev/null || :`,
    opts(options),
  );
  if (r.exitCode !== 0) fail(host, `activating release ${release} in ${installDir}`, r);
}

export async function installBundle(host: RemoteHost, bundle: BundleInfo, installDir: string, options: InstallBundleOptions = {}): Promise<InstallResult> {
  const name = host.info.name;
  if (!posix.isAbsolute(installDir)) throw new TypeError(`installBundle: ${installDir} is not absolute`);
  const release = bundle.release;
  const releasesDir = posix.join(installDir, 'releases');
  const releaseDir = posix.join(releasesDir, release);
  const wanted = posix.join('releases', release);
  options.onStep?.('check');
  const [current, marker] = await Promise.all([
    host.stat(posix.join(installDir, 'current'), opts(options)),
    host.readFile(posix.join(releaseDir, RELEASE_MARKER), opts(options)),
  ]);
  if (current.exists && current.type !== 'symlink') {
    throw new BundleError('BUNDLE_INSTALL_FAILED', `${installDir}/current exists and is not a symlink; move it away first`, { host: name });
  }
  const previous = current.exists ? (current.linkTarget ?? null) : null;
  const complete = marker?.toString('utf8').trim() === bundle.id;
  if (complete && previous !== null && posix.normalize(previous) === wanted) {
    return { changed: false, action: 'none', release, releaseDir, previous };
  }
  if (complete) {
    options.onStep?.('activate');
    await activateRelease(host, installDir, release, options);
    return { changed: true, action: 'activated', release, releaseDir, previous };
  }

  const m = bundle.manifest;
  const uname = await host.exec(sh`uname -s -m`, opts(options));
  const [kernel, machine] = uname.stdout.trim().split(/\s+/);
  if (m.platform === 'linux' && (kernel !== 'Linux' || !unameArch(m.arch).includes(machine ?? ''))) {
    throw new BundleError('BUNDLE_ARCH_MISMATCH', `the bundle is for linux-${m.arch}, the host is ${kernel ?? '?'} ${machine ?? '?'}`, {
      host: name,
      hint: `create the bundle on a ${kernel ?? ''} ${machine ?? ''} machine`,
    });
  }
  const tools = await host.exec(sh`for t in tar gzip sha256sum; do command -v "$t" >/dev/null 2>&1 || echo "$t"; done`, opts(options));
  const missing = tools.stdout.trim().split('\n').filter(Boolean);
  if (missing.length > 0) {
    throw new BundleError('BUNDLE_HOST_TOOL_MISSING', `the host lacks ${missing.join(', ')}`, { host: name, hint: 'install them from the OS media' });
  }
  const mk = await host.exec(sh`umask 022 && mkdir -p -- ${releasesDir}`, opts(options));
  if (mk.exitCode !== 0) fail(host, `creating ${releasesDir}`, mk);

  const id8 = bundle.id.slice(0, 8);
  const incoming = posix.join(releasesDir, `.incoming-${id8}.tar.gz`);
  options.onStep?.('upload');
  await host.upload(bundle.path, incoming, {
    mode: 0o600,
    ...opts(options),
    onProgress: (sentBytes) => options.onStep?.('upload', { sentBytes }),
  });

  options.onStep?.('unpack');
  const staging = `.staging-${release}`;
  const r = await host.exec(
    sh`set -e
umask 022
cd ${releasesDir}
f=${`.incoming-${id8}.tar.gz`}
got=$(sha256sum < "$f" | cut -d ' ' -f 1)
if test "$got" != ${bundle.sha256}; then rm -f -- "$f"; echo "uploaded bundle has sha256 $got" >&2; exit 65; fi
rm -rf -- ${staging}
mkdir -- ${staging}
tar -xzf "$f" -C ${staging} --no-same-owner
if ! (cd ${staging} && sha256sum -c --quiet SHA256SUMS >&2); then echo 'unpacked files do not match SHA256SUMS' >&2; exit 66; fi
printf '%s\\n' ${bundle.id} > ${posix.join(staging, RELEASE_MARKER)}
rm -rf -- ${release}
mv -- ${staging} ${release}
rm -f -- "$f"
sync 2>/dev/null || :`,
    opts(options),
  );
  if (r.exitCode === 65) throw new BundleError('BUNDLE_HASH_MISMATCH', `the bundle arrived corrupted: ${r.stderr.trim()}`, { host: name });
  if (r.exitCode === 66) throw new BundleError('BUNDLE_INVALID', `the unpacked bundle does not match its checksums: ${r.stderr.trim().slice(0, 300)}`, { host: name });
  if (r.exitCode !== 0) fail(host, `unpacking the bundle in ${releasesDir}`, r);

  options.onStep?.('activate');
  await activateRelease(host, installDir, release, options);
  return { changed: true, action: 'installed', release, releaseDir, previous };
}
