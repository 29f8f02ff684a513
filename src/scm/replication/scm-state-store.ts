/**
 * The SCM's replicated state and its database (ScmStateStore): applies committed commands to scm.db and the
 * in-memory state, in log order. The Raft driver reaches it through ScmStateMachine (scm-state-machine.ts:
 * `apply` for committed entries, `checkpoint` for snapshots, `installCheckpoint` to restore a newer
 * snapshot); StandaloneReplicator calls it directly.
 *
 * Contract:
 *  - `apply(entries)` takes entries in increasing index order; those at or below the last applied index
 *    are skipped (replay after restart is idempotent) and answered with `{ok: true, value: 'ALREADY_APPLIED'}`;
 *    standalone indexes are consecutive (SM_GAP otherwise); under Raft (`allowGaps`) log entries that are
 *    not commands (membership changes, a new leader's empty entry) leave gaps;
 *  - `markApplied(t)` records that everything up to `t` is applied when the entries after the last
 *    command were not commands (Ozone's notifyTermIndexUpdated), so a snapshot at a Raft index always
 *    matches `#TRANSACTIONINFO`; `flush()` makes every write so far durable (a snapshot's precondition
 *    for compacting the Raft log). Writes of apply/markApplied/flush are issued strictly in call order;
 *  - all effects of one call plus `#TRANSACTIONINFO = term#index` of its last entry are ONE atomic batch
 *    (fsync'd when `sync`: standalone has no other log; under Raft the log is the durable record);
 *  - memory is updated before the batch is written; if the write fails the store is failed
 *    (SM_FAILED on every later call) and the process must exit — memory and disk must never diverge;
 *  - a single caller at a time (the replicator serialises); reads of `view` are always safe.
 */
import { CodedError } from '../../common/coded-error.js';
import { checkpointStream, installCheckpoint, recoverInterruptedInstall, type CheckpointTrailer } from '../storage/checkpoint.js';
import { ScmDb, transactionInfoChange, type DbChange } from '../storage/scm-db.js';
import type { TransactionInfo } from '../storage/transaction-info.js';
import type { CommandResult, ScmCommand } from '../state/commands.js';
import { reduce } from '../state/reducer.js';
import { STATE_FAMILIES, ScmState, type StateView } from '../state/scm-state.js';

export type ScmStateStoreErrorCode = 'SM_FAILED' | 'SM_GAP';
export class ScmStateStoreError extends CodedError<ScmStateStoreErrorCode> {}

export interface CommittedCommand {
  readonly term: number;
  readonly index: number;
  /** null: the entry's bytes are not an SCM command; it consumes its index and is rejected (INVALID_COMMAND) */
  readonly command: ScmCommand | null;
}

export interface AppliedEvent {
  readonly last: TransactionInfo;
  readonly commands: readonly CommittedCommand[];
}

export class ScmStateStore {
  private state: ScmState;
  private applied: TransactionInfo | undefined;
  private failure: Error | undefined;
  /** every LevelDB write of this machine, chained so they land in call order */
  private writes: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<(e: AppliedEvent) => void>();

  private constructor(
    private db: ScmDb,
    state: ScmState,
    applied: TransactionInfo | undefined,
    private readonly clusterId: string,
  ) {
    this.state = state;
    this.applied = applied;
  }

  /** Opens an existing scm.db (never creates one) and loads the state. */
  static async open(dbPath: string, clusterId: string): Promise<ScmStateStore> {
    // An install interrupted by a crash (dbInconsistentMarker) is completed or rolled back — only once this
    // process holds scm.db's lock, or when scm.db is missing (crash between the two renames), so a running
    // SCM's own install is never disturbed by another `ozone` process.
    let db: ScmDb;
    try {
      db = await ScmDb.open(dbPath, { create: false });
    } catch (err) {
      if ((err as { code?: string }).code !== 'SCMDB_NOT_FOUND' || recoverInterruptedInstall(dbPath) !== 'rolled-forward') throw err;
      db = await ScmDb.open(dbPath, { create: false });
    }
    recoverInterruptedInstall(dbPath);
    try {
      const { state, applied } = await loadState(db);
      return new ScmStateStore(db, state, applied, clusterId);
    } catch (err) {
      await db.close();
      throw err;
    }
  }

  get view(): StateView {
    return this.state;
  }

  /** The full state object, for read-only listing (containers, pipelines). */
  get snapshotState(): ScmState {
    return this.state;
  }

