/**
 * The bounds of an SCM listener (connection-limits.ts), with raw sockets acting as hostile clients on
 * 127.0.2.4x: oversized frames, half-sent frames over the buffer budget, silent connections past the idle
 * timeout, too many connections from one address, unknown frame kinds, too many calls in flight — each is
 * refused or closed while a well-behaved client keeps being served; the logging stays rate-limited.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../../src/common/logger.js';
import { DEFAULT_LIMITS, type ConnectionLimits } from '../../../src/scm/transport/connection-limits.js';
import { encodeFrame, WIRE_VERSION } from '../../../src/scm/transport/frame-codec.js';
import type { UntypedProtocol } from '../../../src/scm/transport/protocol-definition.js';
import { RpcClient } from '../../../src/scm/transport/rpc-client.js';
import { RPC_KIND, encodePayload } from '../../../src/scm/transport/rpc-protocol.js';
import { RpcServer } from '../../../src/scm/transport/rpc-server.js';
import { looseProtocol } from '../support/loose-protocol.js';

const HOST = '127.0.2.41';
const KiB = 1024;

function capture(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const l = { lines, debug: () => {}, info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m), child: () => l };
  return l;
}

function rawSocket(port: number, localAddress?: string): Promise<Socket & { gone: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: HOST, port, ...(localAddress ? { localAddress } : {}) }) as Socket & { gone: Promise<void> };
    s.gone = new Promise((r) => s.once('close', () => r()));
    s.on('error', () => {});
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

const isClosed = (s: { gone: Promise<void> }, ms: number): Promise<boolean> => Promise.race([s.gone.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

/** The first bytes of a frame announcing `total` bytes (4-byte length + version + kind), without its payload. */
function frameHead(total: number, kind: number = RPC_KIND.REQUEST): Buffer {
  const b = Buffer.alloc(6);
  b.writeUInt32BE(total - 4, 0);
  b.writeUInt8(WIRE_VERSION, 4);
  b.writeUInt8(kind, 5);
  return b;
}

