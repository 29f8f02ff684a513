/**
 * The Replicator port over our Raft (`startRaftNode`, docs/raft.md): what `ozone.scm.ratis.enable=true`
 * runs. One Raft group per cluster (group id = clusterID's UUID, peer id = scmUuid, peer address =
 * `<configured host>:<ozone.scm.ratis.port>`), log store under `<ratis dir>/<group uuid>/`, transport
 * bound to the node's configured host (Ozone has no bind-host key for Ratis; several SCMs may share one
 * machine on 127.0.0.x).
 *
 * Contract (in addition to replicator.ts):
 *  - `open` opens the log store and the transport (in that order); `start` starts the Raft node and, for a
 *    bootstrapped SCM whose store is still empty (it never was part of the ring), asks the leader to add
 *    it — Ozone's addSCM on the block port, the leader's `addMember` (learner, promoted to voter once
 *    caught up by log or by snapshot install) — and resolves once the leader confirmed. A join that
 *    cannot be done within `ozone.scm.info.wait.duration` fails the start (REPLICATION_JOIN_FAILED:
 *    "Adding SCM to existing HA group failed").
 *  - `isLeaderReady` becomes true when this node leads and a ReadIndex barrier of its term has resolved:
 *    the leader committed an entry of its own term and applied everything before it (every entry of
 *    earlier terms). Any role or term change makes it false first and is announced to `onRoleChange`
 *    listeners (id batches and datanode command queues are dropped there).
 *  - `submit` proposes on the leader (never forwarded): NotLeaderError with the leader hint when this
 *    node does not lead or the proposal was dropped by a leadership change (clients retry on the hint);
 *    REPLICATION_TIMEOUT after `ozone.scm.ha.ratis.request.timeout` (the entry may still apply).
 *  - a fatal Raft error (storage, state machine) is reported to `onFatal`: the SCM must exit.
 *  - `close` closes node → transport → store (reverse order of opening).
 */
import type { Clock } from '../../common/clock.js';
import { isIPv4 } from 'node:net';
import { isCodedError } from '../../common/coded-error.js';
import type { Logger } from '../../common/logger.js';
import { leaderWait, type ScmConfig } from '../config/scm-config.js';
import { endpointsOf, splitHostPort, type ScmNode } from '../config/scm-topology.js';
import { startRaftNode, type RaftNode } from '../driver/raft-node.js';
import type { RaftStatus } from '../driver/raft-status.js';
import type { SnapshotSource } from '../driver/raft-applier.js';
import { RaftError } from '../raft/raft-error.js';
import { nodeId, type NodeId } from '../raft/types.js';
import { openRaftLogStore, RaftStorageError, type RaftLogStore, type RaftStorageErrorCode } from '../storage/raft-log-store.js';
import type { ScmVersion } from '../storage/version-file.js';
import { encodeCommand } from '../state/command-codec.js';
import type { CommandResult, ScmCommand } from '../state/commands.js';
import { listenRaftTransport, type RaftTlsOptions, type RaftTransport } from '../transport/raft-transport.js';
import { FailoverRpcClient } from '../transport/rpc-failover-client.js';
import type { BlockProtocol } from '../protocols/block-protocol.js';
import type { ClientTls } from '../transport/tls-options.js';
import type { LeaderEndpoint } from './checkpoint-downloader.js';
import { raftAddressOf, raftGroupId, raftStoreLocation } from './raft-group.js';
import { NotLeaderError, ReplicationError, type LeaderHint } from './replication-error.js';
import type { Replicator, ReplicatorStatus, RingPeer, RoleChange, ScmRole } from './replicator.js';
import { ScmStateMachine } from './scm-state-machine.js';
import type { ScmStateStore } from './scm-state-store.js';

