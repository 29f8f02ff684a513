/**
 * `ozone admin container info <id>…` — Ozone 2.2's InfoSubcommand (hadoop-ozone/cli-admin
 * org/apache/hadoop/hdds/scm/cli/container/InfoSubcommand.java, ids checked as ContainerIDParameters):
 *
 *   Container id: 1
 *   Pipeline id: <pipeline uuid>
 *   Write PipelineId: <the container's pipeline uuid>
 *   Write Pipeline State: OPEN            (CLOSED when that pipeline is gone)
 *   Container State: OPEN
 *   SequenceId: 0
 *   Datanodes: [<uuid>/<host>,
 *   <uuid>/<host>]
 *   Replicas: [State: OPEN; ReplicaIndex: 0; SequenceId: 0; Origin: <uuid>; Location: <uuid>/<host>,
 *   …]
 *
 * several containers separated by an empty line; `--json`: ContainerWithPipelineAndReplicas
 * `{containerInfo, pipeline, replicas, writePipelineID}` (or ContainerWithoutDatanodes with
 * `writePipelineId` when the pipeline has no node), several as `[`, objects separated by `,` lines, `]`.
 * A container that does not exist prints the SCM's error (`Container #7 not found`) on stderr and the
 * command goes on with the next id; as in Ozone the exit code stays 0 (GenericCli#printError only prints).
 * Any other failure (no leader reachable, access denied) ends the command (exit 255).
 * The pipeline of a closed container is a read pipeline of its replicas' datanodes (random id, ALLOCATED).
 */
import { redactTokens } from '../security/join-token.js';
import type { ContainerReplicaListing, ContainerWithReplicas } from '../protocols/operator-listings.js';
import type { ClientProtocol } from '../protocols/client-protocol.js';
import { RpcError } from '../transport/rpc-error.js';
import type { FailoverRpcClient } from '../transport/rpc-failover-client.js';
import { jacksonJson } from './jackson-json.js';
import { containerInfoJson, datanodeDetailsJson, pipelineJson, pipelineWithoutDatanodesJson, type JsonObject } from './ozone-json.js';
import { EXIT_USAGE, ToolError } from './tool-error.js';
import type { ToolIo } from './tool-io.js';

/** ContainerIDParameters#getValidatedIDs: positive longs, duplicates dropped, in the order given. */
export function validateContainerIds(args: readonly string[]): number[] {
  if (args.length === 0) throw new ToolError('CONTAINER_BAD_ID', "Missing required parameter: '<container ID>'", { exitCode: EXIT_USAGE });
  const ids: number[] = [];
  const invalid: string[] = [];
  for (const a of args) {
    const n = /^[+-]?\d+$/.test(a) ? Number(a) : NaN;
    if (Number.isSafeInteger(n) && n > 0) ids.push(n);
    else invalid.push(a);
  }
  if (invalid.length > 0) throw new ToolError('CONTAINER_BAD_ID', `Container IDs must be positive integers. Invalid container IDs: ${invalid.join(' ')}`, { exitCode: EXIT_USAGE });
  return [...new Set(ids)];
}

const location = (r: { uuid: string; hostName: string }): string => `${r.uuid}/${r.hostName}`;

function replicaLine(r: ContainerReplicaListing): string {
  return `State: ${r.state}; ${r.replicaIndex !== -1 ? `ReplicaIndex: ${r.replicaIndex}; ` : ''}SequenceId: ${r.sequenceId}; Origin: ${r.placeOfBirth}; Location: ${location(r.datanode)}`;
}

export function formatContainerInfo(id: number, c: ContainerWithReplicas): string {
  const stateLine = `Write Pipeline State: ${c.writePipelineState ?? 'CLOSED'}`;
  const replicas = [...c.replicas].sort((a, b) => a.replicaIndex - b.replicaIndex);
  return [
    `Container id: ${id}`,
    `Pipeline id: ${c.pipeline.id}`,
    `Write PipelineId: ${c.container.pipelineID}`,
    stateLine,
    `Container State: ${c.container.state}`,
    `SequenceId: ${c.container.sequenceId}`,
    `Datanodes: [${c.pipeline.nodes.map(location).join(',\n')}]`,
    `Replicas: [${replicas.map(replicaLine).join(',\n')}]`,
  ].join('\n');
}

function replicaJson(r: ContainerReplicaListing): JsonObject {
  return {
    containerID: r.containerID,
    state: r.state,
    datanodeDetails: datanodeDetailsJson(r.datanode),
    placeOfBirth: { uuid: r.placeOfBirth, byteString: { validUtf8: true, empty: false } },
    sequenceId: r.sequenceId,
    keyCount: r.keyCount,
    bytesUsed: r.bytesUsed,
    replicaIndex: r.replicaIndex,
    // JsonUtils.ChecksumSerializer: Long.toHexString (no checksums here: 0)
    dataChecksum: '0',
  };
}

export function containerInfoJsonView(c: ContainerWithReplicas, now: number): JsonObject {
  const containerInfo = containerInfoJson(c.container, now);
  const replicas = c.replicas.map(replicaJson);
  if (c.pipeline.nodes.length > 0) return { containerInfo, pipeline: pipelineJson(c.pipeline, now), replicas, writePipelineID: { id: c.container.pipelineID } };
  return { containerInfo, pipeline: pipelineWithoutDatanodesJson(c.pipeline), replicas, writePipelineId: { id: c.container.pipelineID } };
}

export async function runContainerInfo(client: FailoverRpcClient<ClientProtocol>, o: { ids: readonly number[]; json: boolean }, io: ToolIo, now: () => number = Date.now): Promise<void> {
  const multi = o.ids.length > 1;
  if (o.json && multi) io.out('[');
  let first = true;
  for (const id of o.ids) {
    if (!first) io.out(o.json ? ',' : '');
    first = false;
    let c: ContainerWithReplicas;
    try {
      c = await client.call('getContainerWithReplicas', { containerID: id });
    } catch (err) {
      // Ozone: rootCommand().printError(e) — the first line of the message — then the next container.
      // Only an unknown container is passed over; no answer at all (no leader, refused) fails the command.
      if (!(err instanceof RpcError && err.remoteCode === 'SCM_CONTAINER_NOT_FOUND')) throw err;
      io.err(redactTokens(err.message.split('\n')[0]!));
      continue;
    }
    io.out(o.json ? jacksonJson(containerInfoJsonView(c, now()), false) : formatContainerInfo(id, c));
  }
  if (o.json && multi) io.out(']');
}
