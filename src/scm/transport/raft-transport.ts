/**
 * The Raft peer transport over TCP (optionally mutual TLS): a listening socket for inbound traffic and
 * one PeerLink (outbound connection with a send queue) per peer. Implements the driver's PeerTransport
 * port (src/scm/driver/peer-transport.ts).
 *
 * Contract:
 *  - every frame carries the group id and the sender's id and advertised address (raft-wire.ts); inbound
 *    frames of another group are answered with RAFT_REJECT and the connection is closed; messages not
 *    addressed to this node, or whose `from` differs from the frame's sender, are dropped;
 *  - peer addresses come from `setPeers` (the replicated configuration) and, for senders not in it yet,
 *    from the address they advertise (so a joining node can answer the leader that adds it);
 *  - with `tls`, both sides use the given key/cert/CA; the server requires and verifies client
 *    certificates unless `requireClientCert: false`, and with `admitPeer` only accepts frames whose
 *    sender id is the one the client certificate names. Enabling it changes no caller.
 *  - inbound connections are bounded like every SCM port (connection-limits.ts: frame size, partial-frame
 *    budget, connection caps per port and per address, idle and TLS handshake timeouts); refusals and bad
 *    frames are logged rate-limited;
 *  - `close()` stops listening, closes every connection and is idempotent.
 */
import type { Server, Socket } from 'node:net';
import { TLSSocket, type DetailedPeerCertificate, type PeerCertificate } from 'node:tls';
import { randomInt } from 'node:crypto';
import { systemClock, type Clock } from '../../common/clock.js';
import { silentLogger, type Logger } from '../../common/logger.js';
import type { Message, NodeId } from '../raft/types.js';
import type { PeerTransport, PeerTransportHandler } from '../driver/peer-transport.js';
import { ConnectionGovernor, DEFAULT_LIMITS, RAFT_PORT_LIMITS, type ConnectionLimits } from './connection-limits.js';
import { FrameDecoder } from './frame-codec.js';
import { RateLimitedLog } from './rate-limited-log.js';
import { PeerLink } from './peer-link.js';
import { RaftTransportError } from './raft-transport-error.js';
import { decodeRaftFrame, encodeRejectFrame, type RaftWireHeader } from './raft-wire.js';
import { createListener } from './tls-options.js';

export interface RaftTlsOptions {
  readonly key: string | Buffer;
  readonly cert: string | Buffer;
  /** Trusted CA certificate(s) for peers. */
  readonly ca: string | Buffer | ReadonlyArray<string | Buffer>;
  /** Require and verify a client certificate on inbound connections (mutual TLS). Default true. */
  readonly requireClientCert?: boolean;
  /**
   * Admits an inbound peer by its (verified) certificate, once per connection: the Raft node id it may
   * speak for (frames whose sender id differs are rejected, RAFT_REJECT), and a check asked again for every
   * read — so a certificate revoked meanwhile stops speaking at once; undefined, or a failed check, closes
   * the connection. Unset: any sender id (the certificate only proves membership of the CA). The SCM binds
   * the id to the certificate's OU (its scmUuid) and refuses revoked or minted certificates
   * (security/recorded-certificates.ts).
   */
  readonly admitPeer?: (peerCertificate: DetailedPeerCertificate) => RaftPeerAdmission | undefined;
  /** an outbound link: an Error when the server's certificate is not that of peer `expectedId` */
  readonly verifyServer?: (peerCertificate: PeerCertificate, expectedId: NodeId) => Error | undefined;
}

export interface RaftPeerAdmission {
  /** the node id this peer's frames must carry as their sender */
  readonly sender: string;
  /** asked for every read: false closes the connection */
  stillAllowed(): boolean;
}

export interface RaftTransportOptions {
  readonly groupId: string;
  readonly self: NodeId;
  /** Where to listen. Port 0 picks a free port. */
  readonly listen: { readonly host: string; readonly port: number };
  /** The `host:port` peers should use to reach this node. Default: the bound listen address. */
  readonly advertise?: string;
  /**
   * Source address of outbound links. Set when several nodes share one machine on loopback aliases
   * (127.0.0.11, .12, …) so that each node's traffic leaves from its own address, as it would from its own
   * host — peers (and packet filters) then see who is talking. Default: the kernel picks.
   */
  readonly dialFrom?: string;
  readonly tls?: RaftTlsOptions;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Default 3000 ms. */
  readonly dialTimeoutMs?: number;
  /** Reconnect backoff: starts at `backoffInitialMs` (default 50), doubles up to `backoffMaxMs` (default 2000). */
  readonly backoffInitialMs?: number;
  readonly backoffMaxMs?: number;
  /** Per-peer queue bound while the socket is not draining. Default 64 MiB. */
  readonly maxQueueBytes?: number;
  /** Target size of one frame when many messages are queued. Default 4 MiB. */
  readonly maxBatchBytes?: number;
  /** Bounds of the listening port (default: DEFAULT_LIMITS with 32 MiB frames and a 64 MiB partial-frame budget). */
  readonly limits?: ConnectionLimits;
}