export interface RaftReplicatorOptions {
  readonly config: ScmConfig;
  readonly version: ScmVersion;
  readonly stateStore: ScmStateStore;
  readonly logger: Logger;
  readonly clock: Clock;
  /** secure mode: mutual TLS for the Raft port, and this SCM's client identity for addSCM (block port) and checkpoint downloads (inter-SCM port) */
  readonly tls?: { readonly raft?: RaftTlsOptions; readonly rpc?: ClientTls };
  /** the node stopped on a fatal error (storage, state machine): the process must exit */
  readonly onFatal?: (err: Error) => void;
}

/** The configured SCM whose Raft address is host:port (exact match, as Ozone requires). */
function configuredNodeAt(config: ScmConfig, host: string, port: number | undefined): ScmNode | undefined {
  return config.local.nodes.find((n) => n.host === host && n.ports.ratis === port);
}

/** Where to download a checkpoint: the snapshot's sender (§10), else (null: start-up) every other configured SCM. */
export function checkpointSources(config: ScmConfig, from: SnapshotSource | null): LeaderEndpoint[] {
  if (from) {
    const { host, port } = splitHostPort(from.address);
    const node = configuredNodeAt(config, host, port);
    // An SCM missing from our configuration (added later): Ozone assumes identical ports.
    return [{ nodeId: node?.nodeId ?? from.id, host, grpcPort: (node ?? config.local.self).ports.grpc }];
  }
  return config.local.peers.map((p) => ({ nodeId: p.nodeId, host: p.host, grpcPort: p.ports.grpc }));
}

function mapRole(role: RaftStatus['role']): ScmRole {
  return role === 'LEADER' ? 'LEADER' : role === 'CANDIDATE' ? 'CANDIDATE' : 'FOLLOWER';
}

export class RaftReplicator implements Replicator {
  readonly mode = 'raft' as const;
  private node: RaftNode<CommandResult> | undefined;
  private readonly listeners = new Set<(c: RoleChange) => void>();
  private lastRole: ScmRole = 'FOLLOWER';
  private lastTerm = 0;
  private readyTerm = -1;
  private closed = false;
  private readonly stop = new AbortController();
  private unsubscribe: (() => void) | undefined;
  private readonly selfId: NodeId;
  private readonly self: ScmNode;

  private constructor(
    private readonly o: RaftReplicatorOptions,
    private readonly store: RaftLogStore,
    private readonly transport: RaftTransport,
    private readonly machine: ScmStateMachine,
    /** the store was empty: this SCM was bootstrapped and the leader has not added it yet */
    readonly joinNeeded: boolean,
  ) {
    this.selfId = nodeId(o.version.scmUuid);
    this.self = o.config.local.self;
  }

  /** Opens the log store and binds the Raft port. Nothing runs until `start`. */
  static async open(o: RaftReplicatorOptions, options: { signal?: AbortSignal } = {}): Promise<RaftReplicator> {
    const { config, version } = o;
    const id = nodeId(version.scmUuid);
    const groupId = raftGroupId(version.clusterId);
    const store = await openRaftLogStore(raftStoreLocation(config, version.clusterId), { groupId, nodeId: id }, options);
    let transport: RaftTransport;
    try {
      transport = await listenRaftTransport(
        {
          groupId,
          self: id,
          listen: { host: config.bind.ratis, port: config.local.self.ports.ratis },
          advertise: raftAddressOf(config.local.self),
          // SCMs sharing one machine on loopback aliases: each dials from its own address, like separate hosts.
          ...(isLoopback(config.local.ip) ? { dialFrom: config.local.ip } : {}),
          limits: config.limits.ratis,
          logger: o.logger.child({ component: 'raft-transport' }),
          clock: o.clock,
          ...(o.tls?.raft ? { tls: o.tls.raft } : {}),
        },
        options,
      );
    } catch (err) {
      await store.close();
      throw err;
    }
    const joinNeeded = await store.isEmpty().catch(async (err: unknown) => {
      await transport.close();
      await store.close();
      throw err;
    });
    const machine = new ScmStateMachine(o.stateStore, {
      clusterId: version.clusterId,
      snapshotDir: config.dirs.snapshot,
      clock: o.clock,
      logger: o.logger.child({ component: 'scm-state-machine' }),
      checkpointSources: (from) => checkpointSources(config, from),
      ...(o.tls?.rpc ? { tls: o.tls.rpc } : {}),
    });
    return new RaftReplicator(o, store, transport, machine, joinNeeded);
  }

