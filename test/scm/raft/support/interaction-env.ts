/**
 * The interaction environment behind the datadriven transcripts (test/scm/raft/testdata/*.txt): a set of
 * RawNodes over MemoryStorage and a deterministic in-memory network with partitions. Each node handles
 * its Ready exactly as the driver does (persist → storage → send → apply → advance), so transcripts show
 * the core's observable behaviour message by message.
 *
 * Commands (see handle()):
 *   add-nodes N [voters=(..)] [learners=(..)] [index=I]  new nodes; with index=I storage starts from a
 *                                                        snapshot at I (term 1) holding that membership
 *   campaign ID | tick-election ID | tick-heartbeat ID | tick ID N
 *   propose ID DATA | propose-conf-change ID add-learner|add-voter|promote|remove TARGET [auto-promote]
 *   transfer-leadership from=ID to=ID | read-index ID CTX | report-unreachable ID PEER
 *   process-ready ID.. | deliver-msgs ID.. [drop] | stabilize [ID..]
 *   isolate ID | partition (A,B) (C,..) | heal | heal-link A B | crash ID | restart ID
 *   snapshot-compact ID | status ID | raft-log ID | raft-state | applied ID
 */
import { MemoryStorage, RawNode, decodeConfChange, describeConfChange, emptyHardState, nodeId, seededRandom, type ConfState, type Entry, type Member, type Message, type NodeId, type Ready } from '../../../../src/scm/raft/index.js';
import type { DataCommand } from '../../../support/datadriven.js';

const dec = new TextDecoder();
const enc = new TextEncoder();

export function addr(id: string): string {
  return `127.0.3.${id}:9894`;
}

export function describeEntry(e: Entry): string {
  if (e.type === 'conf-change') return `${e.term}/${e.index} EntryConfChange ${describeConfChange(decodeConfChange(e.data))}`;
  return `${e.term}/${e.index} EntryNormal ${JSON.stringify(dec.decode(e.data))}`;
}

export function describeConf(cs: ConfState): string {
  const voters = cs.members.filter((m) => m.role === 'voter').map((m) => m.id);
  const learners = cs.members.filter((m) => m.role === 'learner').map((m) => `${m.id}${m.autoPromote ? '*' : ''}`);
  return `Voters:[${voters.join(' ')}] Learners:[${learners.join(' ')}]`;
}

export function describeMessage(m: Message): string {
  const typeName: Record<Message['type'], string> = {
    app: 'MsgApp',
    'app-resp': 'MsgAppResp',
    vote: 'MsgVote',
    'vote-resp': 'MsgVoteResp',
    'pre-vote': 'MsgPreVote',
    'pre-vote-resp': 'MsgPreVoteResp',
    snap: 'MsgSnap',
    heartbeat: 'MsgHeartbeat',
    'heartbeat-resp': 'MsgHeartbeatResp',
    'timeout-now': 'MsgTimeoutNow',
  };
  let s = `${m.from}->${m.to} ${typeName[m.type]} Term:${m.term} Log:${m.logTerm}/${m.index}`;
  if (m.type === 'app' || m.type === 'heartbeat') s += ` Commit:${m.commit}`;
  if (m.reject) s += ` Rejected (Hint: ${m.rejectHint})`;
  if (m.context && m.context.length > 0) s += ` Context:${dec.decode(m.context)}`;
  if (m.entries.length > 0) s += ` Entries:[${m.entries.map(describeEntry).join(', ')}]`;
  if (m.snapshot) s += ` Snapshot: Index:${m.snapshot.meta.index} Term:${m.snapshot.meta.term} ${describeConf(m.snapshot.meta.confState)}`;
  return s;
}

interface EnvNode {
  id: NodeId;
  storage: MemoryStorage;
  raw: RawNode;
  /** Normal, non-empty entries applied, in order (the "state machine"). */
  applied: string[];
  appliedIndex: number;
  conf: ConfState;
  crashed: boolean;
}

const stateName = { follower: 'StateFollower', 'pre-candidate': 'StatePreCandidate', candidate: 'StateCandidate', leader: 'StateLeader' } as const;

