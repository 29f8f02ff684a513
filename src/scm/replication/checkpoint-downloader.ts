/**
 * The follower side of snapshot catch-up (§10), ready for the Raft layer's "install snapshot from leader":
 * download the leader's checkpoint over its inter-SCM port (9895) into
 * `<snapshot dir>/scm.db-<leaderNodeId>-<millis>.ckpt` (verified while written, atomically renamed), then
 * let the ScmStateStore install it only if its term#index is newer than what is applied.
 */
import { createWriteStream, mkdirSync, renameSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Clock } from '../../common/clock.js';
import { readCheckpoint, type CheckpointTrailer } from '../storage/checkpoint.js';
import { RpcClient } from '../transport/rpc-client.js';
import type { ClientTls } from '../transport/tls-options.js';
import type { InterScmProtocol } from '../protocols/inter-scm-protocol.js';
import type { ScmStateStore } from './scm-state-store.js';

export interface LeaderEndpoint {
  readonly nodeId: string;
  readonly host: string;
  /** the leader's inter-SCM (grpc) port */
  readonly grpcPort: number;
}

/** Downloads and verifies a checkpoint; returns the file and its trailer. Partial files are removed. */
export async function downloadCheckpoint(
  leader: LeaderEndpoint,
  clusterId: string,
  snapshotDir: string,
  options: { clock: Clock; tls?: ClientTls; timeoutMs?: number; signal?: AbortSignal },
): Promise<{ file: string; trailer: CheckpointTrailer }> {
  mkdirSync(snapshotDir, { recursive: true });
  const file = join(snapshotDir, `scm.db-${leader.nodeId}-${Math.round(options.clock.wallTime().getTime())}.ckpt`);
  const partial = `${file}.partial`;
  const client = new RpcClient<InterScmProtocol>(leader.host, leader.grpcPort, { timeoutMs: options.timeoutMs ?? 30 * 60_000, ...(options.tls ? { tls: options.tls } : {}) });
  const out = createWriteStream(partial);
  try {
    const source = client.stream('downloadCheckpoint', { clusterId }, options.signal ? { signal: options.signal } : {});
    async function* tee(): AsyncIterable<Uint8Array> {
      for await (const chunk of source) {
        if (!out.write(chunk)) await once(out, 'drain');
        yield chunk;
      }
    }
    const trailer = await readCheckpoint(tee(), async () => {}, options.signal ? { signal: options.signal } : {});
    out.end();
    await once(out, 'finish');
    renameSync(partial, file);
    return { file, trailer };
  } catch (err) {
    out.destroy();
    rmSync(partial, { force: true });
    throw err;
  } finally {
    await client.close();
  }
}

/** Download from the leader and install into the state store if newer (CHECKPOINT_NOT_NEWER otherwise). */
export async function catchUpFromLeader(
  sm: ScmStateStore,
  leader: LeaderEndpoint,
  clusterId: string,
  snapshotDir: string,
  options: { clock: Clock; tls?: ClientTls; signal?: AbortSignal },
): Promise<CheckpointTrailer> {
  const { file } = await downloadCheckpoint(leader, clusterId, snapshotDir, options);
  return sm.installCheckpoint(file, options.signal ? { signal: options.signal } : {});
}
