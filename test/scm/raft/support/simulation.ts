/**
 * A deterministic, seeded discrete-event simulation of a Raft group built from the real core (RawNode)
 * and MemoryStorage, handled the way the driver handles it: eager messages at ready(), then after a
 * random "fsync" delay persist → send → apply → advance, while steps and ticks keep arriving in between.
 *
 * Faults: message loss, duplication and reordering (random delays), partitions, crashes at any point of
 * the Ready cycle (before or after the persist; peers are usually told at once by their transport, as a
 * reset connection does), false "leader unreachable" alarms, restarts from the durable MemoryStorage
 * with a volatile state machine rebuilt from the snapshot, membership changes (joining learners that
 * auto-promote, voter removal including the leader), leadership transfers, ReadIndex reads.
 *
 * Invariants (checked continuously, violations throw SimViolation):
 *  - election safety: at most one leader per term;
 *  - leader completeness: a new leader's log holds every entry known to be committed;
 *  - state-machine safety: every node applies the same entry (term, data) at an index, and the state
 *    machine's hash chain (including membership) is identical at every index on every node;
 *  - log matching: two logs that agree on an index agree on everything before it (periodic + final);
 *  - exactly once: no proposal id is applied twice; every acknowledged proposal is applied on every
 *    member at the end;
 *  - linearizable reads: a ReadIndex result is at least the index of every write acknowledged before
 *    the read was issued;
 *  - liveness after healing: with every fault removed, a leader emerges and all members converge.
 */
import { isCodedError } from '../../../../src/common/coded-error.js';
import {
  MemoryStorage,
  RawNode,
  decodeConfChange,
  describeConfChange,
  emptyHardState,
  nodeId,
  seededRandom,
  type ConfState,
  type Entry,
  type Message,
  type NodeId,
  type Ready,
} from '../../../../src/scm/raft/index.js';

export class SimViolation extends Error {}

export interface SimOptions {
  readonly seed: number;
  readonly nodes: 3 | 5;
  /** Simulated time units of faulty operation (a tick is 10 units). */
  readonly duration: number;
  /** Log every event (for replaying a failing seed). */
  readonly trace?: (line: string) => void;
}

export interface SimReport {
  readonly seed: number;
  readonly proposals: number;
  readonly acked: number;
  readonly reads: number;
  readonly leaders: number;
  readonly crashes: number;
  readonly partitions: number;
  readonly confChanges: number;
  readonly snapshotsSent: number;
  readonly finalCommit: number;
  readonly members: string;
}

const TICK = 10;
const enc = new TextEncoder();
const dec = new TextDecoder();

interface SmState {
  hash: number;
  ids: string[];
}

class SimStateMachine {
  appliedIndex = 0;
  hash = 0;
  ids = new Set<string>();
  order: string[] = [];

  static mix(h: number, index: number, token: string): number {
    let x = (h ^ Math.imul(index, 0x9e3779b1)) >>> 0;
    for (let i = 0; i < token.length; i++) x = Math.imul(x ^ token.charCodeAt(i), 0x01000193) >>> 0;
    return x;
  }

  snapshot(): Uint8Array {
    const s: SmState = { hash: this.hash, ids: this.order };
    return enc.encode(JSON.stringify(s));
  }

  restore(index: number, data: Uint8Array): void {
    const s = JSON.parse(dec.decode(data)) as SmState;
    this.hash = s.hash;
    this.order = [...s.ids];
    this.ids = new Set(s.ids);
    this.appliedIndex = index;
  }
}

interface Pending {
  readonly id: string;
  readonly index: number;
  readonly term: number;
}

interface SimNode {
  readonly id: NodeId;
  readonly storage: MemoryStorage;
  raw: RawNode;
  sm: SimStateMachine;
  conf: ConfState;
  up: boolean;
  gen: number;
  /** A Ready handed out whose persist has not completed. */
  busy: boolean;
  pending: Map<number, Pending>;
  reads: Map<string, number>;
  tickPhase: number;
  /**
   * 'pipelined' handles the node as the production driver does: leader appends leave between Readys
   * (takeEagerMessages) and committed entries go through a separate, delayed apply queue
   * (takeCommittedEntries / appliedTo). 'classic' uses the plain Ready cycle. Chosen at every boot.
   */
  mode: 'classic' | 'pipelined';
  applyQueue: Entry[];
  applyScheduled: boolean;
}

interface Event {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
}

/** Binary min-heap of events by (time, sequence). */
class EventQueue {
  private heap: Event[] = [];
  private seq = 0;

