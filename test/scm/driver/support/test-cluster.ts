/**
 * A group of real RaftNodes (driver + core + KV state machine) on the in-memory network, with a fake
 * clock: time moves only when `until` advances it, so elections and timeouts are deterministic and fast.
 */
import { FakeClock } from '../../../support/fake-clock.js';
import { startRaftNode, type RaftNode } from '../../../../src/scm/driver/raft-node.js';
import { KvStore, encodeKvCommand, type KvResult } from '../../../../src/scm/driver/kv-store.js';
import { bootstrapFromSnapshot, bootstrapNewGroup } from '../../../../src/scm/driver/group-bootstrap.js';
import type { RaftApplier } from '../../../../src/scm/driver/raft-applier.js';
import { nodeId, seededRandom, type NodeId } from '../../../../src/scm/raft/index.js';
import { MemoryLogStore } from './memory-log-store.js';
import { MemoryNetwork, type MemoryEndpoint } from './memory-network.js';

export const GROUP = 'test-group';

export interface Member {
  id: NodeId;
  node: RaftNode<KvResult>;
  sm: KvStore;
  store: MemoryLogStore;
  endpoint: MemoryEndpoint;
}

export function addressOf(id: string): string {
  return `127.0.3.${100 + Number(id.replace(/\D/g, '') || 0)}:9894`;
}

export function put(key: string, value = key): Uint8Array {
  return encodeKvCommand({ op: 'put', key, value: new TextEncoder().encode(value) });
}

export class TestCluster {
  readonly clock = new FakeClock();
  readonly net = new MemoryNetwork();
  readonly members = new Map<string, Member>();
  private seed = 1;

  constructor(readonly options: { snapshotThreshold?: number; compactionMargin?: number } = {}) {}

  async start(
    name: string,
    o: { bootstrap?: 'new' | { index: number; term: number; data: Uint8Array }; store?: MemoryLogStore; sm?: RaftApplier<KvResult> & KvStore } = {},
  ): Promise<Member> {
    const id = nodeId(name);
    const store = o.store ?? new MemoryLogStore(GROUP, id);
    if (o.bootstrap === 'new') await bootstrapNewGroup(store, { id, address: addressOf(name) });
    else if (o.bootstrap) await bootstrapFromSnapshot(store, { id, address: addressOf(name) }, o.bootstrap);
    const sm = o.sm ?? new KvStore();
    const endpoint = this.net.endpoint(id, addressOf(name));
    const node = await startRaftNode<KvResult>({
      id,
      groupId: GROUP,
      store,
      applier: sm,
      transport: endpoint,
      clock: this.clock,
      random: seededRandom(this.seed++),
      electionTimeoutMs: 1000,
      heartbeatIntervalMs: 100,
      tickMs: 100,
      snapshotThreshold: this.options.snapshotThreshold ?? 1000,
      compactionMargin: this.options.compactionMargin ?? 500,
    });
    const m: Member = { id, node, sm, store, endpoint };
    this.members.set(name, m);
    return m;
  }

  /** Stops a member (as a crash would: its store survives). */
  async stop(name: string): Promise<MemoryLogStore> {
    const m = this.members.get(name)!;
    await m.node.close();
    await m.endpoint.close();
    this.members.delete(name);
    return m.store;
  }

  get(name: string): Member {
    const m = this.members.get(name);
    if (!m) throw new Error(`no member ${name}`);
    return m;
  }

  leader(): Member | undefined {
    return [...this.members.values()].find((m) => m.node.status().role === 'LEADER');
  }

  /** Advances fake time in small steps, letting real async work run in between, until `cond` holds. */
  async until(cond: () => boolean, what: string, maxFakeMs = 120_000): Promise<void> {
    for (let t = 0; t <= maxFakeMs; t += 10) {
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
      if (cond()) return;
      this.clock.advance(10);
    }
    throw new Error(`not reached within ${maxFakeMs} ms of fake time: ${what}`);
  }

  /** Lets pending async work run while `p` settles, advancing fake time; returns its outcome. */
  async settle<T>(p: Promise<T>, maxFakeMs = 120_000): Promise<T> {
    let done = false;
    const watched = p.finally(() => {
      done = true;
    });
    watched.catch(() => {});
    await this.until(() => done, 'promise to settle', maxFakeMs);
    return watched;
  }

  async electedLeader(): Promise<Member> {
    await this.until(() => this.leader() !== undefined, 'a leader');
    return this.leader()!;
  }

  async closeAll(): Promise<void> {
    for (const name of [...this.members.keys()]) await this.stop(name);
  }
}