  async start(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.closed) throw new ReplicationError('REPLICATION_CLOSED', 'replicator is closed');
    if (this.node) return;
    const { config, version, logger, clock } = this.o;
    this.node = await withRepairHint(config, () =>
      startRaftNode<CommandResult>(
      {
        id: this.selfId,
        groupId: raftGroupId(version.clusterId),
        store: this.store,
        applier: this.machine,
        transport: this.transport,
        clock,
        logger: logger.child({ component: 'raft' }),
        electionTimeoutMs: config.timing.electionTimeoutMs,
        electionJitterMs: 200, // Ratis: rpc.timeout.max = min + 200 ms
        snapshotThreshold: config.sizing.snapshotThreshold,
        compactionMargin: config.sizing.raftLogKeptEntries,
      },
      options,
    ));
    this.unsubscribe = this.node.on((e) => {
      if (e.type === 'role' || e.type === 'leader') this.refreshRole();
      else if (e.type === 'fatal') {
        logger.error('Raft stopped on a fatal error; the SCM must stop', { error: e.error.message, code: (e.error as { code?: string }).code });
        this.o.onFatal?.(lostLogAtRuntime(config, e.error));
      }
    });
    this.refreshRole();
    if (this.joinNeeded) await this.join(options.signal);
  }

  /** Ozone's addSCM at first start: ask the leader (block port of the other SCMs, following hints) to add us. */
  private async join(signal?: AbortSignal): Promise<void> {
    const { config, version, logger } = this.o;
    const peers = config.local.peers;
    const ratisAddress = raftAddressOf(this.self);
    if (peers.length === 0) {
      throw new ReplicationError('REPLICATION_JOIN_FAILED', `Adding SCM to existing HA group failed: this SCM (${version.scmUuid}) has no Raft state and no other SCM is configured to add it`, {
        hint: 'run ozone scm --init on the primordial SCM, or list the other SCMs in ozone.scm.nodes.<service>',
      });
    }
    const client = new FailoverRpcClient<BlockProtocol>(
      endpointsOf(peers, 'block'),
      {
        ...(this.o.tls?.rpc ? { tls: this.o.tls.rpc } : {}),
        ...leaderWait(config.timing),
        callTimeoutMs: config.timing.requestTimeoutMs,
        clock: this.o.clock,
        onFailover: (from, to, reason) => logger.info('addSCM: trying another SCM', { from: from.nodeId, to: to.nodeId, reason: reason.message }),
      },
    );
    const abort = AbortSignal.any([this.stop.signal, ...(signal ? [signal] : [])]);
    logger.info('asking the leader to add this SCM to the ring', { scmId: version.scmUuid, ratisAddress });
    try {
      await client.call('addScm', { clusterId: version.clusterId, scmId: version.scmUuid, ratisAddress }, { signal: abort });
    } catch (err) {
      throw new ReplicationError('REPLICATION_JOIN_FAILED', `Adding SCM to existing HA group failed: ${(err as Error).message}`, {
        cause: err,
        hint: 'check that a leader is running (ozone admin scm roles) and that this SCM was bootstrapped into the same cluster',
      });
    } finally {
      await client.close();
    }
    await this.untilVoterHere(abort);
    logger.info('this SCM was added to the ring', { scmId: version.scmUuid, ratisAddress });
  }

  /** The leader confirmed the promotion; resolves once this node applied it too (it learns it by replication). */
  private untilVoterHere(signal: AbortSignal): Promise<void> {
    const node = this.node!;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (node.status().membership === 'voter') finish();
      };
      const onAbort = (): void => {
        unsubscribe();
        reject(signal.reason);
      };
      const finish = (): void => {
        unsubscribe();
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const unsubscribe = node.on((e) => {
        if (e.type === 'membership' || e.type === 'applied') check();
      });
      signal.addEventListener('abort', onAbort, { once: true });
      check();
    });
  }

  private refreshRole(): void {
    if (!this.node) return;
    const st = this.node.status();
    const role = mapRole(st.role);
    if (role === this.lastRole && st.term === this.lastTerm) return;
    this.lastRole = role;
    this.lastTerm = st.term;
    this.readyTerm = -1;
    const change: RoleChange = { role, term: st.term, leader: this.hintOf(st) };
    this.o.logger.info('role changed', { role, term: st.term, leader: change.leader?.nodeId ?? change.leader?.scmUuid ?? null });
    for (const l of [...this.listeners]) l(change);
    if (role === 'LEADER') this.awaitReady(st.term);
  }

  /** Leader-ready = a ReadIndex barrier of this term resolved (its empty entry and all before it applied). */
  private awaitReady(term: number): void {
    const node = this.node;
    if (!node || this.closed) return;
    node.readBarrier({ signal: this.stop.signal }).then(
      () => {
        if (this.lastRole === 'LEADER' && this.lastTerm === term && node.status().term === term) {
          this.readyTerm = term;
          this.o.logger.info('leader ready', { term, applied: node.status().appliedIndex });
        }
      },
      (err: unknown) => {
        if (this.closed || this.lastRole !== 'LEADER' || this.lastTerm !== term) return;
        this.o.logger.debug('leader-ready barrier failed; retrying', { term, error: (err as Error).message });
        this.o.clock.setTimeout(() => {
          if (this.lastRole === 'LEADER' && this.lastTerm === term) this.awaitReady(term);
        }, 50);
      },
    );
  }

  async submit(command: ScmCommand, options: { signal?: AbortSignal } = {}): Promise<CommandResult> {
    if (this.closed) throw new ReplicationError('REPLICATION_CLOSED', 'replicator is closed');
    const node = this.node;
    if (!node) throw new NotLeaderError('FOLLOWER', undefined, 'SCM is starting; not the leader yet');
    if (options.signal?.aborted) throw new ReplicationError('REPLICATION_ABORTED', 'submit aborted', { cause: options.signal.reason });
    if (this.lastRole !== 'LEADER') throw new NotLeaderError(this.lastRole, this.leaderHint());
    const timeout = AbortSignal.timeout(this.o.config.timing.requestTimeoutMs);
    const signal = AbortSignal.any([timeout, this.stop.signal, ...(options.signal ? [options.signal] : [])]);
    let result: CommandResult | undefined;
    try {
      result = await node.propose(encodeCommand(command), { signal });
    } catch (err) {
      if (timeout.aborted) throw new ReplicationError('REPLICATION_TIMEOUT', `${command.type} was not applied within ${this.o.config.timing.requestTimeoutMs} ms (ozone.scm.ha.ratis.request.timeout); it may still apply`, { cause: err });
      if (options.signal?.aborted) throw new ReplicationError('REPLICATION_ABORTED', `${command.type} aborted after it was handed to the log; it may still apply`, { cause: err });
      throw this.mapError(err);
    }
    if (result === undefined) {
      throw new ReplicationError('REPLICATION_FAILED', `the outcome of ${command.type} is unknown here (this SCM installed a checkpoint covering it)`, { hint: 'retry the request' });
    }
    return result;
  }

  private mapError(err: unknown): unknown {
    if (!(err instanceof RaftError)) return err;
    switch (err.code) {
      case 'NOT_LEADER':
      case 'PROPOSAL_DROPPED':
        // dropped = a leadership change or transfer overtook it, or too many uncommitted entries: the
        // client retries (on the hinted leader, or here after a pause when the hint names this node)
        return new NotLeaderError(mapRole(this.node?.status().role ?? 'FOLLOWER'), this.leaderHint(), err.message);
      case 'RAFT_CLOSED':
        return new ReplicationError('REPLICATION_CLOSED', err.message, { cause: err });
      default:
        return new ReplicationError('REPLICATION_FAILED', err.message, { cause: err });
    }
  }

  role(): ScmRole {
    return this.node && !this.closed ? mapRole(this.node.leadership().role) : 'FOLLOWER';
  }

  term(): number {
    return this.node?.leadership().term ?? 0;
  }

  isLeaderReady(): boolean {
    if (!this.node || this.closed) return false;
    const st = this.node.leadership();
    return st.role === 'LEADER' && this.readyTerm === st.term && !st.failed;
  }

  leaderHint(): LeaderHint | undefined {
    return this.node ? this.hintOf(this.node.status()) : undefined;
  }

  private hintOf(st: RaftStatus): LeaderHint | undefined {
    if (!st.leader || !st.leader.address) return undefined;
    const { host, port } = splitHostPort(st.leader.address);
    const node = this.nodeAt(host, port);
    return { scmUuid: st.leader.id, host, ...(node ? { nodeId: node.nodeId } : {}) };
  }

  private nodeAt(host: string, port: number | undefined): ScmNode | undefined {
    return configuredNodeAt(this.o.config, host, port);
  }

  status(): ReplicatorStatus {
    const applied = this.o.stateStore.lastApplied()?.index ?? 0;
    if (!this.node) return { mode: 'raft', role: 'FOLLOWER', term: 0, leader: undefined, commitIndex: 0, appliedIndex: applied, peers: [] };
    const st = this.node.status();
    const peers: RingPeer[] = st.peers.map((p) => {
      const { host, port } = splitHostPort(p.address);
      const node = this.nodeAt(host, port);
      const health =
        st.role === 'LEADER' && !p.isSelf
          ? { reachable: (p.lastContactMs ?? 0) <= this.o.config.timing.electionTimeoutMs, lagging: p.lagging === true, lastContactMs: p.lastContactMs ?? 0, matchIndex: p.matchIndex ?? 0 }
          : undefined;
      return { scmUuid: p.id, host, ratisPort: port ?? 0, role: p.isLeader ? 'LEADER' : 'FOLLOWER', ...(node ? { nodeId: node.nodeId } : {}), ...(health ? { health } : {}) };
    });
    const m = this.node.metrics();
    return {
      mode: 'raft',
      role: mapRole(st.role),
      term: st.term,
      leader: this.hintOf(st),
      commitIndex: st.commitIndex,
      appliedIndex: st.appliedIndex,
      peers,
      raft: {
        groupId: st.groupId,
        membership: st.membership,
        lastIndex: st.lastIndex,
        snapshotIndex: st.snapshotIndex,
        snapshotsTaken: m.snapshotsTaken,
        snapshotsInstalled: m.snapshotsInstalled,
        checkpointsInstalled: this.machine.checkpointInstalls.length,
        lastCheckpoint: this.machine.checkpointInstalls.at(-1) ?? null,
        stateMachineApplied: applied,
      },
    };
  }

  onRoleChange(listener: (c: RoleChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async addPeer(peer: { scmUuid: string; host: string; ratisPort: number }, options: { signal?: AbortSignal } = {}): Promise<void> {
    const address = raftAddressOf({ nodeId: '', host: peer.host, ports: { ...this.self.ports, ratis: peer.ratisPort } });
    this.o.logger.info('adding SCM to the ring', { scmId: peer.scmUuid, address });
    await this.changeMembership((node, o) => node.addMember(nodeId(peer.scmUuid), address, o), options.signal);
    this.o.logger.info('SCM is a voting member now', { scmId: peer.scmUuid, address });
  }

  async removePeer(scmUuid: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    if (scmUuid === this.o.version.scmUuid) {
      throw new ReplicationError('REPLICATION_UNSUPPORTED', 'Cannot remove current leader.', { hint: 'transfer leadership to another SCM first (ozone admin scm transfer)' });
    }
    this.o.logger.info('removing SCM from the ring', { scmId: scmUuid });
    await this.changeMembership((node, o) => node.removeMember(nodeId(scmUuid), o), options.signal);
    this.o.logger.info('SCM removed from the ring', { scmId: scmUuid });
  }

  /**
   * One membership change at a time: changes asked together wait for each other (Ratis answers
   * ReconfigurationInProgress and its client retries the same server); each try on the current leader.
   */
  private async changeMembership(change: (node: RaftNode<CommandResult>, o: { signal?: AbortSignal }) => Promise<void>, signal: AbortSignal | undefined): Promise<void> {
    const o = signal ? { signal } : {};
    for (;;) {
      const node = this.requireLeader();
      try {
        await change(node, o);
        return;
      } catch (err) {
        if (!(err instanceof RaftError && err.code === 'CONF_CHANGE_IN_PROGRESS')) throw this.mapError(err);
      }
      await this.o.clock.sleep(50, o);
    }
  }

  async transferLeadership(targetScmUuid: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    const node = this.requireLeader();
    try {
      await node.transferLeadership(nodeId(targetScmUuid), options.signal ? { signal: options.signal } : {});
    } catch (err) {
      throw this.mapError(err);
    }
  }

  private requireLeader(): RaftNode<CommandResult> {
    if (this.closed) throw new ReplicationError('REPLICATION_CLOSED', 'replicator is closed');
    if (!this.node || !this.isLeaderReady()) throw new NotLeaderError(this.role(), this.leaderHint());
    return this.node;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stop.abort(new ReplicationError('REPLICATION_CLOSED', 'replicator closed'));
    this.unsubscribe?.();
    await this.node?.close();
    await this.transport.close();
    await this.store.close();
  }
}

/**
 * A damaged or lost Raft log cannot heal by restarting: name the command that rejoins this SCM
 * (docs/operations.md § Repair) instead of the generic advice of the log store.
 */
async function withRepairHint<T>(config: ScmConfig, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    if (isCodedError(err, 'RAFT_LOG_CORRUPT') || isCodedError(err, 'RAFT_LOG_LOST')) throw repairable(config, err);
    throw err;
  }
}

