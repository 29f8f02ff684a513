/**
 * ReadIndex bookkeeping on the leader (Raft thesis §6.4): each read request records the commit index at
 * arrival and is released once a quorum of voters acknowledged a heartbeat carrying its context, proving
 * this node was still the leader. Requests are released in arrival order: acknowledging a later one
 * releases every earlier one too.
 */
import type { LogIndex, NodeId, ReadState } from './types.js';

interface ReadRequest {
  readonly index: LogIndex;
  readonly context: Uint8Array;
  readonly acks: Map<NodeId, boolean>;
}

export function contextKey(context: Uint8Array): string {
  let s = '';
  for (const b of context) s += b.toString(16).padStart(2, '0');
  return s;
}

export class ReadOnly {
  private readonly pending = new Map<string, ReadRequest>();
  private queue: string[] = [];

  add(index: LogIndex, context: Uint8Array): void {
    const key = contextKey(context);
    if (this.pending.has(key)) return;
    this.pending.set(key, { index, context, acks: new Map() });
    this.queue.push(key);
  }

  /** Records an acknowledgement; returns the acks so far, or null for an unknown context. */
  recvAck(from: NodeId, context: Uint8Array): ReadonlyMap<NodeId, boolean> | null {
    const req = this.pending.get(contextKey(context));
    if (!req) return null;
    req.acks.set(from, true);
    return req.acks;
  }

  /** Releases the request for `context` and all older ones. */
  advance(context: Uint8Array): ReadState[] {
    const key = contextKey(context);
    const at = this.queue.indexOf(key);
    if (at < 0) return [];
    const released = this.queue.slice(0, at + 1);
    this.queue = this.queue.slice(at + 1);
    const out: ReadState[] = [];
    for (const k of released) {
      const req = this.pending.get(k)!;
      this.pending.delete(k);
      out.push({ index: req.index, context: req.context });
    }
    return out;
  }

  lastPendingContext(): Uint8Array | null {
    const k = this.queue[this.queue.length - 1];
    return k === undefined ? null : this.pending.get(k)!.context;
  }

  size(): number {
    return this.queue.length;
  }

  reset(): void {
    this.pending.clear();
    this.queue = [];
  }
}
