/**
 * A backup of one SCM service as `scmctl backup` writes it: `<name>.tar.gz` (a consistent scm.db checkpoint
 * and the VERSION of the SCM it came from) and `<name>.json`, this manifest: the cluster and service, the
 * clusterID, the Raft term#index the checkpoint holds, its container ids, and the archive's size and
 * sha256. `readBackup` refuses a manifest of another format, an archive that is missing or whose checksum
 * differs (BACKUP_*), so a restore never starts from a damaged copy.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CodedError } from '../../common/coded-error.js';

export const BACKUP_FORMAT = 'scmctl-backup/v1';

export type BackupErrorCode = 'BACKUP_FAILED' | 'BACKUP_INVALID' | 'BACKUP_CHECKSUM' | 'BACKUP_NO_SOURCE';
export class BackupError extends CodedError<BackupErrorCode> {}

export interface BackupManifest {
  readonly format: typeof BACKUP_FORMAT;
  readonly cluster: string;
  readonly serviceId: string;
  readonly clusterId: string;
  /** the SCM the checkpoint was taken from */
  readonly source: { readonly node: string; readonly host: string; readonly scmUuid: string | null; readonly role: string };
  /** the last applied Raft entry the checkpoint holds */
  readonly raft: { readonly term: number; readonly index: number };
  readonly containerIds: readonly string[];
  /** ISO time */
  readonly createdAt: string;
  readonly archive: { readonly file: string; readonly bytes: number; readonly sha256: string };
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The manifest at `path` with its archive checked (present, same size and sha256); returns the archive's path too. */
export function readBackup(path: string): { manifest: BackupManifest; archivePath: string } {
  let m: BackupManifest;
  try {
    m = JSON.parse(readFileSync(path, 'utf8')) as BackupManifest;
  } catch (err) {
    throw new BackupError('BACKUP_INVALID', `${path} is not a backup manifest: ${(err as Error).message}`, { hint: 'pass the .json file scmctl backup wrote' });
  }
  if (m?.format !== BACKUP_FORMAT || typeof m.clusterId !== 'string' || !/^CID-/.test(m.clusterId) || typeof m.archive?.file !== 'string' || !Array.isArray(m.containerIds)) {
    throw new BackupError('BACKUP_INVALID', `${path} is not a ${BACKUP_FORMAT} manifest`, { hint: 'pass the .json file scmctl backup wrote' });
  }
  const archivePath = join(dirname(path), basename(m.archive.file));
  if (!existsSync(archivePath)) throw new BackupError('BACKUP_INVALID', `the archive ${archivePath} of ${path} is missing`, { hint: 'keep the .tar.gz beside its .json' });
  const bytes = statSync(archivePath).size;
  const sum = sha256File(archivePath);
  if (bytes !== m.archive.bytes || sum !== m.archive.sha256) {
    throw new BackupError('BACKUP_CHECKSUM', `${archivePath} is damaged: ${bytes} bytes with sha256 ${sum}, the manifest says ${m.archive.bytes} bytes with ${m.archive.sha256}`, {
      hint: 'copy the backup again from where it was stored',
    });
  }
  return { manifest: m, archivePath };
}
