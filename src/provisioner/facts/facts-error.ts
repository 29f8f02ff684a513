/**
 * Errors of fact gathering. Transport failures stay HostErrors (SSH_*, SUDO_FAILED, …); these codes are for
 * a bad probe spec and for a host that answers a probe in a way no supported system does.
 */
import { CodedError } from '../../common/coded-error.js';

export type FactsErrorCode =
  /** the probe spec is unusable (relative path, bad port); a bug in the caller */
  | 'FACTS_INVALID_SPEC'
  /** a probe every supported host answers (uname, id) failed or printed something unexpected */
  | 'FACTS_PROBE_FAILED';

export class FactsError extends CodedError<FactsErrorCode> {
  readonly host: string;
  constructor(code: FactsErrorCode, host: string, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(code, `host ${host}: ${message}`, options);
    this.host = host;
  }
}