  push(at: number, run: () => void): void {
    const e = { at, seq: this.seq++, run };
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (less(h[p]!, h[i]!)) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }

  pop(): Event | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l]!, h[m]!)) m = l;
        if (r < h.length && less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }

  peekTime(): number {
    return this.heap[0]?.at ?? Number.POSITIVE_INFINITY;
  }
}

function less(a: Event, b: Event): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

export class Simulation {
  private readonly rng;
  private readonly q = new EventQueue();
  private now = 0;
  readonly nodes = new Map<NodeId, SimNode>();
  private nextNodeNumber = 1;
  private cut = new Set<string>();
  private faults = true;
  private lossRate: number;
  private dupRate: number;

  // invariant state
  private leaderOfTerm = new Map<number, NodeId>();
  private committed = new Map<number, { term: number; key: string }>();
  private maxCommitted = 0;
  private hashAt = new Map<number, number>();
  private acked = new Map<string, number>();
  private maxAckedIndex = 0;
  private proposalSeq = 0;
  private readSeq = 0;
  private readsServed = 0;
  private crashes = 0;
  private partitions = 0;
  private confChanges = 0;
  private snapshotsSent = 0;
  private everRemoved = new Set<NodeId>();

  constructor(private readonly opts: SimOptions) {
    this.rng = seededRandom(opts.seed);
    this.lossRate = this.rng.float() * 0.08;
    this.dupRate = this.rng.float() * 0.05;
    const conf: ConfState = { members: [] };
    const ids: NodeId[] = [];
    for (let i = 0; i < opts.nodes; i++) ids.push(nodeId(`n${this.nextNodeNumber++}`));
    const members = ids.map((id) => ({ id, address: `${id}:9894`, role: 'voter' as const, autoPromote: false }));
    Object.assign(conf, { members });
    for (const id of ids) {
      const storage = new MemoryStorage();
      // Bootstrapped from a snapshot at index 1 holding the founding membership (a converted group).
      const sm = new SimStateMachine();
      sm.hash = SimStateMachine.mix(0, 1, 'founding');
      storage.applySnapshot({ meta: { index: 1, term: 1, confState: conf }, data: sm.snapshot() });
      storage.setHardState({ ...emptyHardState, term: 1, commit: 1 });
      this.addNode(id, storage);
    }
    this.hashAt.set(1, SimStateMachine.mix(0, 1, 'founding'));
  }

  private trace(line: string): void {
    this.opts.trace?.(`[${this.now}] ${line}`);
  }

  private fail(what: string): never {
    throw new SimViolation(`seed ${this.opts.seed} t=${this.now}: ${what}`);
  }

  private int(n: number): number {
    return this.rng.int(n);
  }

  private chance(p: number): boolean {
    return this.rng.float() < p;
  }

  private addNode(id: NodeId, storage: MemoryStorage): SimNode {
    const n: SimNode = {
      id,
      storage,
      raw: undefined as unknown as RawNode,
      sm: new SimStateMachine(),
      conf: { members: [] },
      up: true,
      gen: 0,
      busy: false,
      pending: new Map(),
      reads: new Map(),
      tickPhase: this.int(TICK),
      mode: 'classic',
      applyQueue: [],
      applyScheduled: false,
    };
    this.nodes.set(id, n);
    this.boot(n);
    return n;
  }

  /** (Re)creates the volatile part of a node from its durable storage. */
  private boot(n: SimNode): void {
    const snap = n.storage.snapshot();
    n.sm = new SimStateMachine();
    if (snap.meta.index > 0) n.sm.restore(snap.meta.index, snap.data);
    n.conf = n.storage.initialState().confState;
    n.raw = new RawNode(
      {
        id: n.id,
        electionTick: 10,
        heartbeatTick: 2,
        random: seededRandom(this.int(0x7fffffff)),
        applied: snap.meta.index,
        maxInflightMsgs: 1 + this.int(8),
        maxSizePerMsg: 64 + this.int(512),
        promoteLagEntries: this.int(4),
      },
      n.storage,
    );
    n.busy = false;
    n.pending.clear();
    n.reads.clear();
    n.mode = this.chance(0.5) ? 'pipelined' : 'classic';
    n.applyQueue = [];
    n.applyScheduled = false;
    const gen = ++n.gen;
    this.q.push(this.now + n.tickPhase + 1, () => this.tickLoop(n, gen));
  }

