/**
 * Why the SSH connection keeper cannot be used. A run that meets one says it once and connects directly;
 * `scmctl connections` prints it.
 */
import { CodedError } from '../../../common/coded-error.js';

export type KeeperErrorCode =
  /** the keeper could not be started, did not answer, or broke its protocol */
  | 'SSH_KEEPER_UNAVAILABLE'
  /** the keeper's directory is not private to this user (owner, mode, symlink) */
  | 'SSH_KEEPER_UNSAFE';

const hints: Record<KeeperErrorCode, string> = {
  SSH_KEEPER_UNAVAILABLE: 'runs connect directly meanwhile; see ssh-keeper.log next to the socket, or unset SCMCTL_SSH_PERSIST',
  SSH_KEEPER_UNSAFE: 'the directory must be owned by you with mode 0700 (chmod 700 it, or set SCMCTL_STATE_DIR elsewhere)',
};

export class KeeperError extends CodedError<KeeperErrorCode> {
  constructor(code: KeeperErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { ...options, hint: hints[code] });
  }
}
