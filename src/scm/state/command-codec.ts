/**
 * Commands as log-entry bytes: versioned UTF-8 JSON `{"v":1,"c":<command>}`. Decoding validates the shape
 * enough that a corrupt or foreign entry fails with STATE_BAD_COMMAND instead of reaching the reducer.
 */
import { CodedError } from '../../common/coded-error.js';
import type { ScmCommand, ScmCommandType } from './commands.js';

export class CommandCodecError extends CodedError<'STATE_BAD_COMMAND'> {}

/** every command type, checked by the compiler against the ScmCommand union (a new type must be listed) */
const KNOWN: Readonly<Record<ScmCommandType, true>> = {
  allocateBatch: true, addContainer: true, addContainers: true, updateContainerState: true, updateContainerInfo: true, addPipeline: true,
  updatePipelineState: true, removePipeline: true, addTransactionsToDB: true, removeTransactionsFromDB: true, storeValidCertificate: true,
  revokeCertificate: true, addJoinToken: true, useJoinToken: true, revokeJoinToken: true, saveConfiguration: true, deleteConfiguration: true,
  finalizeLayoutFeature: true,
};
const TYPES = new Set<string>(Object.keys(KNOWN));

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

export function encodeCommand(c: ScmCommand): Uint8Array {
  return enc.encode(JSON.stringify({ v: 1, c }));
}

export function decodeCommand(bytes: Uint8Array): ScmCommand {
  let parsed: unknown;
  try {
    parsed = JSON.parse(dec.decode(bytes));
  } catch (err) {
    throw new CommandCodecError('STATE_BAD_COMMAND', `log entry is not a command: ${(err as Error).message}`, { cause: err });
  }
  const p = parsed as { v?: unknown; c?: { type?: unknown } } | null;
  if (p === null || typeof p !== 'object' || p.v !== 1 || typeof p.c !== 'object' || p.c === null || typeof p.c.type !== 'string' || !TYPES.has(p.c.type)) {
    throw new CommandCodecError('STATE_BAD_COMMAND', `log entry is not a version-1 SCM command`);
  }
  return p.c as ScmCommand;
}
