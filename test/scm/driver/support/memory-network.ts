/**
 * An in-memory implementation of the driver's PeerTransport for fast tests: endpoints on one hub,
 * delivery on a later macrotask (so nothing re-enters the sender), partitions by cutting links. Messages
 * are passed through the real codec so what the driver sees is what it would see from the network.
 */
import { decodeMessages, encodeMessages, type Message, type NodeId } from '../../../../src/scm/raft/index.js';
import type { PeerTransport, PeerTransportHandler } from '../../../../src/scm/driver/peer-transport.js';

export class MemoryNetwork {
  private readonly endpoints = new Map<NodeId, MemoryEndpoint>();
  private readonly cut = new Set<string>();
  delivered = 0;

  endpoint(id: NodeId, address: string): MemoryEndpoint {
    const e = new MemoryEndpoint(this, id, address);
    this.endpoints.set(id, e);
    return e;
  }

  /** @internal */
  route(from: MemoryEndpoint, messages: readonly Message[]): void {
    const byPeer = new Map<NodeId, Message[]>();
    for (const m of messages) byPeer.set(m.to, [...(byPeer.get(m.to) ?? []), m]);
    for (const [to, list] of byPeer) {
      const target = this.endpoints.get(to);
      if (!target || target.closed || this.cut.has(`${from.id}>${to}`)) {
        for (const m of list) if (m.type === 'snap') setImmediate(() => from.handler?.onSnapshotStatus(to, false));
        setImmediate(() => from.handler?.onUnreachable(to));
        continue;
      }
      const bytes = encodeMessages(list);
      setImmediate(() => {
        if (target.closed || this.cut.has(`${from.id}>${to}`)) return;
        this.delivered += list.length;
        target.handler?.onMessages(decodeMessages(bytes), { id: from.id, address: from.address });
        for (const m of list) if (m.type === 'snap') from.handler?.onSnapshotStatus(to, true);
      });
    }
  }

  isolate(id: NodeId): void {
    for (const other of this.endpoints.keys()) {
      if (other === id) continue;
      this.cut.add(`${id}>${other}`);
      this.cut.add(`${other}>${id}`);
    }
  }

  heal(): void {
    this.cut.clear();
  }
}

export class MemoryEndpoint implements PeerTransport {
  handler: PeerTransportHandler | null = null;
  closed = false;
  peers: ReadonlyMap<NodeId, string> = new Map();

  constructor(
    private readonly net: MemoryNetwork,
    readonly id: NodeId,
    readonly address: string,
  ) {}

  setHandler(handler: PeerTransportHandler): void {
    this.handler = handler;
  }

  setPeers(peers: ReadonlyMap<NodeId, string>): void {
    this.peers = peers;
  }

  send(messages: readonly Message[]): void {
    if (!this.closed) this.net.route(this, messages);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
