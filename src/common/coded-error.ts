/**
 * Base of every error scmctl and the embedded SCM raise on purpose.
 *
 * Contract: `code` is a stable SCREAMING_SNAKE identifier that tests, scripts and JSON output rely on;
 * `message` says what happened and what to do about it; `hint` (optional) is a one-line fix;
 * `cause` chains the lower-level error. Each area declares a closed union of its codes and a subclass:
 *
 *   export type TopologyErrorCode = 'TOPOLOGY_PARSE' | 'TOPOLOGY_SCHEMA';
 *   export class TopologyError extends CodedError<TopologyErrorCode> {}
 */
export class CodedError<C extends string = string> extends Error {
  readonly code: C;
  readonly hint: string | undefined;

  constructor(code: C, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
  }
}

/** True for any CodedError, optionally of one specific code. */
export function isCodedError(value: unknown, code?: string): value is CodedError {
  return value instanceof CodedError && (code === undefined || value.code === code);
}