export interface RaftTransportStats {
  readonly framesSent: number;
  readonly framesReceived: number;
  readonly messagesDropped: number;
  readonly rejectedFrames: number;
}

export class RaftTransport implements PeerTransport {
  private handler: PeerTransportHandler | null = null;
  private readonly links = new Map<NodeId, PeerLink>();
  private peers: ReadonlyMap<NodeId, string> = new Map();
  private readonly learned = new Map<NodeId, string>();
  private readonly inbound = new Set<Socket>();
  private closed = false;
  private framesReceived = 0;
  private rejectedFrames = 0;
  private readonly header: RaftWireHeader;
  private readonly log: RateLimitedLog;

  private constructor(
    private readonly o: RaftTransportOptions,
    private readonly server: Server,
    readonly address: string,
    private readonly governor: ConnectionGovernor,
  ) {
    this.header = { groupId: o.groupId, senderId: o.self, senderAddress: address };
    this.log = new RateLimitedLog(o.logger ?? silentLogger, 10_000);
  }

  static async listen(o: RaftTransportOptions, options: { signal?: AbortSignal } = {}): Promise<RaftTransport> {
    options.signal?.throwIfAborted();
    if (o.tls && (!o.tls.key || !o.tls.cert || !o.tls.ca)) {
      throw new RaftTransportError('TRANSPORT_TLS_CONFIG', 'TLS for the Raft port needs key, cert and ca');
    }
    let transport: RaftTransport | null = null;
    const logger = o.logger ?? silentLogger;
    const governor = new ConnectionGovernor('raft', o.limits ?? { ...DEFAULT_LIMITS, ...RAFT_PORT_LIMITS }, logger);
    const tls = o.tls
      ? { key: o.tls.key, cert: o.tls.cert, ca: o.tls.ca, clientCert: o.tls.requireClientCert === false ? ('optional' as const) : ('required' as const), handshakeTimeoutMs: governor.limits.handshakeTimeoutMs }
      : undefined;
    // (a connection in the instant between listening and the transport's construction is closed)
    const server = createListener(tls, (socket) => (transport ? transport.accept(socket) : socket.destroy()));
    // connections are admitted (and counted) when TCP accepts them, before any TLS handshake
    governor.watch(server, tls !== undefined);
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        reject(new RaftTransportError('TRANSPORT_LISTEN_FAILED', `cannot listen on ${o.listen.host}:${o.listen.port}: ${err.message}`, { cause: err, hint: 'is another process using the Raft port?' }));
      };
      server.once('error', onError);
      server.listen(o.listen.port, o.listen.host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    const bound = server.address();
    const port = typeof bound === 'object' && bound ? bound.port : o.listen.port;
    const host = o.listen.host.includes(':') ? `[${o.listen.host}]` : o.listen.host;
    transport = new RaftTransport(o, server, o.advertise ?? `${host}:${port}`, governor);
    server.on('error', (err) => (o.logger ?? silentLogger).error('raft listener error', { error: err.message }));
    if (o.tls) server.on('tlsClientError', (err, socket) => transport?.log.warn('raft:tls', `raft: TLS handshake with ${socket.remoteAddress ?? '?'} failed`, { error: err.message }));
    if (options.signal) {
      if (options.signal.aborted) {
        await transport.close();
        options.signal.throwIfAborted();
      }
    }
    return transport;
  }

  setHandler(handler: PeerTransportHandler): void {
    this.handler = handler;
  }

  setPeers(peers: ReadonlyMap<NodeId, string>): void {
    this.peers = new Map(peers);
    for (const [id, link] of this.links) {
      const want = this.addressOf(id);
      if (want !== link.address) {
        link.close();
        this.links.delete(id);
      }
    }
  }

  private addressOf(id: NodeId): string | undefined {
    return this.peers.get(id) ?? this.learned.get(id);
  }

  send(messages: readonly Message[]): void {
    if (this.closed || messages.length === 0) return;
    const byPeer = new Map<NodeId, Message[]>();
    for (const m of messages) {
      const list = byPeer.get(m.to);
      if (list) list.push(m);
      else byPeer.set(m.to, [m]);
    }
    for (const [to, list] of byPeer) {
      const link = this.link(to);
      if (!link) {
        for (const m of list) if (m.type === 'snap') this.handler?.onSnapshotStatus(to, false);
        this.handler?.onUnreachable(to);
        continue;
      }
      link.send(list);
    }
  }

