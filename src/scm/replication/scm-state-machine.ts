/**
 * The SCM state machine (Ozone's SCMStateMachine): the one RaftApplier the Raft driver applies committed
 * entries to, over the ScmStateStore (scm.db + in-memory state) (docs/raft.md §2.3, §10 of the Ozone notes).
 * It is the only thing called "state machine" on the request path (docs/design.md §7.3).
 *
 *  apply     decode the entry's command → reducer → one LevelDB batch with `#TRANSACTIONINFO = term#index`
 *            (not fsync'd: the Raft log is the durable record, and a snapshot flushes first). Domain
 *            failures are CommandResults; bytes that are not a command are rejected as a result
 *            (INVALID_COMMAND) too, deterministically on every replica. Only a storage failure throws
 *            (the driver then stops the node: memory and disk must never diverge).
 *  snapshot  marks the snapshot index applied (entries after the last command may be membership changes
 *            or a leader's empty entry), fsyncs scm.db, and returns a descriptor {index, term, clusterId}.
 *  restore   `from` = the leader that sent the snapshot: download its consistent scm.db checkpoint over its
 *            inter-SCM port (9895) into the snapshot dir and install it (old db kept as a backup, guarded
 *            by dbInconsistentMarker) if it covers the descriptor; returns the checkpoint's index, which
 *            may be newer than the descriptor. `from` = null (start-up, local state behind the local
 *            snapshot): any other configured SCM's checkpoint that covers it. A store already at
 *            or past the descriptor downloads nothing. Throwing makes the driver retry with backoff.
 *  appliedIndex  `#TRANSACTIONINFO` of scm.db: entries up to it are not applied again after a restart.
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { AppliedEntry, SnapshotImage, SnapshotRef, SnapshotSource, RaftApplier } from '../driver/raft-applier.js';
import { decodeCommand } from '../state/command-codec.js';
import type { CommandResult, ScmCommand } from '../state/commands.js';
import type { ClientTls } from '../transport/tls-options.js';
import { downloadCheckpoint, type LeaderEndpoint } from './checkpoint-downloader.js';
import { ReplicationError } from './replication-error.js';
import type { ScmStateStore } from './scm-state-store.js';
import { decodeSnapshotDescriptor, encodeSnapshotDescriptor } from './snapshot-descriptor.js';

export interface ScmStateMachineOptions {
  readonly clusterId: string;
  readonly snapshotDir: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** the SCMs to fetch a checkpoint from: the sender of a snapshot, or (null) every other configured SCM */
  readonly checkpointSources: (from: SnapshotSource | null) => readonly LeaderEndpoint[];
  readonly tls?: ClientTls;
  /** downloaded checkpoint files kept in the snapshot dir (newest first); default 2 */
  readonly keepCheckpoints?: number;
}

export interface CheckpointInstall {
  readonly from: string;
  readonly file: string;
  readonly index: number;
  readonly term: number;
  readonly descriptorIndex: number;
}

export class ScmStateMachine implements RaftApplier<CommandResult> {
  private installs: CheckpointInstall[] = [];

  constructor(
    private readonly sm: ScmStateStore,
    private readonly o: ScmStateMachineOptions,
  ) {}

  /** Checkpoints installed since start (newest last). */
  get checkpointInstalls(): readonly CheckpointInstall[] {
    return this.installs;
  }

  async apply(entry: AppliedEntry): Promise<CommandResult> {
    let command: ScmCommand | null;
    try {
      command = decodeCommand(entry.data);
    } catch (err) {
      this.o.logger.error('log entry is not an SCM command; rejecting it', { index: entry.index, term: entry.term, error: (err as Error).message });
      command = null;
    }
    const [result] = await this.sm.apply([{ term: entry.term, index: entry.index, command }], { sync: false, allowGaps: true });
    return result!;
  }

