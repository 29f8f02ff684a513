/**
 * Safe mode refusals. SAFE_MODE_EXCEPTION is Ozone's SCMException result code for an operation refused
 * while the SCM is in safe mode ("SafeModePrecheck failed for allocateBlock"); clients see it as the remote
 * code of an RPC_REMOTE error. SAFE_MODE_WAIT_TIMEOUT is `ozone admin safemode wait` giving up.
 */
import { CodedError } from '../../common/coded-error.js';

export type SafeModeErrorCode = 'SAFE_MODE_EXCEPTION' | 'SAFE_MODE_WAIT_TIMEOUT' | 'SAFE_MODE_UNKNOWN_SCM';

export class SafeModeError extends CodedError<SafeModeErrorCode> {}
