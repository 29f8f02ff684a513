/**
 * One outbound connection to one peer, with a send queue (design: etcd's per-peer stream).
 *
 * Contract: `send` queues and writes at once when connected (all messages handed over together go out
 * in one frame, up to `maxBatchBytes`); socket backpressure is honoured (queue while not drained, up to
 * `maxQueueBytes`, beyond that messages are dropped). While disconnected the link redials with
 * exponential backoff and jitter and drops what is sent meanwhile, reporting the peer unreachable (once
 * per attempt); Raft retransmits. A snapshot message is reported written (true) once the socket accepted
 * it, or failed (false) if it was dropped or the write failed. A RAFT_REJECT from the peer (another group,
 * another version) is logged and treated as a failed connection.
 */
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { Message, NodeId } from '../raft/types.js';
import { FrameDecoder } from './frame-codec.js';
import { decodeRaftFrame, encodeBatchFrame, type RaftWireHeader } from './raft-wire.js';

export interface PeerLinkTls {
  readonly key: string | Buffer;
  readonly cert: string | Buffer;
  readonly ca: string | Buffer | ReadonlyArray<string | Buffer>;
  /** an Error when the server's certificate is not that of `peer` (default: Node's host name check) */
  readonly verifyServer?: (cert: PeerCertificate, peer: NodeId) => Error | undefined;
}

export interface PeerLinkOptions {
  readonly peer: NodeId;
  readonly address: string;
  readonly header: RaftWireHeader;
  readonly tls: PeerLinkTls | null;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly dialTimeoutMs: number;
  /** source address for the connection (see RaftTransportOptions.dialFrom); null: the kernel picks */
  readonly localAddress: string | null;
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  readonly maxQueueBytes: number;
  readonly maxBatchBytes: number;
  readonly random: () => number;
  readonly onUnreachable: (peer: NodeId) => void;
  readonly onSnapshotStatus: (peer: NodeId, ok: boolean) => void;
}

type LinkState = 'idle' | 'connecting' | 'open' | 'backoff' | 'closed';

export function splitAddress(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(address.slice(i + 1)) };
}

function messageBytes(m: Message): number {
  let n = 96 + (m.snapshot ? m.snapshot.data.byteLength + 64 : 0);
  for (const e of m.entries) n += e.data.byteLength + 24;
  return n;
}

export class PeerLink {
  private state: LinkState = 'idle';
  private socket: Socket | null = null;
  private queue: Message[] = [];
  private queuedBytes = 0;
  private draining = false;
  private backoffMs: number;
  private timer: TimerHandle | null = null;
  private reportedDown = false;
  /** Counters for status and benchmarks. */
  framesSent = 0;
  messagesDropped = 0;

  constructor(private readonly o: PeerLinkOptions) {
    this.backoffMs = o.backoffInitialMs;
  }

  get address(): string {
    return this.o.address;
  }

  send(messages: readonly Message[]): void {
    if (this.state === 'closed') return;
    if (this.state === 'backoff') {
      this.drop(messages);
      return;
    }
    for (const m of messages) {
      const size = messageBytes(m);
      if (this.queuedBytes + size > this.o.maxQueueBytes) {
        this.drop([m]);
        continue;
      }
      this.queue.push(m);
      this.queuedBytes += size;
    }
    if (this.state === 'idle') this.dial();
    else if (this.state === 'open') this.flush();
  }

  private drop(messages: readonly Message[]): void {
    if (messages.length === 0) return;
    this.messagesDropped += messages.length;
    for (const m of messages) if (m.type === 'snap') this.o.onSnapshotStatus(this.o.peer, false);
    if (!this.reportedDown) {
      this.reportedDown = true;
      this.o.onUnreachable(this.o.peer);
    }
  }

