/**
 * Connects a running SCM to its SafeModeManager, the way Ozone's event queue feeds SCMSafeModeManager's rules:
 *   - a registration (SCMDatanodeProtocolServer#register)        → NODE_REGISTRATION (DataNodeSafeModeRule)
 *   - a heartbeat's container report (ContainerReportHandler)    → CONTAINER_REPORT (container rules)
 *   - a heartbeat's pipeline report (SCMDatanodeHeartbeatDispatcher) → PIPELINE_REPORT (OneReplica rule), and
 *     OPEN_PIPELINE for each reported OPEN pipeline that every member has reported (PipelineReportHandler)
 *   - replicated changes applied here (SCMStateMachine#applyTransaction) → OPEN_PIPELINE for pipelines that
 *     just opened with their reports already in, then `refreshAndValidate` once the state machine is ready
 *   - a leader becoming known (SCMStateMachine#notifyLeaderChanged)  → STATEMACHINE_READY + refreshAndValidate.
 * A pipeline opens on the leader's replicated `updatePipelineState` after its members reported it, so the
 * apply event — not the next heartbeat — is what lets a follower or the leader count it. `onActivity` is told
 * after every event handled in safe mode (the safe mode pipeline creator checks then).
 */
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { SafeModeConfig } from '../config/safe-mode-config.js';
import type { Replicator } from '../replication/replicator.js';
import type { ScmStateStore } from '../replication/scm-state-store.js';
import type { ContainerInfo, PipelineInfo } from '../state/records.js';
import type { ScmState } from '../state/scm-state.js';
import type { NodeHealth, NodeManager } from './node-manager.js';
import type { PipelineManager } from './pipeline-manager.js';
import { SafeModeManager } from './safe-mode-manager.js';
import { SafeModePipelineCreator } from './safe-mode-pipeline-creator.js';
import type { SafeModeSources } from './safe-mode-rule.js';

/** The rules' view of this SCM: replicated state, datanodes as this SCM sees them, Raft readiness. */
export class ScmSafeModeSources implements SafeModeSources {
  private ready: boolean;

  constructor(
    private readonly state: () => ScmState,
    private readonly nodes: NodeManager,
    private readonly replicator: Replicator,
  ) {
    this.ready = replicator.mode === 'standalone';
  }

  containers(): Iterable<ContainerInfo> {
    return this.state().containers.values();
  }

  pipelines(): Iterable<PipelineInfo> {
    return this.state().pipelines.values();
  }

  pipeline(id: string): PipelineInfo | undefined {
    return this.state().pipeline(id);
  }

  nodeHealth(uuid: string): NodeHealth | undefined {
    const rec = this.nodes.get(uuid);
    return rec ? this.nodes.health(rec) : undefined;
  }

  stateMachineReady(): boolean {
    return this.ready;
  }

  /** Latches readiness once a leader is known (this SCM or another); true when it just became ready. */
  checkReady(): boolean {
    if (this.ready) return false;
    if (!this.replicator.isLeaderReady() && this.replicator.leaderHint() === undefined) return false;
    this.ready = true;
    return true;
  }

  /** every member's latest pipeline report names this pipeline (Ozone's Pipeline#isHealthy) */
  reportedByAll(p: PipelineInfo): boolean {
    return p.nodes.every((n) => this.nodes.get(n.uuid)?.pipelines.some((r) => r.pipelineID === p.id) === true);
  }
}

export function connectSafeModeEvents(o: {
  readonly manager: SafeModeManager;
  readonly sources: ScmSafeModeSources;
  readonly nodes: NodeManager;
  readonly stateStore: ScmStateStore;
  readonly replicator: Replicator;
  readonly state: () => ScmState;
  readonly onActivity?: () => void;
}): () => void {
  const { manager, sources } = o;
  const ready = (): void => {
    if (!sources.checkReady()) return;
    manager.fire({ type: 'STATEMACHINE_READY' });
    manager.refreshAndValidate();
  };
  const openPipelines = (candidates: Iterable<PipelineInfo | undefined>): void => {
    for (const p of candidates) if (p && p.state === 'OPEN' && sources.reportedByAll(p)) manager.fire({ type: 'OPEN_PIPELINE', pipeline: p });
  };
  const after = (): void => o.onActivity?.();
  const subscriptions = [
    o.nodes.onRegister((dn) => {
      if (!manager.inSafeMode()) return;
      ready();
      manager.fire({ type: 'NODE_REGISTRATION', datanode: dn.uuid });
      after();
    }),
    o.nodes.onReport((dn, req) => {
      if (!manager.inSafeMode()) return;
      ready();
      const uuid = dn.details.uuid;
      if (req.containers) manager.fire({ type: 'CONTAINER_REPORT', datanode: uuid, containerIDs: req.containers.map((c) => c.containerID) });
      if (req.pipelines) {
        manager.fire({ type: 'PIPELINE_REPORT', datanode: uuid, pipelineIDs: req.pipelines.map((p) => p.pipelineID) });
        openPipelines(req.pipelines.map((p) => o.state().pipeline(p.pipelineID)));
      }
      after();
    }),
    o.stateStore.onApplied(() => {
      if (!manager.inSafeMode()) return;
      ready();
      openPipelines(o.state().pipelines.values());
      if (sources.stateMachineReady()) manager.refreshAndValidate();
      after();
    }),
    o.replicator.onRoleChange(() => {
      if (!manager.inSafeMode()) return;
      ready();
      after();
    }),
  ];
  return () => {
    for (const unsubscribe of subscriptions) unsubscribe();
  };
}

/**
 * Builds this SCM's safe mode: the manager (in safe mode from now on, unless `hdds.scm.safemode.enabled` is
 * false), its event wiring and the safe mode pipeline creator. `close` unsubscribes and ends pending waits.
 */
export function createScmSafeMode(o: {
  readonly config: SafeModeConfig;
  readonly state: () => ScmState;
  readonly nodes: NodeManager;
  readonly pipelines: PipelineManager;
  readonly stateStore: ScmStateStore;
  readonly replicator: Replicator;
  readonly clock: Clock;
  readonly logger: Logger;
}): { readonly manager: SafeModeManager; close(): void } {
  const sources = new ScmSafeModeSources(o.state, o.nodes, o.replicator);
  const manager = new SafeModeManager(o.config, sources, { raft: o.replicator.mode === 'raft', logger: o.logger, clock: o.clock });
  const creator = new SafeModePipelineCreator(manager, o.replicator, o.pipelines, (uuid) => sources.nodeHealth(uuid) === 'HEALTHY', () => o.nodes.healthy().length, o.logger, o.config.pipelineCreation);
  const disconnect = connectSafeModeEvents({ manager, sources, nodes: o.nodes, stateStore: o.stateStore, replicator: o.replicator, state: o.state, onActivity: () => creator.trigger() });
  const unwatch = manager.onStatusChange((s) => {
    o.logger.info(s === 'OUT_OF_SAFE_MODE' ? 'SCM is out of safe mode' : 'SCM safe mode pre-check passed', { state: s });
    creator.trigger();
  });
  return {
    manager,
    close() {
      disconnect();
      unwatch();
      creator.close();
      manager.close();
    },
  };
}
