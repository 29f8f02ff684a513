/** Errors of `scmctl completion`. */
import { CodedError } from '../../common/coded-error.js';

export type CompletionErrorCode =
  /** the shell named is not one completion scripts are made for (bash, zsh) */
  'COMPLETION_UNKNOWN_SHELL';

export class CompletionError extends CodedError<CompletionErrorCode> {}
