/**
 * KvStore: a small key-value RaftApplier for tests, the real-process test and benchmarks. Its snapshot is the
 * whole map (unlike the SCM's descriptor snapshots), so followers restore from the bytes alone.
 *
 * Commands (binary): u8 op (1 = put, 2 = delete) | key | value (put only). `apply` returns
 * `{ index, previous }` (previous value bytes or null). Values are never mutated after being stored, which
 * lets `snapshot` copy only the entry list. Volatile: it keeps no `appliedIndex`, so the driver
 * rebuilds it from the latest snapshot and the log at start-up.
 */
import { ByteReader, ByteWriter } from '../raft/byte-codec.js';
import type { AppliedEntry, SnapshotImage, RaftApplier } from './raft-applier.js';

export type KvCommand = { readonly op: 'put'; readonly key: string; readonly value: Uint8Array } | { readonly op: 'delete'; readonly key: string };

export interface KvResult {
  readonly index: number;
  readonly previous: Uint8Array | null;
}

export function encodeKvCommand(c: KvCommand): Uint8Array {
  const w = new ByteWriter(c.key.length + (c.op === 'put' ? c.value.length : 0) + 16).u8(c.op === 'put' ? 1 : 2).str(c.key);
  if (c.op === 'put') w.bytes(c.value);
  return w.finish();
}

export function decodeKvCommand(data: Uint8Array): KvCommand {
  const r = new ByteReader(data);
  const op = r.u8();
  const key = r.str();
  if (op === 1) return { op: 'put', key, value: new Uint8Array(r.bytes()) };
  if (op === 2) return { op: 'delete', key };
  throw new Error(`unknown KV op ${op}`);
}

export class KvStore implements RaftApplier<KvResult> {
  private readonly map = new Map<string, Uint8Array>();
  /** Index of the last applied command (0 before any). */
  lastApplied = 0;
  /** Number of commands applied since construction (restores excluded). */
  appliedCount = 0;

  get(key: string): Uint8Array | undefined {
    return this.map.get(key);
  }

  size(): number {
    return this.map.size;
  }

  keys(): string[] {
    return [...this.map.keys()];
  }

  apply(entry: AppliedEntry): KvResult {
    const c = decodeKvCommand(entry.data);
    const previous = this.map.get(c.key) ?? null;
    if (c.op === 'put') this.map.set(c.key, c.value);
    else this.map.delete(c.key);
    this.lastApplied = entry.index;
    this.appliedCount++;
    return { index: entry.index, previous };
  }

  /**
   * Captures the map at the current applied point (its keys and its values as two flat arrays: values are
   * immutable, and a map iterates keys and values in the same order), then encodes it in slices of 1,024
   * entries that yield to the event loop. For 100,000 entries of 256 bytes the longest block is ~8 ms (the
   * capture and the 28 MB buffer); each slice takes 1–2 ms (BENCHMARKS.md, bench:raft).
   */
  async snapshot(): Promise<Uint8Array> {
    const keys = Array.from(this.map.keys());
    const values = Array.from(this.map.values());
    let size = 8;
    for (let i = 0; i < keys.length; i++) size += keys[i]!.length * 3 + values[i]!.length + 8;
    const w = new ByteWriter(size).u32(keys.length);
    for (let i = 0; i < keys.length; i++) {
      w.str(keys[i]!).bytes(values[i]!);
      if (i % 1024 === 1023) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return w.finish();
  }

  restore(snapshot: SnapshotImage): void {
    this.map.clear();
    if (snapshot.data.byteLength > 0) {
      const r = new ByteReader(snapshot.data);
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        const k = r.str();
        this.map.set(k, new Uint8Array(r.bytes()));
      }
      r.expectEnd();
    }
    this.lastApplied = snapshot.index;
  }
}
