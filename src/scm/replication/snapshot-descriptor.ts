/**
 * What the SCM puts in a Raft snapshot: not the state, a small descriptor `{v, index, term, clusterId}`
 * (Ozone: the Ratis snapshot is only a term#index; the data travels as a scm.db checkpoint over the
 * inter-SCM port, §10). Versioned JSON; decoding refuses anything else.
 */
import { ReplicationError } from './replication-error.js';

export interface SnapshotDescriptor {
  readonly index: number;
  readonly term: number;
  readonly clusterId: string;
}

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

export function encodeSnapshotDescriptor(d: SnapshotDescriptor): Uint8Array {
  return enc.encode(JSON.stringify({ v: 1, index: d.index, term: d.term, clusterId: d.clusterId }));
}

export function decodeSnapshotDescriptor(bytes: Uint8Array): SnapshotDescriptor {
  type Raw = { v?: unknown; index?: unknown; term?: unknown; clusterId?: unknown } | null;
  const parse = (): Raw => {
    try {
      return JSON.parse(dec.decode(bytes)) as Raw;
    } catch {
      return null;
    }
  };
  const p = parse();
  if (p === null || typeof p !== 'object' || p.v !== 1 || !Number.isSafeInteger(p.index) || !Number.isSafeInteger(p.term) || typeof p.clusterId !== 'string') {
    throw new ReplicationError('REPLICATION_FAILED', 'the Raft snapshot is not an SCM snapshot descriptor (version 1)');
  }
  return { index: p.index as number, term: p.term as number, clusterId: p.clusterId };
}