describe('listener bounds (raw hostile sockets on 127.0.2.41)', () => {
  const closers: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  const serve = async (limits: Partial<ConnectionLimits>, logger?: Logger): Promise<{ port: number; server: RpcServer<ReturnType<typeof looseProtocol<['ping', 'hang', 'big']>>>; hung: { count: number; big: number } }> => {
    const hung = { count: 0, big: 0 };
    const server = new RpcServer('test', looseProtocol(['ping', 'hang', 'big']), { limits: { ...DEFAULT_LIMITS, ...limits }, ...(logger ? { logger } : {}) }).serve({
      ping: async () => 'pong',
      big: async () => {
        hung.big++;
        return 'x'.repeat(256 * KiB);
      },
      hang: (_p, ctx) => {
        hung.count++;
        return new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve(null)));
      },
    });
    const { port } = await server.listen(HOST, 0);
    closers.push(() => server.close());
    return { port, server, hung };
  };
  const goodClient = (port: number): RpcClient<UntypedProtocol> => {
    const c = new RpcClient<UntypedProtocol>(HOST, port, { timeoutMs: 5000 });
    closers.push(() => c.close());
    return c;
  };
  const track = <S extends Socket>(s: S): S => {
    closers.push(() => void s.destroy());
    return s;
  };

  it('closes a connection that announces a frame over the port\'s limit, before reading it', async () => {
    const { port } = await serve({ maxFrameBytes: 64 * KiB });
    const s = track(await rawSocket(port));
    s.write(frameHead(10 * 1024 * 1024));
    expect(await isClosed(s, 2000)).toBe(true);
    expect(await goodClient(port).call('ping', {})).toBe('pong');
  });

  it('half-sent frames stay within the buffer budget: connections beyond it are closed', async () => {
    const { port, server } = await serve({ maxFrameBytes: 512 * KiB, maxBufferedBytes: 1024 * KiB });
    const sockets = await Promise.all(Array.from({ length: 8 }, async () => track(await rawSocket(port))));
    // each sends 300 KiB of a 512 KiB frame and then stops
    for (const s of sockets) {
      s.write(frameHead(512 * KiB));
      s.write(Buffer.alloc(300 * KiB - 6, 1));
    }
    await new Promise((r) => setTimeout(r, 500));
    const closed = (await Promise.all(sockets.map((s) => isClosed(s, 10)))).filter(Boolean).length;
    expect(server.governor.bufferedBytes).toBeLessThanOrEqual(1024 * KiB);
    expect(closed).toBeGreaterThanOrEqual(5); // at most 3 × 300 KiB fit in 1 MiB
    expect(server.governor.stats.overBudgetClosed).toBe(closed);
    expect(await goodClient(port).call('ping', {})).toBe('pong');
    for (const s of sockets) s.destroy();
    await expect.poll(() => server.governor.bufferedBytes).toBe(0);
  });

  it('closes silent connections and stuck partial frames after the idle timeout; an active client stays', async () => {
    const { port, server } = await serve({ idleTimeoutMs: 400 });
    const silent = track(await rawSocket(port));
    const partial = track(await rawSocket(port));
    partial.write(frameHead(1000));
    const good = goodClient(port);
    const started = Date.now();
    const pinger = setInterval(() => void good.call('ping', {}).catch(() => {}), 100);
    closers.push(() => clearInterval(pinger));
    expect(await isClosed(silent, 5000)).toBe(true);
    expect(await isClosed(partial, 5000)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    expect(server.governor.stats.idleClosed).toBeGreaterThanOrEqual(2);
    expect(await good.call('ping', {})).toBe('pong');
  });

  it('refuses connections beyond the per-address cap and the port cap', async () => {
    const { port, server } = await serve({ maxConnectionsPerAddress: 3, maxConnections: 5 });
    const first = await Promise.all([0, 1, 2].map(async () => track(await rawSocket(port, '127.0.2.42'))));
    const fourth = track(await rawSocket(port, '127.0.2.42'));
    expect(await isClosed(fourth, 2000)).toBe(true);
    for (const s of first) expect(await isClosed(s, 10)).toBe(false);
    // another address still gets in, up to the port's cap of 5
    const other = await Promise.all([0, 1].map(async () => track(await rawSocket(port, '127.0.2.43'))));
    const sixth = track(await rawSocket(port, '127.0.2.43'));
    expect(await isClosed(sixth, 2000)).toBe(true);
    for (const s of other) expect(await isClosed(s, 10)).toBe(false);
    expect(server.governor.stats.refusedConnections).toBe(2);
  });

  it('closes a connection that sends an unknown frame kind or a malformed header; logs are rate-limited', async () => {
    const log = capture();
    const { port } = await serve({}, log);
    for (let i = 0; i < 20; i++) {
      const s = track(await rawSocket(port));
      s.write(encodeFrame(0x42, encodePayload({ id: 1 })));
      expect(await isClosed(s, 2000)).toBe(true);
    }
    const junk = track(await rawSocket(port));
    junk.write(encodeFrame(RPC_KIND.REQUEST, Buffer.from('not json at all')));
    expect(await isClosed(junk, 2000)).toBe(true);
    expect(log.lines.filter((l) => l.includes('dropping connection')).length).toBeLessThanOrEqual(2);
    expect(await goodClient(port).call('ping', {})).toBe('pong');
  });

  it('runs at most maxInflightPerConnection calls of one connection; the rest wait', async () => {
    const { port, hung } = await serve({ maxInflightPerConnection: 2 });
    const c = new RpcClient<UntypedProtocol>(HOST, port, { timeoutMs: 60_000 });
    closers.push(() => c.close());
    const calls = Array.from({ length: 5 }, () => c.call('hang', {}).catch(() => undefined));
    await new Promise((r) => setTimeout(r, 300));
    expect(hung.count).toBe(2);
    await c.close();
    await Promise.all(calls);
  });

  it('a caller that does not read its responses is not read either: its answers cannot pile up in the server', async () => {
    // a generous write budget, so that only pausing (not the slow-reader cut-off) can bound it here
    const { port, server, hung } = await serve({ maxConnectionBufferBytes: 512 * 1024 * KiB, maxInflightPerConnection: 4 });
    const s = track(await rawSocket(port));
    s.pause(); // never reads: 400 requests for 256 KiB answers would be 100 MiB
    const requests = Buffer.concat(Array.from({ length: 400 }, (_, i) => encodeFrame(RPC_KIND.REQUEST, encodePayload({ id: i + 1, method: 'big', params: {} }))));
    s.write(requests);
    await new Promise((r) => setTimeout(r, 1500));
    // the server stopped taking requests once its writes to this caller backed up: what it answered is bounded
    // by the kernel's socket buffers (a few MiB on loopback), far below the 400 asked for
    expect(hung.big).toBeGreaterThan(0);
    expect(hung.big).toBeLessThan(100);
    expect(await isClosed(s, 10)).toBe(false);
    // and another caller is served meanwhile
    expect(await goodClient(port).call('ping', {})).toBe('pong');
    s.destroy();
    await expect.poll(() => server.governor.connections).toBeLessThanOrEqual(1);
  });
});
