/**
 * `ozone freon randomkeys` (alias `rk`, §9): writes keys as far as the SCM is concerned — every key's
 * blocks are allocated through the leader's block protocol (following NotLeader hints), by
 * `--num-of-threads` concurrent workers; containers are created by the leader as needed. There is no OM
 * or datanode data path here, so volumes/buckets are counted, not created, and no bytes are written.
 * Prints Ozone's summary block plus throughput; `--json <dir>` also writes the figures to
 * `<dir>/<yyyyMMddHHmmss>.json` as Ozone does, and a bare `--json` prints them as JSON on stdout instead.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../common/clock.js';
import type { ReplicationFactor, ReplicationType } from '../state/records.js';
import type { BlockProtocol } from '../protocols/block-protocol.js';
import type { FailoverRpcClient } from '../transport/rpc-failover-client.js';
import { ToolError } from './tool-error.js';
import type { ToolIo } from './tool-io.js';

export interface FreonOptions {
  readonly numOfThreads: number;
  readonly numOfVolumes: number;
  readonly numOfBuckets: number;
  readonly numOfKeys: number;
  readonly keySize: number;
  readonly bufferSize: number;
  readonly replicationType: ReplicationType;
  readonly factor: ReplicationFactor;
  readonly validateWrites: boolean;
  /** undefined: text summary; '' : JSON on stdout; a directory: JSON file there as well */
  readonly json: string | undefined;
  readonly blockSize: number;
}

export interface FreonResult {
  readonly status: 'Success' | 'Failed';
  readonly numOfVolumes: number;
  readonly numOfBuckets: number;
  readonly numOfKeys: number;
  readonly keysAllocated: number;
  readonly failures: number;
  readonly blocks: number;
  readonly containers: number;
  readonly replicationType: ReplicationType;
  readonly factor: ReplicationFactor;
  readonly keySize: number;
  readonly elapsedMs: number;
  readonly keysPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly firstError?: string;
}

export function formatDuration(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const milli = Math.floor(ms % 1000);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(h)}:${two(m)}:${two(s)},${String(milli).padStart(3, '0')}`;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function runFreon(client: FailoverRpcClient<BlockProtocol>, options: FreonOptions, clock: Clock, io: ToolIo, run: { signal?: AbortSignal } = {}): Promise<FreonResult> {
  for (const [k, v] of Object.entries({ numOfThreads: options.numOfThreads, numOfVolumes: options.numOfVolumes, numOfBuckets: options.numOfBuckets, numOfKeys: options.numOfKeys })) {
    if (!Number.isSafeInteger(v) || v < 1) throw new ToolError('FREON_BAD_OPTION', `${k} must be a positive integer, got ${v}`);
  }
  if (options.keySize < 0) throw new ToolError('FREON_BAD_OPTION', 'keySize must not be negative');
  if (options.json) assertJsonDir(options.json);
  const total = options.numOfVolumes * options.numOfBuckets * options.numOfKeys;
  const blocksPerKey = Math.max(1, Math.ceil(options.keySize / options.blockSize));
  const containers = new Set<number>();
  const latencies: number[] = [];
  let next = 0;
  let done = 0;
  let failures = 0;
  let blocks = 0;
  let firstError: string | undefined;
  const start = clock.now();
  const worker = async (): Promise<void> => {
    while (next < total && failures === 0) {
      next++;
      const t0 = clock.now();
      try {
        let remaining = options.keySize;
        for (let b = 0; b < blocksPerKey; b++) {
          const size = Math.max(1, Math.min(options.blockSize, remaining));
          remaining -= size;
          const [block] = await client.call(
            'allocateBlock',
            { size, num: 1, replication: { replicationType: options.replicationType, replicationFactor: options.factor }, owner: 'freon' },
            run.signal ? { signal: run.signal } : {},
          );
          containers.add(block!.containerBlockID.containerID);
          blocks++;
        }
        done++;
        latencies.push(clock.now() - t0);
      } catch (err) {
        failures++;
        firstError ??= `${(err as { code?: string }).code ?? 'ERROR'}: ${(err as Error).message}`;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.numOfThreads, total) }, worker));
  const elapsedMs = clock.now() - start;
  latencies.sort((a, b) => a - b);
  const result: FreonResult = {
    status: failures === 0 ? 'Success' : 'Failed',
    numOfVolumes: options.numOfVolumes,
    numOfBuckets: options.numOfBuckets,
    numOfKeys: total,
    keysAllocated: done,
    failures,
    blocks,
    containers: containers.size,
    replicationType: options.replicationType,
    factor: options.factor,
    keySize: options.keySize,
    elapsedMs: Math.round(elapsedMs),
    keysPerSecond: elapsedMs > 0 ? Math.round((done / elapsedMs) * 1000 * 10) / 10 : done,
    latencyMs: { p50: Math.round(percentile(latencies, 50) * 100) / 100, p99: Math.round(percentile(latencies, 99) * 100) / 100, max: Math.round((latencies[latencies.length - 1] ?? 0) * 100) / 100 },
    ...(firstError === undefined ? {} : { firstError }),
  };
  if (options.json === '') {
    io.out(JSON.stringify(result, null, 2));
  } else {
    // RandomKeyGenerator: `--json <dir>` writes the job's figures to <dir>/<yyyyMMddHHmmss>.json; the summary
    // still goes to stdout
    if (options.json !== undefined) io.out(`JSON written to ${writeJsonReport(options.json, result, clock.wallTime())}`);
    io.out(renderSummary(result));
  }
  return result;
}

/** `--json <dir>` must name an existing directory: checked before any allocation, and again when writing */
export function assertJsonDir(dir: string): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ToolError('FREON_BAD_OPTION', `--json ${dir}: not a directory`, { hint: 'give an existing directory; freon writes <yyyyMMddHHmmss>.json into it' });
}

/** writes `<dir>/<yyyyMMddHHmmss>.json` (UTC) and returns its path; the directory must exist, as in Ozone */
export function writeJsonReport(dir: string, result: FreonResult, at: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const name = `${at.getUTCFullYear()}${p(at.getUTCMonth() + 1)}${p(at.getUTCDate())}${p(at.getUTCHours())}${p(at.getUTCMinutes())}${p(at.getUTCSeconds())}.json`;
  assertJsonDir(dir);
  const path = join(dir, name);
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}

export function renderSummary(r: FreonResult): string {
  return [
    '',
    '***************************************************',
    `Status: ${r.status}`,
    `Number of Volumes created: ${r.numOfVolumes}`,
    `Number of Buckets created: ${r.numOfVolumes * r.numOfBuckets}`,
    `Number of Keys added: ${r.keysAllocated}`,
    `Replication factor: ${r.factor}`,
    `Replication type: ${r.replicationType}`,
    `Blocks allocated: ${r.blocks} in ${r.containers} containers`,
    `Key allocation latency (ms): p50 ${r.latencyMs.p50}, p99 ${r.latencyMs.p99}, max ${r.latencyMs.max}`,
    `Total bytes allocated: ${r.keysAllocated * r.keySize}`,
    `Total Execution time: ${formatDuration(r.elapsedMs)}`,
    `Throughput: ${r.keysPerSecond} keys/s`,
    ...(r.firstError === undefined ? [] : [`First error: ${r.firstError}`]),
    '***************************************************',
  ].join('\n');
}
