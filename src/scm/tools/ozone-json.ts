/**
 * Ozone's client-side objects as its admin commands print them — Jackson views (JsonUtils' mapper:
 * NON_NULL, JavaTimeModule with ISO instants, default pretty printer; see jackson-json.ts) and the
 * `toString()`s — built from this SCM's records:
 *  - ContainerInfo (hdds-common scm/container/ContainerInfo.java): fields first in declaration order
 *    (`pipelineID`, `previousState`, `clock` are @JsonIgnore), then the getter-only `open`/`deleted`;
 *    `lastUsed` is the client's clock (ContainerInfo.Builder#build stamps it when the reply is read);
 *  - RatisReplicationConfig / StandaloneReplicationConfig: `replicationFactor`, `requiredNodes`,
 *    `minimumNodes`, then `replicationType` (an explicitly named property, moved last by Jackson);
 *    `toString()` `RATIS/THREE`, `STANDALONE/ONE`;
 *  - Pipeline (scm/pipeline/Pipeline.java) and DatanodeDetails (protocol/DatanodeDetails.java with
 *    net/NodeImpl.java, DatanodeID, StringWithByteString, protobuf ByteString) with every getter Jackson
 *    finds, and Pipeline.toString / DatanodeDetails.toString.
 * Key order where Jackson follows field declarations is Ozone 2.2's; the order of getter-only properties
 * (Pipeline's `empty … healthy`) is the JVM's method order, computed with Jackson 2.14 on JDK 17 over
 * classes declared as Ozone's; it changed between two such runs (HotSpot orders methods by the address of
 * their name symbols), so a real Ozone JVM may print those keys in another order — parse, don't diff.
 * The simulated datanodes have no data ports, no rack mapping (`/default-rack`, level 3 as
 * NetworkTopologyImpl gives a leaf under a rack) and report DatanodeVersion 3 (STREAM_BLOCK_SUPPORT).
 */
import { DEFAULT_RACK } from '../protocols/operator-listings.js';
import { factorCount, type ContainerInfo, type DatanodeDetails, type PipelineInfo, type ReplicationConfig } from '../state/records.js';
import { hashMapOrder, javaUuidHash } from './java-hash-order.js';
import { isoInstant, zonedDateTimeString } from './java-time.js';

/** DatanodeVersion.CURRENT of Ozone 2.2 (STREAM_BLOCK_SUPPORT) */
export const DATANODE_CURRENT_VERSION = 3;
/** level of a datanode under `/default-rack` (ROOT is 1) */
const LEAF_LEVEL = 3;

export type JsonObject = Record<string, unknown>;

/** `RATIS/THREE`, `STANDALONE/ONE` (ReplicationConfig.toString) */
export function replicationConfigString(r: ReplicationConfig): string {
  return `${r.replicationType === 'STAND_ALONE' ? 'STANDALONE' : r.replicationType}/${r.replicationFactor}`;
}

export function replicationConfigJson(r: ReplicationConfig): JsonObject {
  const n = factorCount(r.replicationFactor);
  const standalone = r.replicationType === 'STAND_ALONE';
  return { replicationFactor: r.replicationFactor, requiredNodes: n, minimumNodes: standalone ? n : 1, replicationType: standalone ? 'STANDALONE' : r.replicationType };
}

const byteString = (s: string): JsonObject => ({ validUtf8: true, empty: s.length === 0 });
const withBytes = (s: string): JsonObject => ({ string: s, bytes: byteString(s) });
const datanodeId = (uuid: string): JsonObject => ({ uuid, byteString: byteString(uuid) });

/** DatanodeDetails.toString: `uuid(hostName/ipAddress)` */
export function datanodeString(dn: DatanodeDetails): string {
  return `${dn.uuid}(${dn.hostName}/${dn.ipAddress})`;
}

