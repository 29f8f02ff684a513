/** Errors of the SCM certificate authority. */
import { CodedError } from '../../common/coded-error.js';

export type CaErrorCode = 'CA_INVALID_CSR' | 'CA_NOT_INITIALIZED' | 'CA_EXISTS' | 'CA_IO' | 'CA_INVALID_CERT';
export class CaError extends CodedError<CaErrorCode> {}
