/**
 * Shared by validate/render/export: load a topology named on the command line (relative to the cwd,
 * `${ENV}` from the command's environment) and print its diagnostics as text.
 */
import { isAbsolute, resolve } from 'node:path';
import type { CommandContext, OutputStream } from '../command.js';
import { formatDiagnostics } from '../topology/diagnostic-text.js';
import { loadTopology, type LoadResult } from '../topology/load.js';

/** `connects`: the command will use the topology's SSH keys (validate checks for them too): they are checked */
export function loadFromArgs(file: string, ctx: CommandContext, options: { connects?: boolean } = {}): Promise<LoadResult> {
  const path = isAbsolute(file) ? file : resolve(ctx.cwd, file);
  return loadTopology(path, { env: ctx.env, displayName: file, ...(options.connects ? { identityFiles: { cwd: ctx.cwd } } : {}) });
}

export function printDiagnostics(out: OutputStream, result: LoadResult): void {
  if (result.diagnostics.length > 0) out.write(formatDiagnostics(result.diagnostics, result.text));
}
