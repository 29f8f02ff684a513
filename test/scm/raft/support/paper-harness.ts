/**
 * Small helpers for tests that drive the core message by message (the paper-rule tests): build a node
 * over MemoryStorage with a given log, read its outgoing messages, persist a Ready like the driver, and a
 * tiny lossless network that runs a set of nodes until quiet.
 */
import { MemoryStorage, RawNode, emptyHardState, message, nodeId, seededRandom, type ConfState, type Entry, type Message, type NodeId } from '../../../../src/scm/raft/index.js';

export const id = nodeId;

export function conf(voters: string[], learners: string[] = []): ConfState {
  return {
    members: [
      ...voters.map((v) => ({ id: id(v), address: `127.0.3.${v.replace(/\D/g, '') || '9'}:9894`, role: 'voter' as const, autoPromote: false })),
      ...learners.map((v) => ({ id: id(v), address: `127.0.3.${v.replace(/\D/g, '') || '9'}:9894`, role: 'learner' as const, autoPromote: false })),
    ].sort((a, b) => (a.id < b.id ? -1 : 1)),
  };
}

export function ent(term: number, index: number, data = ''): Entry {
  return { term, index, type: 'normal', data: new TextEncoder().encode(data) };
}

/** A log given as the terms of entries 1..n (e.g. [1,1,2]). */
export function logOfTerms(terms: number[]): Entry[] {
  return terms.map((t, i) => ent(t, i + 1, `e${i + 1}`));
}

export interface NodeOptions {
  voters: string[];
  learners?: string[];
  terms?: number[];
  term?: number;
  vote?: string | null;
  commit?: number;
  preVote?: boolean;
  checkQuorum?: boolean;
  seed?: number;
  electionTick?: number;
}

export function newNode(self: string, o: NodeOptions): { raw: RawNode; storage: MemoryStorage } {
  const storage = new MemoryStorage();
  // A snapshot at index 0 carries the membership of a log that starts at index 1.
  storage.applySnapshot({ meta: { index: 0, term: 0, confState: conf(o.voters, o.learners) }, data: new Uint8Array(0) });
  storage.append(logOfTerms(o.terms ?? []));
  storage.setHardState({ ...emptyHardState, term: o.term ?? (o.terms?.at(-1) ?? 0), vote: o.vote ? id(o.vote) : null, commit: o.commit ?? 0 });
  const raw = new RawNode(
    {
      id: id(self),
      electionTick: o.electionTick ?? 10,
      electionJitterTicks: o.electionTick ?? 10,
      heartbeatTick: 1,
      random: seededRandom(o.seed ?? 7),
      preVote: o.preVote ?? false,
      checkQuorum: o.checkQuorum ?? false,
    },
    storage,
  );
  return { raw, storage };
}

export function take(raw: RawNode): Message[] {
  const msgs = raw.raft.msgs;
  raw.raft.msgs = [];
  return msgs;
}

export function msg(fields: Omit<Partial<Message>, 'from' | 'to'> & { type: Message['type']; from: string; to: string }): Message {
  return message({ ...fields, from: id(fields.from), to: id(fields.to) });
}

/** Persists and acknowledges whatever the node has ready (as the driver would), returning its messages. */
export function persist(n: { raw: RawNode; storage: MemoryStorage }): Message[] {
  if (!n.raw.hasReady()) return [];
  const rd = n.raw.ready();
  if (rd.snapshot) n.storage.applySnapshot(rd.snapshot);
  n.storage.append(rd.entries);
  if (rd.hardState) n.storage.setHardState(rd.hardState);
  n.raw.advance(rd);
  return [...rd.eagerMessages, ...rd.messages];
}

/** Runs nodes over a lossless network until no messages remain; returns every message delivered. */
export function settle(nodes: Map<NodeId, { raw: RawNode; storage: MemoryStorage }>, drop: (m: Message) => boolean = () => false): Message[] {
  const delivered: Message[] = [];
  for (let round = 0; round < 10_000; round++) {
    const inflight: Message[] = [];
    for (const n of nodes.values()) inflight.push(...persist(n));
    if (inflight.length === 0) return delivered;
    for (const m of inflight) {
      if (drop(m)) continue;
      const to = nodes.get(m.to);
      if (!to) continue;
      delivered.push(m);
      to.raw.step(m);
    }
  }
  throw new Error('network did not settle');
}

export function logTerms(storage: MemoryStorage): number[] {
  const out: number[] = [];
  for (let i = storage.firstIndex(); i <= storage.lastIndex(); i++) out.push(storage.term(i)!);
  return out;
}
