/**
 * A PeerTransport for a group whose only member is this node: it never has anyone to talk to, so it opens
 * no socket. `--init` uses it to start the fresh one-member group briefly and confirm it becomes
 * leader-ready (Ozone's initializeRatis) without needing the Ratis port, which may belong to nobody yet
 * or be checked by the provisioner. Sending to a peer is a contract violation and is reported as
 * unreachable (the core then simply probes again), never silently succeeds.
 */
import type { PeerTransport, PeerTransportHandler } from '../driver/peer-transport.js';
import type { Message, NodeId } from '../raft/types.js';

export class NoPeerTransport implements PeerTransport {
  private handler: PeerTransportHandler | null = null;

  constructor(readonly address: string) {}

  setHandler(handler: PeerTransportHandler): void {
    this.handler = handler;
  }

  setPeers(_peers: ReadonlyMap<NodeId, string>): void {}

  send(messages: readonly Message[]): void {
    for (const m of messages) this.handler?.onUnreachable(m.to);
  }

  async close(): Promise<void> {
    this.handler = null;
  }
}
