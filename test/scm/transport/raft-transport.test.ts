/**
 * The Raft transport over real TCP (and mutual TLS) on loopback 127.0.3.x with ephemeral ports.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { message, nodeId, type Message, type NodeId } from '../../../src/scm/raft/index.js';
import { listenRaftTransport, type RaftTransport, type RaftTransportOptions } from '../../../src/scm/transport/raft-transport.js';
import type { PeerTransportHandler } from '../../../src/scm/driver/peer-transport.js';
import { makeCa, makeLeaf } from './support/raft-test-certs.js';

interface Inbox extends PeerTransportHandler {
  received: Array<{ m: Message; from: string; address: string }>;
  unreachable: string[];
  snapshots: Array<[string, boolean]>;
  waitFor(n: number, timeoutMs?: number): Promise<void>;
}

function inbox(): Inbox {
  const box: Inbox = {
    received: [],
    unreachable: [],
    snapshots: [],
    onMessages(ms, sender) {
      for (const m of ms) box.received.push({ m, from: sender.id, address: sender.address });
    },
    onUnreachable(p) {
      box.unreachable.push(p);
    },
    onSnapshotStatus(p, ok) {
      box.snapshots.push([p, ok]);
    },
    async waitFor(n, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (box.received.length < n) {
        if (Date.now() > until) throw new Error(`timed out waiting for ${n} messages, got ${box.received.length}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
  };
  return box;
}

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const hb = (from: NodeId, to: NodeId, term = 1): Message => message({ type: 'heartbeat', from, to, term });
const A = nodeId('a');
const B = nodeId('b');

describe('RaftTransport (real TCP on 127.0.3.x)', () => {
  const open: RaftTransport[] = [];
  const start = async (o: Partial<RaftTransportOptions> & { self: NodeId; host: string }): Promise<RaftTransport> => {
    const t = await listenRaftTransport({ groupId: 'g1', listen: { host: o.host, port: o.listen?.port ?? 0 }, backoffInitialMs: 10, backoffMaxMs: 50, ...o });
    open.push(t);
    return t;
  };
  afterEach(async () => {
    for (const t of open.splice(0)) await t.close();
  });

  it('delivers batches both ways; the receiver answers a sender it only knows from the frame header', async () => {
    const a = await start({ self: A, host: '127.0.3.11' });
    const b = await start({ self: B, host: '127.0.3.12' });
    const ia = inbox();
    const ib = inbox();
    a.setHandler(ia);
    b.setHandler(ib);
    a.setPeers(new Map([[B, b.address]]));
    // b has no peer table at all (a joining node).
    const entries = Array.from({ length: 50 }, (_, i) => ({ term: 1, index: i + 1, type: 'normal' as const, data: new Uint8Array(100).fill(i) }));
    a.send([message({ type: 'app', from: A, to: B, term: 1, entries }), hb(A, B)]);
    await ib.waitFor(2);
    expect(ib.received.map((r) => [r.m.type, r.from, r.address])).toEqual([
      ['app', 'a', a.address],
      ['heartbeat', 'a', a.address],
    ]);
    expect(ib.received[0]!.m.entries).toHaveLength(50);
    expect(ib.received[0]!.m.entries[49]!.data[0]).toBe(49);
    b.send([message({ type: 'heartbeat-resp', from: B, to: A, term: 1 })]);
    await ia.waitFor(1);
    expect(ia.received[0]!.from).toBe('b');
  });

  it('rejects traffic of another group; the sender reports the peer unreachable', async () => {
    const a = await start({ self: A, host: '127.0.3.13', groupId: 'cluster-x' });
    const b = await start({ self: B, host: '127.0.3.14' });
    const ia = inbox();
    const ib = inbox();
    a.setHandler(ia);
    b.setHandler(ib);
    a.setPeers(new Map([[B, b.address]]));
    a.send([hb(A, B)]);
    await until(() => b.stats().rejectedFrames > 0 && ia.unreachable.includes('b'));
    expect(ib.received).toEqual([]);
  });

  it('drops messages for another node or with a forged sender', async () => {
    const a = await start({ self: A, host: '127.0.3.15' });
    const b = await start({ self: B, host: '127.0.3.16' });
    const ib = inbox();
    b.setHandler(ib);
    a.setHandler(inbox());
    a.setPeers(new Map([[B, b.address]]));
    a.send([message({ type: 'heartbeat', from: nodeId('mallory'), to: B, term: 1 }), hb(A, B, 7)]);
    await ib.waitFor(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(ib.received.map((r) => r.m.term)).toEqual([7]);
  });

  it('reports an unreachable peer and a failed snapshot, then reconnects once the peer is back', async () => {
    const a = await start({ self: A, host: '127.0.3.17' });
    const ia = inbox();
    a.setHandler(ia);
    const probe = await start({ self: B, host: '127.0.3.18' });
    const address = probe.address;
    const port = Number(address.split(':')[1]);
    await probe.close();
    a.setPeers(new Map([[B, address]]));
    const snap = { meta: { index: 5, term: 1, confState: { members: [] } }, data: new Uint8Array([1, 2, 3]) };
    a.send([message({ type: 'snap', from: A, to: B, term: 1, snapshot: snap })]);
    await until(() => ia.unreachable.includes('b') && ia.snapshots.some(([p, ok]) => p === 'b' && !ok));
    const b = await start({ self: B, host: '127.0.3.18', listen: { host: '127.0.3.18', port } });
    const ib = inbox();
    b.setHandler(ib);
    // Keep sending (as heartbeats would) until the link has redialled.
    await until(() => {
      a.send([message({ type: 'snap', from: A, to: B, term: 1, snapshot: snap })]);
      return ib.received.length > 0;
    });
    expect([...ib.received[0]!.m.snapshot!.data]).toEqual([1, 2, 3]);
    await until(() => ia.snapshots.some(([p, ok]) => p === 'b' && ok));
  });

  it('talks mutual TLS, and refuses a client whose certificate is not from the trusted CA', async () => {
    const ca = makeCa('raft-test-ca');
    const other = makeCa('someone-else', 2);
    const certA = makeLeaf(ca, '127.0.3.19', 10);
    const certB = makeLeaf(ca, '127.0.3.20', 11);
    const rogue = makeLeaf(other, '127.0.3.21', 12);
    const a = await start({ self: A, host: '127.0.3.19', tls: { ...certA, ca: ca.cert } });
    const b = await start({ self: B, host: '127.0.3.20', tls: { ...certB, ca: ca.cert } });
    const ib = inbox();
    b.setHandler(ib);
    a.setHandler(inbox());
    a.setPeers(new Map([[B, b.address]]));
    a.send([hb(A, B, 3)]);
    await ib.waitFor(1);
    expect(ib.received[0]!.m.term).toBe(3);

    const m = await start({ self: nodeId('m'), host: '127.0.3.21', tls: { ...rogue, ca: ca.cert } });
    const im = inbox();
    m.setHandler(im);
    m.setPeers(new Map([[B, b.address]]));
    m.send([message({ type: 'heartbeat', from: nodeId('m'), to: B, term: 9 })]);
    await until(() => im.unreachable.includes('b'));
    await new Promise((r) => setTimeout(r, 50));
    expect(ib.received.map((r) => r.m.term)).toEqual([3]);
  });
});