  private tickLoop(n: SimNode, gen: number): void {
    if (!n.up || n.gen !== gen) return;
    n.raw.tick();
    this.afterEvent(n);
    this.q.push(this.now + TICK, () => this.tickLoop(n, gen));
  }

  // ------------------------------------------------------------------ Ready handling

  /** Called after anything touched a node: checks role invariants and starts a Ready if idle. */
  private afterEvent(n: SimNode): void {
    if (!n.up) return;
    this.checkLeader(n);
    if (n.mode === 'pipelined') {
      if (this.chance(0.7)) for (const m of n.raw.takeEagerMessages()) this.send(m);
      this.pumpApply(n);
    }
    const opts = { committedEntries: n.mode === 'classic' };
    if (n.busy || !n.raw.hasReady(opts)) return;
    const rd = n.raw.ready(opts);
    n.busy = true;
    for (const m of rd.eagerMessages) this.send(m);
    const gen = n.gen;
    this.q.push(this.now + this.int(4), () => this.finishReady(n, rd, gen));
  }

  /** Pipelined mode: committed, durable entries go to a queue applied after a random delay. */
  private pumpApply(n: SimNode): void {
    for (const e of n.raw.takeCommittedEntries()) n.applyQueue.push(e);
    if (n.applyQueue.length === 0 || n.applyScheduled) return;
    n.applyScheduled = true;
    const gen = n.gen;
    this.q.push(this.now + this.int(4), () => {
      if (!n.up || n.gen !== gen) return;
      n.applyScheduled = false;
      this.drainApply(n);
      this.afterEvent(n);
    });
  }

  private drainApply(n: SimNode): void {
    const batch = n.applyQueue.splice(0, n.applyQueue.length);
    for (const e of batch) {
      this.apply(n, e);
      n.raw.appliedTo(e.index);
    }
    if (batch.length > 0) this.maybeSnapshot(n);
  }

  private finishReady(n: SimNode, rd: Ready, gen: number): void {
    if (!n.up || n.gen !== gen) return;
    // Entries committed before a snapshot are applied before it is restored.
    if (rd.snapshot && n.applyQueue.length > 0) this.drainApply(n);
    // persist (the MemoryStorage is the durable state)
    if (rd.snapshot) {
      n.sm.restore(rd.snapshot.meta.index, rd.snapshot.data);
      this.checkHash(n, rd.snapshot.meta.index, 'snapshot restore');
      n.storage.applySnapshot(rd.snapshot);
      n.conf = rd.snapshot.meta.confState;
      for (const [index, p] of n.pending) if (index <= rd.snapshot.meta.index) n.pending.delete(p.index);
    }
    n.storage.append(rd.entries);
    if (rd.hardState) n.storage.setHardState(rd.hardState);
    if (this.faults && this.chance(0.002)) {
      this.trace(`${n.id} crashes after persisting, before sending`);
      this.crash(n);
      this.q.push(this.now + 50 + this.int(400), () => this.restart(n));
      return;
    }
    for (const m of rd.messages) this.send(m);
    for (const e of rd.committedEntries) this.apply(n, e);
    for (const rs of rd.readStates) {
      const key = dec.decode(rs.context);
      const floor = n.reads.get(key);
      if (floor === undefined) continue;
      n.reads.delete(key);
      if (rs.index < floor) this.fail(`read ${key} on ${n.id} got index ${rs.index} < ${floor} already acknowledged`);
      this.readsServed++;
    }
    n.raw.advance(rd);
    n.busy = false;
    this.maybeSnapshot(n);
    this.afterEvent(n);
  }

  private apply(n: SimNode, e: Entry): void {
    if (e.index !== n.sm.appliedIndex + 1) this.fail(`${n.id} applies ${e.index} after ${n.sm.appliedIndex}`);
    const key = `${e.type}:${dec.decode(e.data)}`;
    const known = this.committed.get(e.index);
    if (known && (known.term !== e.term || known.key !== key)) {
      this.fail(`${n.id} applies ${e.term}/${e.index} ${key} but ${known.term}/${e.index} ${known.key} was applied elsewhere`);
    }
    if (!known) {
      this.committed.set(e.index, { term: e.term, key });
      if (e.index > this.maxCommitted) this.maxCommitted = e.index;
    }
    let token = '';
    if (e.type === 'conf-change') {
      const cc = decodeConfChange(e.data);
      n.conf = n.raw.applyConfChange(cc);
      token = `conf:${describeConfChange(cc)}`;
      if (cc.type === 'remove') this.everRemoved.add(cc.id);
    } else if (e.data.length > 0) {
      const id = dec.decode(e.data);
      if (n.sm.ids.has(id)) this.fail(`${n.id} applies proposal ${id} twice (again at ${e.index})`);
      n.sm.ids.add(id);
      n.sm.order.push(id);
      token = id;
    }
    if (token) n.sm.hash = SimStateMachine.mix(n.sm.hash, e.index, token);
    n.sm.appliedIndex = e.index;
    this.checkHash(n, e.index, 'apply');
    const p = n.pending.get(e.index);
    if (p) {
      n.pending.delete(e.index);
      if (p.term === e.term && dec.decode(e.data) === p.id) {
        this.acked.set(p.id, e.index);
        if (e.index > this.maxAckedIndex) this.maxAckedIndex = e.index;
      }
    }
  }

