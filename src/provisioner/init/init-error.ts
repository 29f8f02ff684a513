/**
 * Errors of `scmctl init` (the starter topology): an answer that cannot go into a topology, a file that is
 * already there, a combination that would not validate as written. Each message says what to add or change.
 */
import { CodedError } from '../../common/coded-error.js';

export type InitErrorCode =
  /** FILE exists and --force was not given (with --force it is moved aside, never deleted) */
  | 'INIT_FILE_EXISTS'
  /** FILE is a directory, or its directory does not exist, or writing or moving a file failed */
  | 'INIT_WRITE_FAILED'
  /** a value of --name, --hosts, --ssh-user, --data-dir, --java-home, a Kerberos flag… cannot go into a topology */
  | 'INIT_BAD_VALUE'
  /** --runtime apache-ozone without --ozone-tarball (a real release cannot be guessed) */
  | 'INIT_OZONE_TARBALL_REQUIRED'
  /** the --ozone-tarball file is missing, has no checksum beside it, or does not match it */
  | 'INIT_OZONE_TARBALL_INVALID'
  /** the version cannot be read from the tarball's name and --ozone-version is not given */
  | 'INIT_OZONE_VERSION_UNKNOWN'
  /** the starter scmctl wrote does not validate (a bug in init: nothing was written) */
  | 'INIT_STARTER_INVALID';

export class InitError extends CodedError<InitErrorCode> {}