  async snapshot(meta: SnapshotRef): Promise<Uint8Array> {
    const marked = this.sm.markApplied({ term: meta.term, index: meta.index }); // synchronous bookkeeping, before any later apply
    await marked;
    await this.sm.flush();
    return encodeSnapshotDescriptor({ index: meta.index, term: meta.term, clusterId: this.o.clusterId });
  }

  appliedIndex(): number {
    return this.sm.lastApplied()?.index ?? 0;
  }

  async restore(snapshot: SnapshotImage, options: { readonly from: SnapshotSource | null; readonly signal: AbortSignal }): Promise<{ appliedIndex: number }> {
    const d = decodeSnapshotDescriptor(snapshot.data);
    if (d.clusterId !== this.o.clusterId) {
      throw new ReplicationError('REPLICATION_FAILED', `the snapshot belongs to cluster ${d.clusterId}, this SCM to ${this.o.clusterId}`);
    }
    const applied = this.sm.lastApplied()?.index ?? 0;
    if (applied >= snapshot.index) return { appliedIndex: applied };
    const sources = this.o.checkpointSources(options.from);
    if (sources.length === 0) {
      throw new ReplicationError('REPLICATION_SNAPSHOT_UNAVAILABLE', `scm.db is at index ${applied}, behind the Raft snapshot at ${snapshot.term}#${snapshot.index}, and no SCM is known to fetch a checkpoint from`, {
        hint: 'start the other SCMs of the ring; this SCM installs the leader\'s checkpoint once one answers',
      });
    }
    let lastError: unknown;
    for (const source of sources) {
      options.signal.throwIfAborted();
      try {
        return { appliedIndex: await this.installFrom(source, snapshot, options.signal) };
      } catch (err) {
        lastError = err;
        this.o.logger.warn('could not install a checkpoint', { from: `${source.nodeId}(${source.host}:${source.grpcPort})`, snapshot: `${snapshot.term}#${snapshot.index}`, error: (err as Error).message });
      }
    }
    throw lastError;
  }

  private async installFrom(source: LeaderEndpoint, snapshot: SnapshotImage, signal: AbortSignal): Promise<number> {
    this.o.logger.info('downloading scm.db checkpoint', { from: `${source.nodeId}(${source.host}:${source.grpcPort})`, snapshot: `${snapshot.term}#${snapshot.index}` });
    const { file, trailer } = await downloadCheckpoint(source, this.o.clusterId, this.o.snapshotDir, { clock: this.o.clock, signal, ...(this.o.tls ? { tls: this.o.tls } : {}) });
    const t = trailer.transactionInfo;
    if (t === null || t.index < snapshot.index) {
      rmSync(file, { force: true });
      throw new ReplicationError('REPLICATION_SNAPSHOT_UNAVAILABLE', `the checkpoint of ${source.nodeId} is at ${t ? `${t.term}#${t.index}` : 'no index'}, behind the snapshot ${snapshot.term}#${snapshot.index}`);
    }
    await this.sm.installCheckpoint(file, { signal });
    const install: CheckpointInstall = { from: source.nodeId, file, index: t.index, term: t.term, descriptorIndex: snapshot.index };
    this.installs = [...this.installs, install];
    this.o.logger.info('installed scm.db checkpoint', { from: source.nodeId, checkpoint: `${t.term}#${t.index}`, snapshot: `${snapshot.term}#${snapshot.index}`, file });
    this.prune();
    return t.index;
  }

  /** Keeps the newest downloaded checkpoints (Ozone keeps its tarballs; we bound the disk use). */
  private prune(): void {
    const keep = this.o.keepCheckpoints ?? 2;
    let files: Array<{ path: string; mtime: number }>;
    try {
      files = readdirSync(this.o.snapshotDir)
        .filter((f) => /^scm\.db-.+-\d+\.ckpt$/.test(f))
        .map((f) => ({ path: join(this.o.snapshotDir, f), mtime: statSync(join(this.o.snapshotDir, f)).mtimeMs }))
        .sort((a, b) => b.mtime - a.mtime);
    } catch {
      return;
    }
    for (const f of files.slice(keep)) rmSync(f.path, { force: true });
  }
}