  private checkHash(n: SimNode, index: number, what: string): void {
    const h = this.hashAt.get(index);
    if (h === undefined) this.hashAt.set(index, n.sm.hash);
    else if (h !== n.sm.hash) this.fail(`${n.id} state differs at ${index} after ${what}`);
  }

  private maybeSnapshot(n: SimNode): void {
    const applied = n.sm.appliedIndex;
    const snapIndex = n.storage.snapshot().meta.index;
    if (applied - snapIndex < 8 || !this.chance(0.3)) return;
    const term = n.storage.term(applied);
    if (term === null) return;
    n.storage.setSnapshot({ meta: { index: applied, term, confState: n.conf }, data: n.sm.snapshot() });
    // Keep a few entries behind the snapshot sometimes, none other times.
    const keep = this.int(4);
    if (applied - keep > n.storage.firstIndex() - 1) n.storage.compact(applied - keep);
  }

  private checkLeader(n: SimNode): void {
    const r = n.raw.raft;
    if (r.state !== 'leader') return;
    const known = this.leaderOfTerm.get(r.term);
    if (known === undefined) {
      this.leaderOfTerm.set(r.term, n.id);
      this.trace(`${n.id} is leader of term ${r.term}`);
      // Leader completeness: every entry known committed is in the new leader's log.
      const first = r.log.firstIndex();
      for (let i = Math.max(first, 1); i <= this.maxCommitted; i++) {
        const c = this.committed.get(i);
        if (!c) continue;
        const t = r.log.term(i);
        if (t !== c.term) this.fail(`leader ${n.id} of term ${r.term} lacks committed entry ${c.term}/${i} (has term ${t})`);
      }
      if (r.log.lastIndex() < this.maxCommitted && first - 1 < this.maxCommitted) {
        this.fail(`leader ${n.id} of term ${r.term} has last index ${r.log.lastIndex()} < committed ${this.maxCommitted}`);
      }
    } else if (known !== n.id) {
      this.fail(`two leaders in term ${r.term}: ${known} and ${n.id}`);
    }
  }

  // ------------------------------------------------------------------ network

