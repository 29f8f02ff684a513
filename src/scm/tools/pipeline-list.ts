/**
 * `ozone admin pipeline list` — Ozone 2.2's ListPipelinesSubcommand (hadoop-ozone/cli-admin
 * org/apache/hadoop/hdds/scm/cli/pipeline/ListPipelinesSubcommand.java, with FilterPipelineOptions): every
 * pipeline of the leader, one `Pipeline.toString()` line each (hdds-common scm/pipeline/Pipeline.java):
 *
 *   Pipeline{ Id: <uuid>, Nodes: [ {<dn uuid>(<host>/<ip>), ReplicaIndex: 0}, …,], ReplicationConfig: RATIS/THREE, State:OPEN, leaderId:<dn uuid>, CreationTimestamp2026-12-06T19:26:59.001Z[Etc/UTC]}
 *
 * (the creation time in the JVM's default zone, see java-time.ts), or with `--json` the list as Jackson
 * writes it (Ozone prints that one with `System.out.print`, no final newline; ToolIo always ends a line,
 * as for `admin scm roles --json`). Filters: `-s/--state`
 * (`--filter-by-state`, `-fst`, `--filterByState`), `-t/--type`, `-r/--replication` (needs `-t`),
 * `-ffc/--filter-by-factor/--filterByFactor` (RATIS of that factor; exclusive with `-r`).
 */
import type { ClientProtocol } from '../protocols/client-protocol.js';
import type { PipelineInfo, ReplicationFactor } from '../state/records.js';
import type { FailoverRpcClient } from '../transport/rpc-failover-client.js';
import { jacksonJson } from './jackson-json.js';
import { systemZoneId } from './java-time.js';
import { pipelineJson, pipelineString } from './ozone-json.js';
import { EXIT_FAILURE, ToolError } from './tool-error.js';
import type { ToolIo } from './tool-io.js';

export interface PipelineListOptions {
  readonly state?: string;
  readonly type?: string;
  readonly replication?: string;
  readonly factor?: ReplicationFactor;
  readonly json: boolean;
}

/** ONE/THREE or 1/3, as ReplicationConfig.parse takes a Ratis/Standalone replication */
function parseFactor(v: string): ReplicationFactor {
  const u = v.toUpperCase();
  if (u === 'ONE' || u === '1') return 'ONE';
  if (u === 'THREE' || u === '3') return 'THREE';
  throw new ToolError('USAGE', `Invalid value ${v} for replication; expected ONE or THREE`, { exitCode: EXIT_FAILURE });
}

export function filterPipelines(all: readonly PipelineInfo[], o: PipelineListOptions): PipelineInfo[] {
  let out = [...all];
  if (o.factor !== undefined) {
    if (o.replication) throw new ToolError('USAGE', 'Factor and replication are mutually exclusive', { exitCode: EXIT_FAILURE });
    out = out.filter((p) => p.replicationConfig.replicationType === 'RATIS' && p.replicationConfig.replicationFactor === o.factor);
  } else if (o.replication) {
    if (!o.type) throw new ToolError('USAGE', 'Replication type is required if replication is set', { exitCode: EXIT_FAILURE });
    const type = o.type.toUpperCase();
    if (type !== 'RATIS' && type !== 'STAND_ALONE') throw new ToolError('USAGE', `No enum constant org.apache.hadoop.hdds.client.ReplicationType.${o.type}`, { exitCode: EXIT_FAILURE });
    const factor = parseFactor(o.replication);
    out = out.filter((p) => p.replicationConfig.replicationType === type && p.replicationConfig.replicationFactor === factor);
  } else if (o.type) {
    out = out.filter((p) => p.replicationConfig.replicationType.toLowerCase() === o.type!.toLowerCase());
  }
  if (o.state) out = out.filter((p) => p.state.toLowerCase() === o.state!.toLowerCase());
  return out;
}

export async function runPipelineList(client: FailoverRpcClient<ClientProtocol>, o: PipelineListOptions, io: ToolIo, env: NodeJS.ProcessEnv = process.env, now: () => number = Date.now): Promise<void> {
  const pipelines = filterPipelines(await client.call('listPipelines', {}), o);
  if (o.json) {
    const t = now();
    io.out(jacksonJson(pipelines.map((p) => pipelineJson(p, t)), false));
    return;
  }
  const zone = systemZoneId(env);
  for (const p of pipelines) io.out(pipelineString(p, zone));
}