  private dial(): void {
    this.state = 'connecting';
    const { host, port } = splitAddress(this.o.address);
    const from = this.o.localAddress !== null && sameFamily(this.o.localAddress, host) ? { localAddress: this.o.localAddress } : {};
    const socket = this.o.tls
      ? tlsConnect({
          host,
          port,
          ...from,
          key: this.o.tls.key,
          cert: this.o.tls.cert,
          ca: this.o.tls.ca as string[],
          servername: isIp(host) ? undefined : host,
          minVersion: 'TLSv1.2',
          ...(this.o.tls.verifyServer ? { checkServerIdentity: (_h: string, cert: PeerCertificate) => this.o.tls!.verifyServer!(cert, this.o.peer) } : {}),
        })
      : netConnect({ host, port, ...from });
    this.socket = socket;
    socket.setNoDelay(true);
    const dialTimer = this.o.clock.setTimeout(() => socket.destroy(new Error(`dial timeout after ${this.o.dialTimeoutMs} ms`)), this.o.dialTimeoutMs);
    const onReady = (): void => {
      dialTimer.cancel();
      if (this.state !== 'connecting' || this.socket !== socket) return;
      this.state = 'open';
      this.backoffMs = this.o.backoffInitialMs;
      this.reportedDown = false;
      this.flush();
    };
    socket.once(this.o.tls ? 'secureConnect' : 'connect', onReady);
    const decoder = new FrameDecoder();
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const f of decoder.push(chunk)) {
          const d = decodeRaftFrame(f.kind, f.payload);
          if (d.kind === 'reject') {
            this.o.logger.error('peer rejected our Raft traffic', { peer: this.o.peer, address: this.o.address, reason: d.reason });
            socket.destroy(new Error(`rejected by peer: ${d.reason}`));
            return;
          }
        }
      } catch (err) {
        socket.destroy(err as Error);
      }
    });
    socket.on('drain', () => {
      this.draining = false;
      this.flush();
    });
    socket.on('error', (err) => {
      this.o.logger.debug('raft peer link error', { peer: this.o.peer, address: this.o.address, error: err.message });
    });
    socket.on('close', () => {
      dialTimer.cancel();
      if (this.socket !== socket) return;
      this.socket = null;
      this.draining = false;
      if (this.state === 'closed') return;
      const pending = this.queue;
      this.queue = [];
      this.queuedBytes = 0;
      this.drop(pending);
      if (!this.reportedDown) {
        this.reportedDown = true;
        this.o.onUnreachable(this.o.peer);
      }
      this.state = 'backoff';
      const wait = Math.round(this.backoffMs * (0.5 + this.o.random()));
      this.backoffMs = Math.min(this.o.backoffMaxMs, this.backoffMs * 2);
      this.timer = this.o.clock.setTimeout(() => {
        this.timer = null;
        if (this.state !== 'backoff') return;
        this.state = 'idle';
        this.reportedDown = false;
      }, wait);
    });
  }

  private flush(): void {
    const socket = this.socket;
    if (this.state !== 'open' || !socket || this.draining) return;
    while (this.queue.length > 0 && !this.draining) {
      let bytes = 0;
      let n = 0;
      while (n < this.queue.length && (n === 0 || bytes + messageBytes(this.queue[n]!) <= this.o.maxBatchBytes)) {
        bytes += messageBytes(this.queue[n]!);
        n++;
      }
      const batch = this.queue.splice(0, n);
      this.queuedBytes -= bytes;
      let frame: Buffer;
      try {
        frame = encodeBatchFrame(this.o.header, batch);
      } catch (err) {
        this.o.logger.error('cannot encode Raft messages; dropping them', { peer: this.o.peer, error: (err as Error).message });
        this.drop(batch);
        continue;
      }
      const snaps = batch.filter((m) => m.type === 'snap').length;
      this.framesSent++;
      const ok = socket.write(frame, (err) => {
        for (let i = 0; i < snaps; i++) this.o.onSnapshotStatus(this.o.peer, !err);
      });
      if (!ok) this.draining = true;
    }
  }

  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.timer?.cancel();
    this.timer = null;
    this.queue = [];
    this.queuedBytes = 0;
    this.socket?.destroy();
    this.socket = null;
  }
}

/** Binding a source address only makes sense towards an IP literal of the same family. */
function sameFamily(local: string, host: string): boolean {
  const v = isIP(local);
  return v !== 0 && isIP(host.replace(/^\[|\]$/g, '')) === v;
}

function isIp(host: string): boolean {
  return /^[0-9.]+$/.test(host) || host.includes(':');
}