/** The error again, with the hint that names this SCM's repair. */
function repairable(config: ScmConfig, err: RaftStorageError | (Error & { code: string })): RaftStorageError {
  const node = config.local.self.nodeId;
  return new RaftStorageError(err.code as RaftStorageErrorCode, err.message, {
    cause: err,
    hint: `this SCM must rejoin the ring: run \`scmctl repair ${node}\` (it moves this SCM's Raft and scm.db directories aside, never deletes them), or by hand: \`ozone admin scm decommission --nodeid=<this scmUuid>\` on the leader, move ${config.dirs.ratis} and ${config.dirs.db} aside, \`ozone scm --bootstrap\`, start`,
  });
}

function isLoopback(ip: string): boolean {
  return ip === '::1' || (isIPv4(ip) && ip.startsWith('127.'));
}

/**
 * A leader telling this node that entries beyond its log are committed means the log lost entries this node
 * had acknowledged (deleted or truncated while it was down, in a way the start-up check could not see):
 * the same repair as RAFT_LOG_LOST at start.
 */
function lostLogAtRuntime(config: ScmConfig, err: Error): Error {
  if (!isCodedError(err, 'INTERNAL') || !/beyond the last index/.test(err.message)) return err;
  return repairable(config, new RaftStorageError('RAFT_LOG_LOST', `${err.message}: this SCM's Raft log lost entries it had acknowledged`, { cause: err }));
}