export function datanodeDetailsJson(dn: DatanodeDetails): JsonObject {
  return {
    level: LEAF_LEVEL,
    cost: 0,
    id: datanodeId(dn.uuid),
    ipAddress: dn.ipAddress,
    hostName: dn.hostName,
    ports: [],
    setupTime: 0,
    persistedOpState: 'IN_SERVICE',
    persistedOpStateExpiryEpochSec: 0,
    initialVersion: 0,
    currentVersion: DATANODE_CURRENT_VERSION,
    uuidString: dn.uuid,
    ipAddressAsByteString: withBytes(dn.ipAddress),
    hostNameAsByteString: withBytes(dn.hostName),
    decommissioned: false,
    maintenance: false,
    networkName: dn.uuid,
    networkNameAsByteString: withBytes(dn.uuid),
    networkLocation: DEFAULT_RACK,
    networkLocationAsByteString: withBytes(DEFAULT_RACK),
    networkFullPath: `${DEFAULT_RACK}/${dn.uuid}`,
    numOfLeaves: 1,
  };
}

/** Pipeline as Jackson writes it; `now` is the client's clock (Pipeline's stateEnterTime is its construction). */
export function pipelineJson(p: PipelineInfo, now: number): JsonObject {
  const nodes = p.nodes.map(datanodeDetailsJson);
  const replicaIndexes: JsonObject = {};
  for (const dn of hashMapOrder(p.nodes, (d) => javaUuidHash(d.uuid))) replicaIndexes[datanodeString(dn)] = 0;
  const leader = p.nodes.find((n) => n.uuid === p.leaderId) ?? p.nodes[0];
  return {
    id: { id: p.id },
    replicationConfig: replicationConfigJson(p.replicationConfig),
    replicaIndexes,
    nodesInOrder: nodes,
    leaderId: p.leaderId === null ? null : datanodeId(p.leaderId),
    creationTimestamp: isoInstant(p.creationTimestamp),
    stateEnterTime: isoInstant(now),
    empty: p.nodes.length === 0,
    type: p.replicationConfig.replicationType,
    nodes,
    closestNode: p.nodes[0] ? datanodeDetailsJson(p.nodes[0]) : null,
    firstNode: p.nodes[0] ? datanodeDetailsJson(p.nodes[0]) : null,
    pipelineState: p.state,
    leaderNode: leader ? datanodeDetailsJson(leader) : null,
    // the client's Pipeline has no report times (-1) for its nodes: never healthy (EC aside)
    healthy: false,
  };
}

/** InfoSubcommand.PipelineWithoutDatanodes: what `container info --json` shows of a pipeline without nodes. */
export function pipelineWithoutDatanodesJson(p: PipelineInfo): JsonObject {
  return {
    id: { id: p.id },
    replicationConfig: replicationConfigJson(p.replicationConfig),
    creationTimestamp: isoInstant(p.creationTimestamp),
    empty: true,
    type: p.replicationConfig.replicationType,
    nodes: [],
    pipelineState: p.state,
    healthy: false,
    allocationTimeout: false,
  };
}

/**
 * Pipeline.toString: `Pipeline{ Id: <uuid>, Nodes: [ {dn, ReplicaIndex: 0},], ReplicationConfig: RATIS/THREE,
 * State:OPEN, leaderId:<uuid or empty>, CreationTimestamp<ZonedDateTime>}` (sic: no separator before the time).
 */
export function pipelineString(p: PipelineInfo, zone: string): string {
  const nodes = p.nodes.map((n) => ` {${datanodeString(n)}, ReplicaIndex: 0},`).join('');
  return `Pipeline{ Id: ${p.id}, Nodes: [${nodes}], ReplicationConfig: ${replicationConfigString(p.replicationConfig)}, State:${p.state}, leaderId:${p.leaderId ?? ''}, CreationTimestamp${zonedDateTimeString(p.creationTimestamp, zone)}}`;
}

/** ContainerInfo as Jackson writes it; `now` is the client's clock (`lastUsed`). */
export function containerInfoJson(c: ContainerInfo, now: number): JsonObject {
  return {
    state: c.state,
    stateEnterTime: isoInstant(c.stateEnterTime),
    replicationConfig: replicationConfigJson(c.replicationConfig),
    usedBytes: c.usedBytes,
    numberOfKeys: c.numberOfKeys,
    lastUsed: isoInstant(now),
    owner: c.owner,
    containerID: c.containerID,
    deleteTransactionId: c.deleteTransactionId,
    sequenceId: c.sequenceId,
    healthState: 'HEALTHY',
    // `suppressed` is NON_DEFAULT: absent while false (the embedded SCM never suppresses)
    open: c.state === 'OPEN' || c.state === 'CLOSING',
    deleted: c.state === 'DELETED',
  };
}