export class InteractionEnv {
  readonly nodes = new Map<NodeId, EnvNode>();
  private inbox = new Map<NodeId, Message[]>();
  private cut = new Set<string>();
  private out: string[] = [];
  private readonly electionTick = 10;
  private readonly heartbeatTick = 1;

  private log(line: string): void {
    this.out.push(line);
  }

  private makeRaw(id: NodeId, storage: MemoryStorage, applied: number): RawNode {
    // Fixed seed per node id: transcripts are stable. Jitter 1 keeps the election timeout exactly electionTick.
    return new RawNode(
      {
        id,
        electionTick: this.electionTick,
        electionJitterTicks: 1,
        heartbeatTick: this.heartbeatTick,
        random: seededRandom(Number.parseInt(id, 36)),
        applied,
        maxInflightMsgs: 4,
        maxSizePerMsg: 1 << 20,
        promoteLagEntries: 0,
      },
      storage,
    );
  }

  handle(c: DataCommand): string {
    this.out = [];
    const ids = (): NodeId[] => c.args.map((a) => nodeId(a));
    switch (c.cmd) {
      case 'add-nodes':
        this.addNodes(Number(c.args[0]), c);
        break;
      case 'campaign':
        this.node(c.args[0]!).raw.campaign();
        break;
      case 'tick-election':
        for (let i = 0; i < this.electionTick; i++) this.node(c.args[0]!).raw.tick();
        break;
      case 'tick-heartbeat':
        for (let i = 0; i < this.heartbeatTick; i++) this.node(c.args[0]!).raw.tick();
        break;
      case 'tick':
        for (let i = 0; i < Number(c.args[1] ?? 1); i++) this.node(c.args[0]!).raw.tick();
        break;
      case 'propose': {
        const n = this.node(c.args[0]!);
        const r = n.raw.propose(enc.encode(c.args[1] ?? ''));
        this.log(`proposed at ${r.term}/${r.index}`);
        break;
      }
      case 'propose-conf-change': {
        const n = this.node(c.args[0]!);
        const [, type, target, flag] = c.args;
        const id = nodeId(target!);
        const cc =
          type === 'add-learner'
            ? { type: 'add-learner' as const, id, address: addr(target!), autoPromote: flag === 'auto-promote' }
            : type === 'add-voter'
              ? { type: 'add-voter' as const, id, address: addr(target!) }
              : type === 'promote'
                ? { type: 'promote' as const, id }
                : { type: 'remove' as const, id };
        const r = n.raw.proposeConfChange(cc);
        this.log(`proposed ${describeConfChange(cc)} at ${r.term}/${r.index}`);
        break;
      }
      case 'transfer-leadership':
        this.node(c.kv.get('from')![0]!).raw.transferLeader(nodeId(c.kv.get('to')![0]!));
        break;
      case 'report-unreachable':
        this.node(c.args[0]!).raw.reportUnreachable(nodeId(c.args[1]!));
        break;
      case 'read-index':
        this.node(c.args[0]!).raw.readIndex(enc.encode(c.args[1]!));
        break;
      case 'process-ready':
        for (const id of ids()) this.processReady(id);
        break;
      case 'deliver-msgs':
        for (const id of ids()) this.deliver(id, c.kv.has('drop'));
        break;
      case 'stabilize':
        this.stabilize(c.args.length > 0 ? ids() : [...this.nodes.keys()]);
        break;
      case 'isolate': {
        const id = c.args[0]!;
        for (const other of this.nodes.keys()) if (other !== id) this.cutLink(id, other);
        break;
      }
      case 'partition': {
        const groups = c.raw
          .slice('partition'.length)
          .trim()
          .match(/\(([^)]*)\)/g)!
          .map((g) => g.slice(1, -1).split(',').map((s) => s.trim()));
        for (let i = 0; i < groups.length; i++)
          for (let j = i + 1; j < groups.length; j++) for (const a of groups[i]!) for (const b of groups[j]!) this.cutLink(a, b);
        break;
      }
      case 'heal':
        this.cut.clear();
        break;
      case 'heal-link':
        this.cut.delete(`${c.args[0]}>${c.args[1]}`);
        this.cut.delete(`${c.args[1]}>${c.args[0]}`);
        break;
      case 'crash': {
        const n = this.node(c.args[0]!);
        n.crashed = true;
        this.inbox.set(n.id, []);
        break;
      }
      case 'restart': {
        const n = this.node(c.args[0]!);
        n.crashed = false;
        // The state machine is volatile: restart from the storage's snapshot and replay.
        const snap = n.storage.snapshot();
        n.applied = dec.decode(snap.data) === '' ? [] : (JSON.parse(dec.decode(snap.data)) as string[]);
        n.appliedIndex = snap.meta.index;
        n.conf = n.storage.initialState().confState;
        n.raw = this.makeRaw(n.id, n.storage, snap.meta.index);
        break;
      }
      case 'snapshot-compact': {
        const n = this.node(c.args[0]!);
        const snap = { meta: { index: n.appliedIndex, term: n.storage.term(n.appliedIndex)!, confState: n.conf }, data: enc.encode(JSON.stringify(n.applied)) };
        n.storage.setSnapshot(snap);
        n.storage.compact(n.appliedIndex);
        this.log(`snapshot at ${snap.meta.term}/${snap.meta.index}, log now starts at ${n.storage.firstIndex()}`);
        break;
      }
      case 'status':
        this.status(this.node(c.args[0]!));
        break;
      case 'raft-log': {
        const n = this.node(c.args[0]!);
        const first = n.storage.firstIndex();
        const last = n.storage.lastIndex();
        if (last < first) this.log(`log is empty: first index=${first}, last index=${last}`);
        else for (const e of n.storage.entries(first, last + 1, Number.POSITIVE_INFINITY)) this.log(describeEntry(e));
        break;
      }
      case 'raft-state':
        for (const n of this.nodes.values()) {
          const s = n.raw.status();
          this.log(`${n.id}: ${stateName[s.state]}${n.crashed ? ' (crashed)' : ''} (${this.membership(n)}) Term:${s.term} Lead:${s.lead ?? 0}`);
        }
        break;
      case 'applied': {
        const n = this.node(c.args[0]!);
        this.log(`applied index ${n.appliedIndex}: [${n.applied.join(' ')}]`);
        break;
      }
      default:
        throw new Error(`unknown command ${c.cmd}`);
    }
    return this.out.join('\n');
  }

  private membership(n: EnvNode): string {
    const m = n.raw.status().conf.members.find((x) => x.id === n.id);
    return m ? (m.role === 'voter' ? 'Voter' : 'Learner') : 'Non-member';
  }

  private node(id: string): EnvNode {
    const n = this.nodes.get(nodeId(id));
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  private cutLink(a: string, b: string): void {
    this.cut.add(`${a}>${b}`);
    this.cut.add(`${b}>${a}`);
  }

  private addNodes(count: number, c: DataCommand): void {
    const voters = c.kv.get('voters') ?? [];
    const learners = c.kv.get('learners') ?? [];
    const index = Number(c.kv.get('index')?.[0] ?? 0);
    const members: Member[] = [
      ...voters.map((v) => ({ id: nodeId(v), address: addr(v), role: 'voter' as const, autoPromote: false })),
      ...learners.map((v) => ({ id: nodeId(v), address: addr(v), role: 'learner' as const, autoPromote: false })),
    ].sort((a, b) => (a.id < b.id ? -1 : 1));
    const conf: ConfState = { members };
    const base = this.nodes.size;
    for (let i = 1; i <= count; i++) {
      const id = nodeId(String(base + i));
      const storage = new MemoryStorage();
      if (index > 0) {
        storage.applySnapshot({ meta: { index, term: 1, confState: conf }, data: enc.encode('[]') });
        storage.setHardState({ ...emptyHardState, term: 1, commit: index });
      }
      const n: EnvNode = { id, storage, raw: this.makeRaw(id, storage, index), applied: [], appliedIndex: index, conf: index > 0 ? conf : { members: [] }, crashed: false };
      this.nodes.set(id, n);
      this.inbox.set(id, []);
    }
  }

  private processReady(id: NodeId): void {
    const n = this.nodes.get(id)!;
    if (n.crashed || !n.raw.hasReady()) return;
    const rd: Ready = n.raw.ready();
    this.log(`> ${id} handling Ready`);
    if (rd.softState) this.log(`  Lead:${rd.softState.lead ?? 0} State:${stateName[rd.softState.state]}`);
    if (rd.hardState) this.log(`  HardState Term:${rd.hardState.term} Vote:${rd.hardState.vote ?? 0} Commit:${rd.hardState.commit}`);
    if (rd.entries.length > 0) {
      this.log('  Entries:');
      for (const e of rd.entries) this.log(`  ${describeEntry(e)}`);
    }
    if (rd.snapshot) this.log(`  Snapshot Index:${rd.snapshot.meta.index} Term:${rd.snapshot.meta.term} ${describeConf(rd.snapshot.meta.confState)}`);
    if (rd.committedEntries.length > 0) {
      this.log('  CommittedEntries:');
      for (const e of rd.committedEntries) this.log(`  ${describeEntry(e)}`);
    }
    const msgs = [...rd.eagerMessages, ...rd.messages];
    if (msgs.length > 0) {
      this.log('  Messages:');
      for (const m of msgs) this.log(`  ${describeMessage(m)}${this.cut.has(`${m.from}>${m.to}`) ? ' (lost: partition)' : ''}`);
    }
    for (const rs of rd.readStates) this.log(`  ReadState Index:${rs.index} Context:${dec.decode(rs.context)}`);
    // persist
    if (rd.snapshot) {
      n.storage.applySnapshot(rd.snapshot);
      n.applied = JSON.parse(dec.decode(rd.snapshot.data)) as string[];
      n.appliedIndex = rd.snapshot.meta.index;
      n.conf = rd.snapshot.meta.confState;
    }
    n.storage.append(rd.entries);
    if (rd.hardState) n.storage.setHardState(rd.hardState);
    // A message sent across a cut link is lost on the spot (it does not wait for the heal).
    for (const m of msgs) if (!this.cut.has(`${m.from}>${m.to}`)) this.inbox.get(m.to)?.push(m);
    for (const e of rd.committedEntries) {
      if (e.type === 'conf-change') {
        const cc = decodeConfChange(e.data);
        n.conf = n.raw.applyConfChange(cc);
        this.log(`  INFO ${id} applied ${describeConfChange(cc)}; now ${describeConf(n.conf)}`);
      } else if (e.data.length > 0) n.applied.push(dec.decode(e.data));
      n.appliedIndex = e.index;
    }
    n.raw.advance(rd);
  }

  private deliver(id: NodeId, drop: boolean): number {
    const n = this.nodes.get(id);
    const msgs = this.inbox.get(id) ?? [];
    this.inbox.set(id, []);
    if (!n || msgs.length === 0) return 0;
    for (const m of msgs) {
      if (drop) {
        this.log(`dropped: ${describeMessage(m)}`);
        continue;
      }
      if (n.crashed || this.cut.has(`${m.from}>${m.to}`)) {
        this.log(`dropped: ${describeMessage(m)}`);
        continue;
      }
      this.log(describeMessage(m));
      n.raw.step(m);
    }
    return msgs.length;
  }

  private stabilize(ids: NodeId[]): void {
    for (let round = 0; round < 1000; round++) {
      let busy = false;
      for (const id of ids) {
        const n = this.nodes.get(id)!;
        if (!n.crashed && n.raw.hasReady()) {
          busy = true;
          this.processReady(id);
        }
      }
      for (const id of ids) {
        if ((this.inbox.get(id) ?? []).length > 0) {
          busy = true;
          this.log(`> ${id} receiving messages`);
          const before = this.out.length;
          this.deliver(id, false);
          for (let i = before; i < this.out.length; i++) this.out[i] = `  ${this.out[i]}`;
        }
      }
      if (!busy) return;
    }
    throw new Error('stabilize did not converge in 1000 rounds');
  }

  private status(n: EnvNode): void {
    const s = n.raw.status();
    this.log(`${n.id}: ${stateName[s.state]} Term:${s.term} Lead:${s.lead ?? 0} Commit:${s.commit} Applied:${s.applied} Last:${s.lastIndex} ${describeConf(s.conf)}`);
    if (s.progress) for (const [id, p] of s.progress) this.log(`  ${id}: ${p.state} match=${p.match} next=${p.next}${p.recentActive ? ' active' : ''}`);
  }
}
