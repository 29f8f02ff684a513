/**
 * What the operator listings of the client port return (`ozone admin datanode|pipeline|container list`,
 * `container info`, `scm finalizeupgrade|finalizationstatus`): the SCM's own view, in plain JSON data.
 * The tools turn them into Ozone's printed formats (tools/ozone-json.ts and the list commands).
 */
import type { ContainerInfo, ContainerState, DatanodeDetails, PipelineInfo } from '../state/records.js';

/** Ozone NetConstants.DEFAULT_RACK: every datanode's network location without a topology mapping */
export const DEFAULT_RACK = '/default-rack';

/** A datanode as the asked SCM's NodeManager knows it (Ozone's `HddsProtos.Node` of `queryNode`). */
export interface DatanodeListing {
  readonly uuid: string;
  readonly hostName: string;
  readonly ipAddress: string;
  /** the embedded SCM has no rack topology: always Ozone's default rack */
  readonly networkLocation: string;
  /** the SCM's current view: HEALTHY → STALE → DEAD by `ozone.scm.stale/dead.node.interval` */
  readonly healthState: 'HEALTHY' | 'STALE' | 'DEAD';
  /** decommissioning and maintenance are not implemented: always IN_SERVICE */
  readonly operationalState: 'IN_SERVICE';
}

/** One page of `listContainer` (Ozone's ContainerListResult): the page and how many matched from `start` on. */
export interface ContainerListPage {
  readonly containers: readonly ContainerInfo[];
  readonly totalCount: number;
}

/** A replica as a datanode last reported it (Ozone's `SCMContainerReplicaProto`). */
export interface ContainerReplicaListing {
  readonly containerID: number;
  readonly state: ContainerState;
  readonly datanode: DatanodeDetails;
  /** the datanode that created the replica (Ozone `placeOfBirth`): the reporting datanode here */
  readonly placeOfBirth: string;
  readonly sequenceId: number;
  readonly keyCount: number;
  readonly bytesUsed: number;
  /** 0 for RATIS / STAND_ALONE replicas, as Ozone reports them */
  readonly replicaIndex: number;
}

/**
 * `getContainerWithPipeline` + `getContainerReplicas` in one answer. `pipeline` is the container's
 * pipeline while the container is open and its pipeline exists; otherwise a read pipeline made of the
 * replicas' datanodes, as Ozone's `createPipelineForRead` (id: random, state ALLOCATED, no leader).
 */
export interface ContainerWithReplicas {
  readonly container: ContainerInfo;
  readonly pipeline: PipelineInfo;
  /** false when `pipeline` is the container's own (write) pipeline record */
  readonly readPipeline: boolean;
  /** the state of the container's write pipeline, or null when that pipeline no longer exists */
  readonly writePipelineState: PipelineInfo['state'] | null;
  readonly replicas: readonly ContainerReplicaListing[];
}

/** Ozone's UpgradeFinalization.Status, with the messages of a finalization in progress. */
export type FinalizationStatus = 'ALREADY_FINALIZED' | 'STARTING_FINALIZATION' | 'FINALIZATION_IN_PROGRESS' | 'FINALIZATION_DONE' | 'FINALIZATION_REQUIRED';

export interface StatusAndMessages {
  readonly status: FinalizationStatus;
  readonly msgs: readonly string[];
}
