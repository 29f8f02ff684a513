/**
 * The driver's port to the network. The TCP implementation is src/scm/transport/raft-transport.ts; tests
 * may plug an in-memory one. Contract:
 *  - `send` never blocks and never throws for network trouble: delivery is best effort, Raft tolerates
 *    loss, duplication and reordering. A peer that cannot be reached is reported through `onUnreachable`
 *    (so the leader falls back to probing), a snapshot that could not be written through
 *    `onSnapshotStatus(peer, false)`, one that was written through `onSnapshotStatus(peer, true)`.
 *  - incoming messages are delivered through `onMessages` with the sender's id and advertised address;
 *    the transport has already dropped traffic of other groups and messages not addressed to this node.
 *  - `setPeers` gives the addresses of the current members (from the replicated configuration).
 */
import type { Message, NodeId } from '../raft/types.js';

export interface PeerTransportHandler {
  onMessages(messages: readonly Message[], sender: { readonly id: NodeId; readonly address: string }): void;
  onUnreachable(peer: NodeId): void;
  onSnapshotStatus(peer: NodeId, ok: boolean): void;
}

export interface PeerTransport {
  /** The `host:port` this node advertises to peers. */
  readonly address: string;
  setHandler(handler: PeerTransportHandler): void;
  setPeers(peers: ReadonlyMap<NodeId, string>): void;
  send(messages: readonly Message[]): void;
  close(): Promise<void>;
}
