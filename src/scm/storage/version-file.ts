/**
 * `<db dir>/scm/current/VERSION` (docs/ozone-scm-ha.md §3): the identity of this SCM — nodeType, clusterID,
 * cTime, layoutVersion, scmUuid, and once part of a Raft ring scmHA/primaryScmNodeId (scmCertSerialId on
 * secure clusters). Written atomically: temp file, fsync, rename, fsync of the directory; a crash leaves
 * either the old or the new file, never a torn one.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CodedError } from '../../common/coded-error.js';
import { loadProperties, storeProperties } from './java-properties.js';

export type VersionErrorCode = 'VERSION_INVALID' | 'VERSION_IO' | 'VERSION_INCONSISTENT' | 'VERSION_CLUSTER_ID';
export class VersionError extends CodedError<VersionErrorCode> {}

/** Highest HDDS layout version of the release we mimic (2.2/master = 10, HDDSLayoutFeature). */
export const SOFTWARE_LAYOUT_VERSION = 10;
export const CLUSTER_ID_PREFIX = 'CID-';

export interface ScmVersion {
  readonly nodeType: 'SCM';
  readonly clusterId: string;
  readonly cTime: number;
  readonly layoutVersion: number;
  readonly scmUuid: string;
  /** true once the SCM is (or is being made) a member of a Raft ring; absent for a standalone SCM */
  readonly scmHA?: boolean;
  readonly primaryScmNodeId?: string;
  readonly scmCertSerialId?: string;
}

export type StorageState = 'NON_EXISTENT' | 'NOT_INITIALIZED' | 'INITIALIZED';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(s: string): boolean {
  return UUID_RE.test(s);
}

/** `--clusterid` takes a bare UUID (Ozone runs `UUID.fromString` on it): `CID-` is added here. */
export function clusterIdFromUuid(uuid: string): string {
  if (!isUuid(uuid)) {
    throw new VersionError('VERSION_CLUSTER_ID', `Invalid cluster id ${uuid}: --clusterid takes a UUID such as ${randomUUID()}`, {
      hint: 'pass the UUID without the CID- prefix, or omit --clusterid to generate one',
    });
  }
  return CLUSTER_ID_PREFIX + uuid.toLowerCase();
}

export function newClusterId(): string {
  return CLUSTER_ID_PREFIX + randomUUID();
}

/** Entries in the order Ozone sets them (StorageInfo, then SCMStorageConfig). */
export function versionEntries(v: ScmVersion): Array<[string, string]> {
  const e: Array<[string, string]> = [
    ['nodeType', v.nodeType],
    ['clusterID', v.clusterId],
    ['cTime', String(v.cTime)],
    ['layoutVersion', String(v.layoutVersion)],
    ['scmUuid', v.scmUuid],
  ];
  if (v.scmHA !== undefined) e.push(['scmHA', String(v.scmHA)]);
  if (v.primaryScmNodeId !== undefined) e.push(['primaryScmNodeId', v.primaryScmNodeId]);
  if (v.scmCertSerialId !== undefined) e.push(['scmCertSerialId', v.scmCertSerialId]);
  return e;
}

export function renderVersion(v: ScmVersion, now: Date): string {
  return storeProperties(versionEntries(v), now);
}

export function parseVersion(text: string, source: string): ScmVersion {
  const p = loadProperties(text);
  const bad = (what: string): never => {
    throw new VersionError('VERSION_INVALID', `${source}: ${what}`, { hint: 'restore VERSION from a backup; never edit clusterID or scmUuid by hand' });
  };
  if (p.get('nodeType') !== 'SCM') bad(`nodeType is ${JSON.stringify(p.get('nodeType'))}, expected SCM`);
  const clusterId = p.get('clusterID') ?? bad('clusterID is missing');
  if (!clusterId.startsWith(CLUSTER_ID_PREFIX)) bad(`clusterID ${clusterId} does not start with ${CLUSTER_ID_PREFIX}`);
  const scmUuid = p.get('scmUuid') ?? bad('scmUuid is missing');
  const cTime = Number(p.get('cTime') ?? bad('cTime is missing'));
  const layoutVersion = Number(p.get('layoutVersion') ?? bad('layoutVersion is missing'));
  if (!Number.isSafeInteger(cTime) || !Number.isSafeInteger(layoutVersion)) bad('cTime and layoutVersion must be integers');
  const ha = p.get('scmHA');
  const primary = p.get('primaryScmNodeId');
  const serial = p.get('scmCertSerialId');
  return {
    nodeType: 'SCM',
    clusterId,
    cTime,
    layoutVersion,
    scmUuid,
    ...(ha === undefined ? {} : { scmHA: ha === 'true' }),
    ...(primary === undefined ? {} : { primaryScmNodeId: primary }),
    ...(serial === undefined ? {} : { scmCertSerialId: serial }),
  };
}

/** Storage state of the SCM storage dir (ST): NON_EXISTENT, NOT_INITIALIZED (no VERSION) or INITIALIZED. */
export function storageState(versionFile: string): StorageState {
  const current = dirname(versionFile);
  let names: string[];
  try {
    names = readdirSync(current);
  } catch {
    return 'NON_EXISTENT';
  }
  if (names.includes('VERSION')) return 'INITIALIZED';
  if (names.some((n) => !n.startsWith('.VERSION.tmp'))) {
    throw new VersionError('VERSION_INCONSISTENT', `${current} has files (${names.join(', ')}) but no VERSION`, {
      hint: 'this directory is not an SCM storage directory or was damaged; inspect and empty it before --init',
    });
  }
  return 'NOT_INITIALIZED';
}

export function readVersionFile(path: string): ScmVersion | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new VersionError('VERSION_IO', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  return parseVersion(text, path);
}

/** Atomic, durable write of `text` to `path` (temp + fsync + rename + directory fsync). */
export function writeFileAtomic(path: string, text: string | Uint8Array, mode = 0o644): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${path.slice(dir.length + 1)}.tmp-${process.pid}-${Date.now()}`);
  try {
    const fd = openSync(tmp, 'wx', mode);
    try {
      const buf = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
      let off = 0;
      while (off < buf.byteLength) off += writeSync(fd, buf, off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new VersionError('VERSION_IO', `cannot write ${path}: ${(err as Error).message}`, { cause: err });
  }
}

export function writeVersionFile(path: string, v: ScmVersion, now: Date = new Date()): void {
  writeFileAtomic(path, renderVersion(v, now));
}
