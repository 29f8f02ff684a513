/** A CommandContext capturing stdout/stderr, for running command specs in-process. */
import { Readable } from 'node:stream';
import type { CommandContext } from '../../../src/provisioner/command.js';

export interface CapturedContext extends CommandContext {
  out(): string;
  err(): string;
}

export function fakeContext(options: { cwd?: string; env?: Record<string, string> } = {}): CapturedContext {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    stdin: Readable.from([]),
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    signal: new AbortController().signal,
    out: () => out,
    err: () => err,
  };
}
