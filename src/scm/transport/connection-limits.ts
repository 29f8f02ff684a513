/**
 * Resource bounds of one listening port (RPC ports and the Raft port), so that no caller — authenticated
 * or not — can make an SCM hold unbounded memory or sockets:
 *
 *   maxFrameBytes             largest frame a caller may send (the decoder refuses bigger ones at once)
 *   maxBufferedBytes          inbound bytes held for partial frames across all connections of the port; a
 *                             connection whose chunk would go beyond it is closed
 *   maxConnectionBufferBytes  outbound bytes queued for one connection that does not read its responses
 *                             (reading a connection pauses as soon as its responses wait; this closes it)
 *   maxConnections            open connections on the port (the rest are closed on accept)
 *   maxConnectionsPerAddress  open connections from one remote address
 *   maxInflightPerConnection  requests running at once per connection; reading pauses beyond it
 *   idleTimeoutMs             a connection that sent nothing for this long while no call of it runs, or
 *                             whose partial frame has waited this long, is closed
 *   handshakeTimeoutMs        a TLS handshake must finish within this
 *
 * Memory bound of a port under attack: maxBufferedBytes for partial frames, plus per connection the
 * responses of at most maxInflightPerConnection calls read before it stopped reading (small for anyone
 * without a certificate: the security port answers a root CA certificate), plus socket overhead. `ConnectionGovernor` tracks admissions and buffered bytes and runs one idle sweep
 * timer per port (unref'd: it never keeps a process alive).
 */
import type { Server, Socket } from 'node:net';
import type { Logger } from '../../common/logger.js';
import { RateLimitedLog } from './rate-limited-log.js';

export interface ConnectionLimits {
  readonly maxFrameBytes: number;
  readonly maxBufferedBytes: number;
  readonly maxConnectionBufferBytes: number;
  readonly maxConnections: number;
  readonly maxConnectionsPerAddress: number;
  readonly maxInflightPerConnection: number;
  readonly idleTimeoutMs: number;
  readonly handshakeTimeoutMs: number;
}

const MiB = 1024 * 1024;

/** Safe defaults for request/response ports (requests are small; checkpoints stream out, never in). */
export const DEFAULT_LIMITS: ConnectionLimits = {
  maxFrameBytes: 1 * MiB,
  maxBufferedBytes: 16 * MiB,
  maxConnectionBufferBytes: 8 * MiB,
  maxConnections: 1024,
  maxConnectionsPerAddress: 256,
  maxInflightPerConnection: 64,
  idleTimeoutMs: 120_000,
  handshakeTimeoutMs: 10_000,
};

export interface Admission {
  /** the connection now holds `bytes` of partial frames (0 = none); false = over the port's cap: close it */
  buffered(bytes: number): boolean;
  /** bytes arrived */
  touch(): void;
  /** calls running on this connection (idle only counts when none runs) */
  setInflight(n: number): void;
  /** frees the connection's share (also done when the socket closes) */
  release(): void;
}

interface Tracked {
  readonly socket: Socket;
  readonly address: string;
  buffered: number;
  lastActivity: number;
  partialSince: number;
  inflight: number;
}

/** The Raft port's defaults: AppendEntries and snapshots are larger, peers few. */
export const RAFT_PORT_LIMITS: Partial<ConnectionLimits> = { maxFrameBytes: 32 * 1024 * 1024, maxBufferedBytes: 64 * 1024 * 1024, maxConnectionsPerAddress: 16 };

export class ConnectionGovernor {
  private readonly open = new Set<Tracked>();
  private readonly perAddress = new Map<string, number>();
  private totalBuffered = 0;
  private sweeper: NodeJS.Timeout | undefined;
  private readonly log: RateLimitedLog;
  /** counters for tests and /prom */
  readonly stats = { refusedConnections: 0, idleClosed: 0, overBudgetClosed: 0 };

  constructor(
    readonly name: string,
    readonly limits: ConnectionLimits,
    logger: Logger,
  ) {
    this.log = new RateLimitedLog(logger, 10_000);
  }

  get bufferedBytes(): number {
    return this.totalBuffered;
  }

  get connections(): number {
    return this.open.size;
  }