  private link(to: NodeId): PeerLink | null {
    const existing = this.links.get(to);
    if (existing) return existing;
    const address = this.addressOf(to);
    if (!address) return null;
    const link = new PeerLink({
      peer: to,
      address,
      header: this.header,
      tls: this.o.tls ?? null,
      clock: this.o.clock ?? systemClock,
      logger: this.o.logger ?? silentLogger,
      dialTimeoutMs: this.o.dialTimeoutMs ?? 3000,
      localAddress: this.o.dialFrom ?? null,
      backoffInitialMs: this.o.backoffInitialMs ?? 50,
      backoffMaxMs: this.o.backoffMaxMs ?? 2000,
      maxQueueBytes: this.o.maxQueueBytes ?? 64 * 1024 * 1024,
      maxBatchBytes: this.o.maxBatchBytes ?? 4 * 1024 * 1024,
      random: () => randomInt(1_000_000) / 1_000_000,
      onUnreachable: (peer) => this.handler?.onUnreachable(peer),
      onSnapshotStatus: (peer, ok) => this.handler?.onSnapshotStatus(peer, ok),
    });
    this.links.set(to, link);
    return link;
  }

  private accept(socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    const admission = this.governor.admitted(socket, this.o.tls !== undefined);
    if (!admission) return;
    this.inbound.add(socket);
    socket.setNoDelay(true);
    const remote = socket.remoteAddress ?? '?';
    const decoder = new FrameDecoder(this.governor.limits.maxFrameBytes);
    const admitPeer = this.o.tls?.admitPeer;
    const refuse = (): void => {
      this.rejectedFrames++;
      this.log.warn('raft:not-scm', `closing a Raft connection from ${remote}: its certificate is not (or no longer) that of an SCM of this cluster`);
      socket.destroy();
    };
    const peer = admitPeer && socket instanceof TLSSocket ? admitPeer(socket.getPeerCertificate(true)) : undefined;
    if (admitPeer && !peer) {
      refuse();
      return;
    }
    const allowedSender = peer?.sender;
    socket.on('data', (chunk: Buffer) => {
      admission.touch();
      if (peer && !peer.stillAllowed()) {
        refuse();
        return;
      }
      let frames;
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        this.log.warn('raft:bad-frame', `dropping a Raft connection from ${remote} that sent a bad frame`, { error: (err as Error).message });
        socket.destroy();
        return;
      }
      if (!admission.buffered(decoder.pendingBytes)) {
        socket.destroy();
        return;
      }
      for (const f of frames) {
        let d;
        try {
          d = decodeRaftFrame(f.kind, f.payload);
        } catch (err) {
          this.rejectedFrames++;
          this.log.warn('raft:undecodable', `rejecting an undecodable Raft frame from ${remote}`, { error: (err as Error).message });
          socket.end(encodeRejectFrame(this.header, (err as Error).message));
          return;
        }
        if (d.kind === 'reject') continue;
        if (d.header.groupId !== this.o.groupId) {
          this.rejectedFrames++;
          this.log.warn('raft:group', `rejecting Raft traffic of another group from ${remote}`, { group: d.header.groupId, sender: d.header.senderId, address: d.header.senderAddress });
          socket.end(encodeRejectFrame(this.header, `this node serves group ${this.o.groupId}, not ${d.header.groupId}`));
          return;
        }
        if (allowedSender !== undefined && d.header.senderId !== allowedSender) {
          this.rejectedFrames++;
          this.log.warn('raft:sender', `rejecting Raft traffic from ${remote} whose sender is not the one its certificate names`, { sender: d.header.senderId, certificate: allowedSender });
          socket.end(encodeRejectFrame(this.header, `sender ${d.header.senderId} does not match the client certificate (${String(allowedSender)})`));
          return;
        }
        this.framesReceived++;
        const sender = { id: d.header.senderId, address: d.header.senderAddress };
        if (sender.address && !this.peers.has(sender.id)) this.learned.set(sender.id, sender.address);
        const mine = d.messages.filter((m) => m.to === this.o.self && m.from === sender.id);
        if (mine.length > 0) this.handler?.onMessages(mine, sender);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => this.inbound.delete(socket));
  }

  stats(): RaftTransportStats {
    let framesSent = 0;
    let messagesDropped = 0;
    for (const l of this.links.values()) {
      framesSent += l.framesSent;
      messagesDropped += l.messagesDropped;
    }
    return { framesSent, framesReceived: this.framesReceived, messagesDropped, rejectedFrames: this.rejectedFrames };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.governor.close();
    for (const l of this.links.values()) l.close();
    this.links.clear();
    for (const s of this.inbound) s.destroy();
    this.inbound.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export function listenRaftTransport(o: RaftTransportOptions, options: { signal?: AbortSignal } = {}): Promise<RaftTransport> {
  return RaftTransport.listen(o, options);
}