  private send(m: Message): void {
    if (m.type === 'snap') this.snapshotsSent++;
    if (this.faults && this.chance(this.lossRate)) return;
    const copies = this.faults && this.chance(this.dupRate) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const delay = this.faults && this.chance(0.05) ? 20 + this.int(60) : 1 + this.int(5);
      this.q.push(this.now + delay, () => this.deliver(m));
    }
  }

  private deliver(m: Message): void {
    const n = this.nodes.get(m.to);
    if (!n || !n.up) return;
    if (this.cut.has(`${m.from}>${m.to}`)) return;
    n.raw.step(m);
    this.afterEvent(n);
  }

  // ------------------------------------------------------------------ faults and clients

  private crash(n: SimNode): void {
    if (!n.up) return;
    this.crashes++;
    // Peers usually notice at once that the process is gone (connection reset): the transport reports it.
    for (const other of this.nodes.values()) {
      if (other === n || !other.up || !this.chance(0.8)) continue;
      const gen = other.gen;
      this.q.push(this.now + 1 + this.int(3), () => {
        if (!other.up || other.gen !== gen) return;
        other.raw.reportUnreachable(n.id);
        this.afterEvent(other);
      });
    }
    n.up = false;
    n.gen++;
    n.busy = false;
    n.pending.clear();
    n.reads.clear();
  }

  private restart(n: SimNode): void {
    if (n.up) return;
    n.up = true;
    this.trace(`${n.id} restarts`);
    this.boot(n);
    this.afterEvent(n);
  }

  private leader(): SimNode | undefined {
    let best: SimNode | undefined;
    for (const n of this.nodes.values()) {
      if (n.up && n.raw.raft.state === 'leader' && (!best || n.raw.raft.term > best.raw.raft.term)) best = n;
    }
    return best;
  }

  private upNodes(): SimNode[] {
    return [...this.nodes.values()].filter((n) => n.up);
  }

  private pick<T>(xs: readonly T[]): T | undefined {
    return xs.length === 0 ? undefined : xs[this.int(xs.length)];
  }

  private propose(target?: SimNode): void {
    const n = target ?? this.pick(this.upNodes());
    if (!n) return;
    const id = `p${++this.proposalSeq}`;
    try {
      const r = n.raw.propose(enc.encode(id));
      n.pending.set(r.index, { id, index: r.index, term: r.term });
    } catch (err) {
      if (!isCodedError(err, 'NOT_LEADER') && !isCodedError(err, 'PROPOSAL_DROPPED')) throw err;
    }
    this.afterEvent(n);
  }

  private read(): void {
    const n = this.leader();
    if (!n) return;
    const key = `r${++this.readSeq}`;
    try {
      n.raw.readIndex(enc.encode(key));
      n.reads.set(key, this.maxAckedIndex);
    } catch (err) {
      if (!isCodedError(err, 'NOT_LEADER')) throw err;
    }
    this.afterEvent(n);
  }

  private membershipChange(): void {
    const l = this.leader();
    if (!l) return;
    const conf = l.raw.raft.tracker.conf;
    const voters = conf.members.filter((m) => m.role === 'voter');
    const members = conf.members.length;
    try {
      if (members < 6 && (voters.length <= 3 || this.chance(0.5))) {
        const id = nodeId(`n${this.nextNodeNumber++}`);
        this.addNode(id, new MemoryStorage());
        l.raw.proposeConfChange({ type: 'add-learner', id, address: `${id}:9894`, autoPromote: true });
        this.trace(`${l.id} proposes add-learner ${id}`);
      } else if (voters.length > 3) {
        const victim = this.pick(voters)!;
        l.raw.proposeConfChange({ type: 'remove', id: victim.id });
        this.trace(`${l.id} proposes remove ${victim.id}`);
      } else return;
      this.confChanges++;
    } catch (err) {
      if (!isCodedError(err, 'CONF_CHANGE_IN_PROGRESS') && !isCodedError(err, 'PROPOSAL_DROPPED') && !isCodedError(err, 'INVALID_CONF_CHANGE')) throw err;
    }
    this.afterEvent(l);
  }

  private transfer(): void {
    const l = this.leader();
    if (!l) return;
    const target = this.pick(l.raw.raft.tracker.voters.filter((v) => v !== l.id));
    if (!target) return;
    this.trace(`${l.id} transfers leadership to ${target}`);
    l.raw.transferLeader(target);
    this.afterEvent(l);
  }

  private partition(): void {
    const ids = [...this.nodes.keys()];
    const side = new Set(ids.filter(() => this.chance(0.5)));
    this.cut.clear();
    for (const a of ids) for (const b of ids) if (side.has(a) !== side.has(b)) this.cut.add(`${a}>${b}`);
    this.partitions++;
    this.trace(`partition [${[...side].join(',')}] | rest`);
  }

  /** One random client action or fault; called about every 5 time units (a tick is 10). */
  private chaos(): void {
    const roll = this.rng.float();
    if (roll < 0.6) this.propose(this.chance(0.8) ? this.leader() : undefined);
    else if (roll < 0.7) this.read();
    else if (roll < 0.71) {
      const n = this.pick(this.upNodes());
      if (n && this.upNodes().length > 1) {
        this.trace(`${n.id} crashes`);
        this.crash(n);
        this.q.push(this.now + 50 + this.int(400), () => this.restart(n));
      }
    } else if (roll < 0.717) {
      this.partition();
      this.q.push(this.now + 100 + this.int(600), () => {
        this.cut.clear();
        this.trace('heal');
      });
    } else if (roll < 0.721) this.membershipChange();
    else if (roll < 0.724) this.transfer();
    else if (roll < 0.73) {
      // A false alarm: a follower's transport reports its (live) leader unreachable.
      const f = this.pick(this.upNodes().filter((x) => x.raw.raft.state === 'follower' && x.raw.raft.lead !== null));
      if (f) {
        f.raw.reportUnreachable(f.raw.raft.lead!);
        this.afterEvent(f);
      }
    }
  }

  private runUntil(t: number, chaosEvery: number | null): void {
    let nextChaos = chaosEvery === null ? Number.POSITIVE_INFINITY : this.now + 1 + this.int(chaosEvery);
    while (this.now < t) {
      const at = Math.min(this.q.peekTime(), nextChaos, t);
      this.now = at;
      if (at === nextChaos) {
        this.chaos();
        nextChaos = this.now + 1 + this.int(chaosEvery!);
        continue;
      }
      if (at === t && this.q.peekTime() > t) break;
      const e = this.q.pop();
      if (!e) break;
      e.run();
    }
    this.now = t;
  }

  private checkLogMatching(): void {
    const nodes = [...this.nodes.values()];
    for (let a = 0; a < nodes.length; a++) {
      for (let b = a + 1; b < nodes.length; b++) {
        const la = nodes[a]!.storage;
        const lb = nodes[b]!.storage;
        const lo = Math.max(la.firstIndex(), lb.firstIndex());
        const hi = Math.min(la.lastIndex(), lb.lastIndex());
        let top = -1;
        for (let i = hi; i >= lo; i--) {
          if (la.term(i) === lb.term(i)) {
            top = i;
            break;
          }
        }
        for (let i = lo; i <= top; i++) {
          const ea = la.entries(i, i + 1, Number.POSITIVE_INFINITY)[0]!;
          const eb = lb.entries(i, i + 1, Number.POSITIVE_INFINITY)[0]!;
          if (ea.term !== eb.term || dec.decode(ea.data) !== dec.decode(eb.data)) {
            this.fail(`log matching: ${nodes[a]!.id} and ${nodes[b]!.id} agree at ${top} but differ at ${i}`);
          }
        }
      }
    }
  }

  run(): SimReport {
    const checkEvery = 2000;
    for (let t = 0; t < this.opts.duration; t += checkEvery) {
      this.runUntil(Math.min(this.opts.duration, t + checkEvery), 10);
      this.checkLogMatching();
    }
    // Heal everything and let the group converge; no more faults.
    this.faults = false;
    this.cut.clear();
    for (const n of this.nodes.values()) this.restart(n);
    const deadline = this.now + 20_000;
    let converged = false;
    let barrier: string | null = null;
    while (this.now < deadline) {
      this.runUntil(this.now + 200, null);
      const l = this.leader();
      if (!l) continue;
      if (barrier === null || (!this.acked.has(barrier) && l.pending.size === 0)) {
        barrier = `p${this.proposalSeq + 1}`;
        this.propose(l);
        continue;
      }
      if (!this.acked.has(barrier)) continue;
      const members = l.raw.raft.tracker.conf.members.map((m) => this.nodes.get(m.id)!);
      const commit = l.raw.raft.log.committed;
      if (members.every((m) => m.sm.appliedIndex === commit && m.raw.raft.log.committed === commit && m.sm.hash === l.sm.hash)) {
        converged = true;
        break;
      }
    }
    if (!converged) {
      const states = [...this.nodes.values()].map((n) => `${n.id}:${n.raw.raft.state}/t${n.raw.raft.term}/c${n.raw.raft.log.committed}/a${n.sm.appliedIndex}`);
      const l = this.leader();
      const progress = l ? [...(l.raw.status().progress ?? new Map()).entries()].map(([id, p]) => `${id}:${p.state}/m${p.match}/n${p.next}`).join(' ') : 'no leader';
      this.fail(`no convergence 20000 units after healing: ${states.join(' ')}; leader progress: ${progress}`);
    }
    this.checkLogMatching();
    const l = this.leader()!;
    for (const m of l.raw.raft.tracker.conf.members) {
      const n = this.nodes.get(m.id)!;
      for (const id of this.acked.keys()) if (!n.sm.ids.has(id)) this.fail(`acknowledged proposal ${id} is missing on ${n.id}`);
    }
    return {
      seed: this.opts.seed,
      proposals: this.proposalSeq,
      acked: this.acked.size,
      reads: this.readsServed,
      leaders: this.leaderOfTerm.size,
      crashes: this.crashes,
      partitions: this.partitions,
      confChanges: this.confChanges,
      snapshotsSent: this.snapshotsSent,
      finalCommit: l.raw.raft.log.committed,
      members: l.raw.raft.tracker.conf.members.map((m) => `${m.id}${m.role === 'learner' ? '(l)' : ''}`).join(','),
    };
  }
}