  /**
   * Admits a connection (through `watch`/`admitted`), or closes it — over the port or per-address limit —
   * and returns undefined. The admission is released when the socket closes.
   */
  private admit(socket: Socket): Admission | undefined {
    const address = socket.remoteAddress ?? 'unknown';
    const fromAddress = this.perAddress.get(address) ?? 0;
    if (this.open.size >= this.limits.maxConnections || fromAddress >= this.limits.maxConnectionsPerAddress) {
      this.stats.refusedConnections++;
      this.log.warn(`${this.name}:refused`, `${this.name}: refusing a connection from ${address}`, {
        reason: this.open.size >= this.limits.maxConnections ? `${this.open.size} connections open (limit ${this.limits.maxConnections})` : `${fromAddress} connections from this address (limit ${this.limits.maxConnectionsPerAddress})`,
      });
      socket.destroy();
      return undefined;
    }
    const t: Tracked = { socket, address, buffered: 0, lastActivity: Date.now(), partialSince: 0, inflight: 0 };
    this.open.add(t);
    this.perAddress.set(address, fromAddress + 1);
    this.ensureSweeper();
    let released = false;
    const admission: Admission = {
      buffered: (bytes) => {
        const next = this.totalBuffered - t.buffered + bytes;
        if (bytes > t.buffered && next > this.limits.maxBufferedBytes) {
          this.stats.overBudgetClosed++;
          this.log.warn(`${this.name}:budget`, `${this.name}: closing a connection from ${address}: partial frames would hold ${next} bytes (limit ${this.limits.maxBufferedBytes})`);
          return false;
        }
        if (bytes > 0 && t.buffered === 0) t.partialSince = Date.now();
        if (bytes === 0) t.partialSince = 0;
        this.totalBuffered = next;
        t.buffered = bytes;
        return true;
      },
      touch: () => {
        t.lastActivity = Date.now();
      },
      setInflight: (n) => {
        t.inflight = n;
        if (n === 0) t.lastActivity = Date.now();
      },
      release: () => {
        if (released) return;
        released = true;
        this.totalBuffered -= t.buffered;
        t.buffered = 0;
        this.open.delete(t);
        const left = (this.perAddress.get(address) ?? 1) - 1;
        if (left <= 0) this.perAddress.delete(address);
        else this.perAddress.set(address, left);
        if (this.open.size === 0) this.stopSweeper();
      },
    };
    socket.once('close', () => admission.release());
    return admission;
  }

  private readonly arrived = new Map<string, Admission>();

  /**
   * Puts a listener under this governor: Node closes connections over the port's cap itself (counted
   * here), and a TLS listener's connections are admitted at TCP accept, before their handshake; the
   * listener's connection callback then takes its admission with `admitted`.
   */
  watch(server: Server, tls: boolean): void {
    server.maxConnections = this.limits.maxConnections;
    server.on('drop', (data) => this.dropped(data?.remoteAddress));
    if (tls) server.on('connection', (raw: Socket) => this.arrive(raw));
  }

  /** A connection Node closed over `server.maxConnections` (its `drop` event): counted and logged. */
  private dropped(address: string | undefined): void {
    this.stats.refusedConnections++;
    this.log.warn(`${this.name}:refused`, `${this.name}: refusing a connection from ${address ?? 'unknown'}`, { reason: `${this.open.size} connections open (limit ${this.limits.maxConnections})` });
  }

  /**
   * A TLS listener's raw connection (`watch`): admitted before the handshake, so connections still
   * handshaking count against the limits. (A plain listener's callback runs first and admits itself.)
   */
  private arrive(raw: Socket): void {
    const admission = this.admit(raw);
    if (!admission) return;
    const key = socketKey(raw);
    this.arrived.set(key, admission);
    raw.once('close', () => {
      if (this.arrived.get(key) === admission) this.arrived.delete(key);
    });
  }

  /**
   * The admission of a connection the listener hands over: the one `arrive` made (TLS), or a new one
   * (`tls` false). Undefined when it was refused — the socket is then closed.
   */
  admitted(socket: Socket, tls: boolean): Admission | undefined {
    if (!tls) return this.admit(socket);
    const key = socketKey(socket);
    const admission = this.arrived.get(key);
    this.arrived.delete(key);
    if (!admission) socket.destroy();
    return admission;
  }

  private ensureSweeper(): void {
    if (this.sweeper) return;
    const every = Math.max(50, Math.min(5_000, Math.floor(this.limits.idleTimeoutMs / 4)));
    this.sweeper = setInterval(() => this.sweep(), every);
    this.sweeper.unref();
  }

  private stopSweeper(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  private sweep(): void {
    const now = Date.now();
    const limit = this.limits.idleTimeoutMs;
    for (const t of [...this.open]) {
      const silent = t.inflight === 0 && now - t.lastActivity >= limit;
      const stuckFrame = t.partialSince > 0 && now - t.partialSince >= limit;
      if (!silent && !stuckFrame) continue;
      this.stats.idleClosed++;
      this.log.info(`${this.name}:idle`, `${this.name}: closing an idle connection from ${t.address}`, { reason: stuckFrame ? `a partial frame waited ${limit} ms` : `nothing received for ${limit} ms` });
      t.socket.destroy();
    }
  }

  close(): void {
    this.stopSweeper();
  }
}

function socketKey(socket: Socket): string {
  return `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
}
