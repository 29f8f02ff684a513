/** Errors of starting/running the SCM server process. */
import { CodedError } from '../../common/coded-error.js';

export type ScmServerErrorCode = 'SCM_NOT_INITIALIZED' | 'SCM_HA_MODE_MISMATCH' | 'SCM_LAYOUT_TOO_NEW' | 'SCM_PORT_IN_USE' | 'SCM_START_FAILED';
export class ScmServerError extends CodedError<ScmServerErrorCode> {}
