/**
 * What an Apache Ozone release's version tells, pure: its version from the tarball's name, the key set it
 * reads, and the HDDS layout version its SCM writes. Sources (apache/ozone):
 *  - `ozone.scm.ratis.enable` exists in 1.x (ScmConfigKeys at 1.2–1.4; default false in 1.2, true for new
 *    clusters from 1.3) and was removed in 2.0: a 2.x SCM ignores it and always forms a Raft ring;
 *  - HDDSLayoutFeature: the newest layout is 7 in 1.4, 8 in 2.0, 9 in 2.1, 10 in 2.2.
 */
export interface ReleaseVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

export function parseReleaseVersion(v: string): ReleaseVersion | null {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(v);
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) } : null;
}

/** `ozone-2.2.0.tar.gz` → `2.2.0`; `ozone-1.4.1-bin.tar.gz` → `1.4.1`; a source tarball or another name → null */
export function versionFromTarballName(path: string): string | null {
  const base = path.split('/').pop() ?? '';
  const m = /^ozone-(\d+\.\d+\.\d+(?:[.-](?!src\b|bin\b)[0-9A-Za-z]+)*)(?:-bin)?\.(?:tar\.gz|tgz)$/.exec(base);
  return m ? m[1]! : null;
}

/** whether the release reads `ozone.scm.ratis.enable` (1.x only) */
export function hasRatisEnableKey(version: string): boolean {
  const v = parseReleaseVersion(version);
  return v !== null && v.major < 2;
}

const LAYOUT_BY_MINOR: Readonly<Record<string, number>> = { '1.4': 7, '2.0': 8, '2.1': 9, '2.2': 10 };

/** the newest HDDS layout version the release's SCM writes, when known */
export function layoutVersionOf(version: string): number | null {
  const v = parseReleaseVersion(version);
  if (!v) return null;
  return LAYOUT_BY_MINOR[`${v.major}.${v.minor}`] ?? null;
}
