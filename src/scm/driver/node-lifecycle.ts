/**
 * Whether a RaftNode still runs, as its parts (raft-node.ts, ready-loop.ts, apply-pipeline.ts) see it:
 * `closed` once close() began, `fatal` once a storage, state-machine or core failure stopped it. One
 * plain object shared by reference (reading it is a field load on the hot path); only raft-node.ts
 * writes it. `asFatal` names what a failure becomes when it stops the node.
 */
import { RaftError } from '../raft/raft-error.js';

export interface NodeLifecycle {
  closed: boolean;
  fatal: Error | null;
}

/** A coded error (storage, Raft) stops the node as it is; anything else is the applier's failure. */
export function asFatal(err: unknown): Error {
  if (err instanceof RaftError || typeof (err as { code?: unknown })?.code === 'string') return err as Error;
  return new RaftError('STATE_MACHINE_FAILED', `state machine failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}
