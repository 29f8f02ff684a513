/**
 * The read-only operator queries of the client port (protocols/operator-listings.ts), answered from this
 * SCM's NodeManager (datanodes report to every SCM) and replicated state. Ozone serves them on the leader
 * only (SCMClientProtocolServer behind StorageContainerLocationProtocolServerSideTranslatorPB's leader
 * check; only InSafeMode/GetSafeModeRuleStatuses are follower-readable), and so does client-service.ts.
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_RACK, type ContainerListPage, type ContainerReplicaListing, type ContainerWithReplicas, type DatanodeListing, type StatusAndMessages } from '../protocols/operator-listings.js';
import { CodedError } from '../../common/coded-error.js';
import type { ContainerState, PipelineInfo, ReplicationFactor, ReplicationType } from '../state/records.js';
import type { ScmContext } from './scm-context.js';

/** Ozone ContainerNotFoundException (`Container #<id> not found`). */
export class ContainerNotFoundError extends CodedError<'SCM_CONTAINER_NOT_FOUND'> {
  constructor(containerID: number) {
    super('SCM_CONTAINER_NOT_FOUND', `Container #${containerID} not found`, { hint: 'list the containers with: ozone admin container list --all' });
  }
}

export function queryNodes(ctx: ScmContext): DatanodeListing[] {
  return ctx.nodes.all().map((n) => ({
    uuid: n.details.uuid,
    hostName: n.details.hostName,
    ipAddress: n.details.ipAddress,
    networkLocation: DEFAULT_RACK,
    healthState: ctx.nodes.health(n),
    operationalState: 'IN_SERVICE',
  }));
}

export function listPipelines(ctx: ScmContext): PipelineInfo[] {
  return [...ctx.stateStore.snapshotState.pipelines.values()];
}

/** Ozone listContainerInternal: id ≥ start, filters, sorted by id; totalCount = all that matched. */
export function listContainerPage(
  ctx: ScmContext,
  q: { start: number; count: number; state?: ContainerState; replicationType?: ReplicationType; replicationFactor?: ReplicationFactor },
): ContainerListPage {
  const matched = [...ctx.stateStore.snapshotState.containers.values()]
    .filter((c) => c.containerID >= q.start)
    .filter((c) => q.state === undefined || c.state === q.state)
    .filter((c) => q.replicationType === undefined || c.replicationConfig.replicationType === q.replicationType)
    .filter((c) => q.replicationFactor === undefined || c.replicationConfig.replicationFactor === q.replicationFactor)
    .sort((a, b) => a.containerID - b.containerID);
  return { containers: matched.slice(0, q.count), totalCount: matched.length };
}

/** The replicas the datanodes last reported for a container, by host name then uuid (Ozone: a HashSet's order). */
function replicasOf(ctx: ScmContext, containerID: number): ContainerReplicaListing[] {
  const out: ContainerReplicaListing[] = [];
  const nodes = ctx.nodes.all().sort((a, b) => a.details.hostName.localeCompare(b.details.hostName) || a.details.uuid.localeCompare(b.details.uuid));
  for (const n of nodes) {
    const r = n.containers.find((c) => c.containerID === containerID);
    if (!r) continue;
    out.push({ containerID, state: r.state, datanode: n.details, placeOfBirth: n.details.uuid, sequenceId: 0, keyCount: r.keyCount, bytesUsed: r.usedBytes, replicaIndex: 0 });
  }
  return out;
}

/**
 * Ozone getContainerWithPipelineCommon: an open container's own pipeline, else (closed container, or its
 * pipeline gone) a read pipeline of the replicas' datanodes (PipelineManager.createPipelineForRead).
 */
export function containerWithReplicas(ctx: ScmContext, containerID: number): ContainerWithReplicas {
  const state = ctx.stateStore.snapshotState;
  const container = state.containers.get(containerID);
  if (!container) throw new ContainerNotFoundError(containerID);
  const replicas = replicasOf(ctx, containerID);
  const write = state.pipelines.get(container.pipelineID);
  const open = container.state === 'OPEN' || container.state === 'CLOSING';
  if (open && write) return { container, pipeline: write, readPipeline: false, writePipelineState: write.state, replicas };
  const pipeline: PipelineInfo = {
    id: randomUUID(),
    replicationConfig: container.replicationConfig,
    state: 'ALLOCATED',
    nodes: replicas.map((r) => r.datanode),
    leaderId: null,
    creationTimestamp: ctx.clock.wallTime().getTime(),
  };
  return { container, pipeline, readPipeline: true, writePipelineState: write?.state ?? null, replicas };
}

/** The embedded SCM always runs at its software layout version: nothing to finalize (Ozone's reply then). */
export function finalizationStatus(): StatusAndMessages {
  return { status: 'ALREADY_FINALIZED', msgs: [] };
}
