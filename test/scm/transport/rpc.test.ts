import { afterEach, describe, expect, it } from 'vitest';
import { CodedError } from '../../../src/common/coded-error.js';
import { RpcClient } from '../../../src/scm/transport/rpc-client.js';
import { FailoverRpcClient } from '../../../src/scm/transport/rpc-failover-client.js';
import { notLeaderMessage, parseSuggestedLeader } from '../../../src/scm/transport/rpc-not-leader.js';
import { RpcServer } from '../../../src/scm/transport/rpc-server.js';
import type { UntypedProtocol } from '../../../src/scm/transport/protocol-definition.js';
import { looseProtocol } from '../support/loose-protocol.js';

const HOST = '127.0.2.1';

describe('SCM RPC over the frame codec (real TCP on 127.0.2.x)', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const serve = async (s: RpcServer<any>, host = HOST): Promise<number> => {
    const a = await s.listen(host, 0);
    closers.push(() => s.close());
    return a.port;
  };
  const client = (port: number, host = HOST, timeoutMs?: number): RpcClient<UntypedProtocol> => {
    const c = new RpcClient<UntypedProtocol>(host, port, timeoutMs === undefined ? {} : { timeoutMs });
    closers.push(() => c.close());
    return c;
  };

  it('correlates concurrent calls answered out of order, and keeps coded errors', async () => {
    const s = new RpcServer('test', looseProtocol(['echo', 'fail'])).serve({
      echo: async (p) => {
        const { v, delay } = p as { v: number; delay: number };
        await new Promise((r) => setTimeout(r, delay));
        return { v };
      },
      fail: async () => {
        throw new CodedError('SCM_SOMETHING', 'it broke', { hint: 'fix it' });
      },
    });
    const c = client(await serve(s));
    const results = await Promise.all([30, 1, 15, 0].map((delay, v) => c.call('echo', { v, delay })));
    expect(results).toEqual([{ v: 0 }, { v: 1 }, { v: 2 }, { v: 3 }]);
    await expect(c.call('fail', {})).rejects.toMatchObject({ code: 'RPC_REMOTE', remoteCode: 'SCM_SOMETHING', message: 'it broke', hint: 'fix it' });
    await expect(c.call('nope', {})).rejects.toMatchObject({ code: 'RPC_UNKNOWN_METHOD' });
  });

  it('times out and aborts calls, telling the server to stop (CANCEL)', async () => {
    let serverSawAbort = 0;
    const s = new RpcServer('test', looseProtocol(['hang'])).serve({
      hang: (_p, ctx) =>
        new Promise((_r, reject) =>
          ctx.signal.addEventListener('abort', () => {
            serverSawAbort++;
            reject(new Error('stopped'));
          }),
        ),
    });
    const c = client(await serve(s), HOST, 100);
    await expect(c.call('hang', {})).rejects.toMatchObject({ code: 'RPC_TIMEOUT' });
    const ac = new AbortController();
    const p = c.call('hang', {}, { signal: ac.signal, timeoutMs: 60_000 });
    setTimeout(() => ac.abort(), 20);
    await expect(p).rejects.toMatchObject({ code: 'RPC_ABORTED' });
    await expect.poll(() => serverSawAbort, { timeout: 20_000 }).toBe(2);
  });

  it('streams chunks with back-pressure until eof', async () => {
    const proto = looseProtocol([], ['blob']);
    const s = new RpcServer('test', proto).serve({
      blob: async function* (p) {
        const n = (p as { n: number }).n;
        for (let i = 0; i < n; i++) yield Buffer.alloc(256 * 1024, i % 251);
      },
    });
    const c = new RpcClient<typeof proto>(HOST, await serve(s));
    closers.push(() => c.close());
    let total = 0;
    let chunks = 0;
    for await (const chunk of c.stream('blob', { n: 40 })) {
      expect(chunk[0]).toBe(chunks % 251);
      total += chunk.byteLength;
      chunks++;
    }
    expect([chunks, total]).toEqual([40, 40 * 256 * 1024]);
  });

  it('a consumer that stops reading cancels the stream on the server', async () => {
    let produced = 0;
    let serverAborted = false;
    const proto = looseProtocol([], ['endless']);
    const s = new RpcServer('test', proto).serve({
      endless: async function* (_p, ctx) {
        ctx.signal.addEventListener('abort', () => (serverAborted = true));
        while (!ctx.signal.aborted) {
          produced++;
          yield Buffer.alloc(64 * 1024);
        }
      },
    });
    const port = await serve(s);
    const sc = new RpcClient<typeof proto>(HOST, port);
    closers.push(() => sc.close());
    const c = client(port);
    let n = 0;
    for await (const _ of sc.stream('endless', {})) if (++n === 3) break;
    await expect.poll(() => serverAborted, { timeout: 20_000 }).toBe(true);
    const stoppedAt = produced;
    await new Promise((r) => setTimeout(r, 100));
    expect(produced - stoppedAt).toBeLessThanOrEqual(1);
    expect(await c.call('nope', {}).catch((e: { code: string }) => e.code)).toBe('RPC_UNKNOWN_METHOD');
  });

  it('reports a connect failure and a lost connection with their own codes, and reconnects later', async () => {
    const s = new RpcServer('test', looseProtocol(['die'])).serve({ die: async () => new Promise(() => {}) });
    const port = await serve(s);
    const c = client(port);
    const p = c.call('die', {});
    await new Promise((r) => setTimeout(r, 30));
    await s.close();
    await expect(p).rejects.toMatchObject({ code: expect.stringMatching(/RPC_CONNECTION_LOST/) });
    await expect(c.call('die', {})).rejects.toMatchObject({ code: 'RPC_CONNECT' });
    const s2 = new RpcServer('again', looseProtocol(['die'])).serve({ die: async () => 'back' });
    await s2.listen(HOST, port);
    closers.push(() => s2.close());
    expect(await c.call('die', {})).toBe('back');
  });

  it("formats and parses Ozone's not-leader message", () => {
    const m = notLeaderMessage('FOLLOWER', 'u-2', 'scm2', 'scm1:9863');
    expect(m).toBe('FOLLOWER Server:u-2(scm2) is not the leader. Suggested leader is Server:scm1:9863.');
    expect(parseSuggestedLeader(m)).toBe('scm1:9863');
    expect(parseSuggestedLeader(notLeaderMessage('CANDIDATE', 'u', 'h', undefined))).toBeUndefined();
  });

  it('failover client follows the NotLeader hint to the leader and skips dead nodes', async () => {
    const hosts = ['127.0.2.2', '127.0.2.3', '127.0.2.4'];
    const calls: string[] = [];
    const ports: number[] = [];
    const servers = hosts.map((h, i) =>
      new RpcServer(`scm${i}`, looseProtocol(['who']), {
        errorMapper: (e) => ({ code: 'NOT_LEADER', message: (e as Error).message, leader: `${hosts[2]}:${ports[2]}` }),
      }).serve({
        who: async () => {
          calls.push(h);
          if (i !== 2) throw new Error(notLeaderMessage('FOLLOWER', `u${i}`, h, `${hosts[2]}:${ports[2]}`));
          return h;
        },
      }),
    );
    for (const [i, srv] of servers.entries()) ports[i] = await serve(srv, hosts[i]);
    const endpoints = hosts.map((h, i) => ({ nodeId: `scm${i + 1}`, host: h, port: ports[i]! }));
    const moves: string[] = [];
    const f = new FailoverRpcClient<UntypedProtocol>(endpoints, { retryIntervalMs: 10, onFailover: (a, b) => moves.push(`${a.nodeId}->${b.nodeId}`) });
    closers.push(() => f.close());
    expect(await f.call('who', {})).toBe(hosts[2]);
    expect(calls).toEqual([hosts[0], hosts[2]]);
    expect(moves).toEqual(['scm1->scm3']);
    expect(f.currentEndpoint.nodeId).toBe('scm3');

    await servers[0]!.close();
    const g = new FailoverRpcClient<UntypedProtocol>(endpoints, { retryIntervalMs: 10 });
    closers.push(() => g.close());
    expect(await g.call('who', {})).toBe(hosts[2]);
  });

  it('failover client gives up with RPC_FAILOVER_EXHAUSTED when nobody answers', async () => {
    const f = new FailoverRpcClient<UntypedProtocol>([{ nodeId: 'x', host: '127.0.2.9', port: 1 }], { retryIntervalMs: 5, maxFailovers: 3 });
    closers.push(() => f.close());
    await expect(f.call('who', {})).rejects.toMatchObject({ code: 'RPC_FAILOVER_EXHAUSTED' });
  });

  it('a call stalled on a silent leader moves to the SCM that answers the leader probe, without waiting for the call timeout', async () => {
    const hosts = ['127.0.2.5', '127.0.2.6', '127.0.2.7'];
    const ports: number[] = [];
    let leader = 0;
    const stalled: string[] = [];
    const servers = hosts.map((h, i) =>
      new RpcServer(`scm${i}`, looseProtocol(['allocate', 'getScmInfo']), {
        errorMapper: (e) => ({ code: 'NOT_LEADER', message: (e as Error).message }),
      }).serve({
        // scm1 "froze": it takes calls and never answers them (like a SIGSTOPped or cut-off leader)
        allocate: async (_p, rpc) => {
          if (i === 0) {
            stalled.push(h);
            await new Promise((r) => rpc.signal.addEventListener('abort', r, { once: true }));
            throw new Error('cancelled');
          }
          if (i !== leader) throw new Error(notLeaderMessage('FOLLOWER', `u${i}`, h, undefined));
          return h;
        },
        getScmInfo: async () => {
          if (i !== leader) throw new Error(notLeaderMessage('FOLLOWER', `u${i}`, h, undefined));
          return { leader: h };
        },
      }),
    );
    for (const [i, srv] of servers.entries()) ports[i] = await serve(srv, hosts[i]);
    const endpoints = hosts.map((h, i) => ({ nodeId: `scm${i + 1}`, host: h, port: ports[i]! }));
    const f = new FailoverRpcClient<UntypedProtocol>(endpoints, {
      retryIntervalMs: 10,
      callTimeoutMs: 60_000,
      leaderProbe: { afterMs: 50, call: (c, signal) => (c as RpcClient<UntypedProtocol>).call('getScmInfo', {}, { signal }) },
    });
    closers.push(() => f.close());
    const started = Date.now();
    const answer = f.call('allocate', {});
    await new Promise((r) => setTimeout(r, 300)); // no other SCM leads yet: the call keeps waiting on scm1
    expect(stalled).toEqual([hosts[0]]);
    leader = 2; // scm3 is elected
    expect(await answer).toBe(hosts[2]);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(f.currentEndpoint.nodeId).toBe('scm3');
  });
});
