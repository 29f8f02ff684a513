/**
 * Errors of the secure mode: join tokens, certificate requests, caller authentication and authorization.
 * Each refusal names what was wrong and what to do; none carries a token secret.
 */
import { CodedError } from '../../common/coded-error.js';

export type SecurityErrorCode =
  /** the token is malformed, unknown, or its secret does not match (indistinguishable on purpose) */
  | 'TOKEN_INVALID'
  | 'TOKEN_EXPIRED'
  /** a single-use (or use-limited) token was used up */
  | 'TOKEN_EXHAUSTED'
  | 'TOKEN_REVOKED'
  /** the token does not allow this kind of certificate or this subject */
  | 'TOKEN_SCOPE'
  /** the request's subject is not the one the token allows (or its OU names an SCM that already exists) */
  | 'CSR_SUBJECT_MISMATCH'
  /** the caller's certificate does not allow this method */
  | 'ACCESS_DENIED'
  /** a certificate of this cluster was revoked (decommissioned SCM, revoked identity) */
  | 'CERT_REVOKED'
  /** the root CA the SCM presented does not match the pinned `sha256:` hash */
  | 'CA_PIN_MISMATCH'
  /** a `--ca-cert-hash` that is not `sha256:<64 hex digits>` */
  | 'CA_PIN_INVALID'
  /** a token or key file that is missing, not a private regular file of the caller (or root), or oversized */
  | 'SECRET_FILE'
  /** a secure command found no client identity (key and certificate) to authenticate with */
  | 'NO_CLIENT_IDENTITY';

export class SecurityError extends CodedError<SecurityErrorCode> {}
