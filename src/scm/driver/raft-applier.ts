/**
 * RaftApplier: the port between the Raft driver and the replicated application it applies committed entries
 * to (hashicorp/raft's FSM contract; Ratis's StateMachine interface). Implemented by the SCM's ScmStateMachine
 * (replication/scm-state-machine.ts) and by KvStore (kv-store.ts, tests and benchmarks).
 *
 *  apply     called once per committed entry, in log order, never concurrently. It must be
 *            deterministic: every replica applies the same entries and must reach the same state. Domain
 *            failures are results (return them); a thrown error is treated as fatal: the node stops
 *            (RaftError STATE_MACHINE_FAILED) rather than let replicas diverge.
 *  snapshot  returns bytes describing the state after the last applied entry (`meta` says which). The
 *            bytes may be the whole state (the test KV machine) or a small descriptor the follower uses to
 *            fetch the state out of band (the SCM's checkpoint download): never assume they are the state.
 *  restore   replaces the state with the snapshot's. `from` is the leader that sent it ({id, address}),
 *            or null when restoring the local snapshot at start-up. It may return `{ appliedIndex }` when
 *            the state it obtained is newer than the snapshot (a checkpoint downloaded later than the
 *            descriptor was taken); entries up to that index are then not applied again.
 *  appliedIndex (optional) the index whose effects are already durable in the applier when the node
 *            starts; entries up to it are not applied again (membership changes in them still reach the
 *            core). Without it the machine is treated as volatile (0) and rebuilt from the last snapshot.
 *
 * Every method may be async; the driver awaits it before going on.
 */
import type { LogIndex, NodeId, Term } from '../raft/types.js';

export interface AppliedEntry {
  readonly index: LogIndex;
  readonly term: Term;
  readonly data: Uint8Array;
}

export interface SnapshotRef {
  readonly index: LogIndex;
  readonly term: Term;
}

export interface SnapshotImage extends SnapshotRef {
  readonly data: Uint8Array;
}

export interface SnapshotSource {
  readonly id: NodeId;
  readonly address: string;
}

export interface RestoreResult {
  readonly appliedIndex: LogIndex;
}

export interface RaftApplier<R = unknown> {
  apply(entry: AppliedEntry): R | Promise<R>;
  snapshot(meta: SnapshotRef): Uint8Array | Promise<Uint8Array>;
  restore(snapshot: SnapshotImage, options: { readonly from: SnapshotSource | null; readonly signal: AbortSignal }): void | RestoreResult | Promise<void | RestoreResult>;
  appliedIndex?(): LogIndex | Promise<LogIndex>;
}