  get database(): ScmDb {
    return this.db;
  }

  lastApplied(): TransactionInfo | undefined {
    return this.applied;
  }

  onApplied(listener: (e: AppliedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async apply(entries: readonly CommittedCommand[], options: { sync: boolean; allowGaps?: boolean }): Promise<CommandResult[]> {
    this.checkFailure();
    const results: CommandResult[] = [];
    const changes: DbChange[] = [];
    const applied: CommittedCommand[] = [];
    let last = this.applied;
    for (const e of entries) {
      if (last && e.index <= last.index) {
        results.push({ ok: true, value: 'ALREADY_APPLIED' });
        continue;
      }
      if (!options.allowGaps && last !== undefined && e.index !== last.index + 1) {
        throw new ScmStateStoreError('SM_GAP', `entry ${e.term}#${e.index} does not follow the last applied ${last.term}#${last.index}`);
      }
      const effect =
        e.command === null
          ? { changes: [], result: { ok: false, code: 'INVALID_COMMAND', message: `log entry ${e.term}#${e.index} is not an SCM command` } as const }
          : reduce(this.state, e.command, e);
      this.state.apply(effect.changes);
      changes.push(...effect.changes);
      results.push(effect.result);
      applied.push(e);
      last = { term: e.term, index: e.index };
    }
    if (applied.length === 0) return results;
    changes.push(transactionInfoChange(last!));
    this.applied = last;
    await this.write(changes, options.sync);
    const event: AppliedEvent = { last: last!, commands: applied };
    for (const l of this.listeners) l(event);
    return results;
  }

  /**
   * Records that every log entry up to `t` is applied although the last ones were not commands. No-op
   * when `t` is not beyond the last applied entry. Synchronous bookkeeping; the write is ordered after
   * every earlier write and before every later one.
   */
  markApplied(t: TransactionInfo): Promise<void> {
    this.checkFailure();
    if (this.applied && t.index <= this.applied.index) return this.writes;
    this.applied = t;
    return this.write([transactionInfoChange(t)], false);
  }

  /** Resolves once every write issued so far is durable (fsync'd). */
  flush(): Promise<void> {
    this.checkFailure();
    return this.write([], true);
  }

  private checkFailure(): void {
    if (this.failure) throw new ScmStateStoreError('SM_FAILED', `state machine failed earlier: ${this.failure.message}`, { cause: this.failure });
  }

  private write(changes: readonly DbChange[], sync: boolean): Promise<void> {
    const db = this.db;
    const next = this.writes.then(async () => {
      if (this.failure) throw this.failure;
      try {
        await db.write(changes, { sync });
      } catch (err) {
        this.failure = err as Error;
        throw new ScmStateStoreError('SM_FAILED', `writing applied entries to ${db.location} failed; the SCM must stop: ${(err as Error).message}`, { cause: err });
      }
    });
    this.writes = next.catch(() => {});
    return next;
  }

  /** A consistent checkpoint of scm.db (the snapshot the Raft layer ships to lagging peers). */
  checkpoint(): AsyncIterable<Uint8Array> {
    return checkpointStream(this.db, { clusterId: this.clusterId });
  }

  /**
   * Replaces scm.db with a newer checkpoint file and reloads the state (Ozone reinitialize). Refused when
   * not newer than what is applied. On failure after the swap started the store is failed.
   */
  async installCheckpoint(file: string, options: { signal?: AbortSignal } = {}): Promise<CheckpointTrailer> {
    this.checkFailure();
    await this.writes;
    const path = this.db.location;
    await this.db.close();
    try {
      const { trailer } = await installCheckpoint(path, file, { applied: this.applied, clusterId: this.clusterId }, options);
      return trailer;
    } finally {
      try {
        this.db = await ScmDb.open(path, { create: false });
        const { state, applied } = await loadState(this.db);
        this.state = state;
        this.applied = applied;
      } catch (err) {
        this.failure = err as Error;
      }
    }
  }

  async close(): Promise<void> {
    await this.writes;
    await this.db.close();
  }
}

export async function loadState(db: ScmDb): Promise<{ state: ScmState; applied: TransactionInfo | undefined }> {
  const rows: Array<{ cf: (typeof STATE_FAMILIES)[number]; key: string | number | bigint; value: unknown }> = [];
  for (const cf of STATE_FAMILIES) for await (const [key, value] of db.entries(cf)) rows.push({ cf, key, value });
  return { state: ScmState.load(rows), applied: await db.transactionInfo() };
}
