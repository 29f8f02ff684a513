/**
 * `ozone admin datanode list` — Ozone 2.2's ListInfoSubcommand (hadoop-ozone/cli-admin
 * org/apache/hadoop/hdds/scm/cli/datanode/ListInfoSubcommand.java, JSON: BasicDatanodeInfo.java):
 * the datanodes of the leader's NodeManager, sorted by health (HEALTHY, STALE, DEAD), each as
 *
 *   Datanode: <uuid> (<networkLocation>/<ip>/<hostname>/<n> pipelines)
 *   Operational State: IN_SERVICE
 *   Health State: HEALTHY
 *   Related pipelines:
 *   <pipelineId>/RATIS/THREE/RATIS/OPEN/Leader        (one line per pipeline the node is in)
 *   <empty line>
 *
 * ("No related pipelines or the node is not in Healthy state." / "No pipelines in cluster." instead of the
 * pipeline lines). Filters `--operational-state`, `--node-state`, `--node-id` (`--id`, `--uuid`), `--ip`,
 * `--hostname`, `-l/--length` (default 100), `-a/--all`, and `--json` (a pretty-printed array of
 * BasicDatanodeInfo, index-ordered properties). Not here: `--most-used`/`--least-used` (no usage reports)
 * and the volume-count lines (the simulated datanodes report no volumes; Ozone prints them only when the
 * SCM holds storage reports) — `--nodes-with-failed-volumes` therefore lists nothing.
 * Within one health state the order is host name, then uuid (Ozone: its node map's hash order).
 */
import type { DatanodeListing } from '../protocols/operator-listings.js';
import type { ClientProtocol } from '../protocols/client-protocol.js';
import type { PipelineInfo } from '../state/records.js';
import type { FailoverRpcClient } from '../transport/rpc-failover-client.js';
import { jacksonJson } from './jackson-json.js';
import { DATANODE_CURRENT_VERSION, replicationConfigString } from './ozone-json.js';
import { EXIT_FAILURE, ToolError } from './tool-error.js';
import type { ToolIo } from './tool-io.js';

export interface DatanodeListOptions {
  readonly operationalState?: string;
  readonly nodeState?: string;
  readonly nodeId?: string;
  readonly ip?: string;
  readonly hostname?: string;
  readonly json: boolean;
  /** `-l/--length` (default 100); ignored with `all` */
  readonly length: number;
  readonly all: boolean;
  readonly nodesWithFailedVolumes?: boolean;
}

const HEALTH_ORDER = { HEALTHY: 0, STALE: 1, DEAD: 2 } as const;

/** BasicDatanodeInfo as JsonUtils writes it (@JsonProperty(index) order; null usage fields left out). */
export function basicDatanodeInfoJson(dn: DatanodeListing): Record<string, unknown> {
  return {
    id: dn.uuid,
    hostName: dn.hostName,
    ipAddress: dn.ipAddress,
    ports: [],
    setupTime: 0,
    currentVersion: DATANODE_CURRENT_VERSION,
    opState: dn.operationalState,
    persistedOpState: 'IN_SERVICE',
    persistedOpStateExpiryEpochSec: 0,
    healthState: dn.healthState,
    decommissioned: false,
    maintenance: false,
    level: 3,
    cost: 0,
    numOfLeaves: 1,
    networkFullPath: `${dn.networkLocation}/${dn.uuid}`,
    networkLocation: dn.networkLocation,
    networkName: dn.uuid,
  };
}

/** One datanode's block, ending with the empty line Ozone's `println(pipelineListInfo)` leaves. */
export function formatDatanodeBlock(dn: DatanodeListing, pipelines: readonly PipelineInfo[]): string {
  const lines: string[] = [];
  let related = 0;
  if (pipelines.length > 0) {
    const mine = pipelines.filter((p) => p.nodes.some((n) => n.uuid === dn.uuid));
    if (mine.length === 0) lines.push('No related pipelines or the node is not in Healthy state.');
    related = mine.length;
    for (const p of mine) lines.push(`${p.id}/${replicationConfigString(p.replicationConfig)}/${p.replicationConfig.replicationType}/${p.state}/${p.leaderId === dn.uuid ? 'Leader' : 'Follower'}`);
  } else {
    lines.push('No pipelines in cluster.');
  }
  // ToolIo.out adds a newline only to text that does not end with one: the block brings both of its own
  return `${[
    `Datanode: ${dn.uuid} (${dn.networkLocation}/${dn.ipAddress}/${dn.hostName}/${related} pipelines)`,
    `Operational State: ${dn.operationalState}`,
    `Health State: ${dn.healthState}`,
    'Related pipelines:',
    ...lines,
  ].join('\n')}\n\n`;
}

export function selectDatanodes(all: readonly DatanodeListing[], o: DatanodeListOptions): DatanodeListing[] {
  if (o.nodeId) {
    if (!/^[0-9a-fA-F]{1,8}-[0-9a-fA-F]{1,4}-[0-9a-fA-F]{1,4}-[0-9a-fA-F]{1,4}-[0-9a-fA-F]{1,12}$/.test(o.nodeId)) throw new ToolError('USAGE', `Invalid UUID string: ${o.nodeId}`, { exitCode: EXIT_FAILURE });
    const one = all.find((d) => d.uuid.toLowerCase() === o.nodeId!.toLowerCase());
    if (!one) throw new ToolError('DATANODE_NOT_FOUND', `Datanode ${o.nodeId} is not known to this SCM`, { exitCode: EXIT_FAILURE, hint: 'list them with: ozone admin datanode list' });
    return [one];
  }
  const eq = (a: string, b: string | undefined): boolean => b === undefined || b === '' || a.toLowerCase() === b.toLowerCase();
  const sorted = [...all].sort((a, b) => HEALTH_ORDER[a.healthState] - HEALTH_ORDER[b.healthState] || a.hostName.localeCompare(b.hostName) || a.uuid.localeCompare(b.uuid));
  const picked = sorted.filter((d) => eq(d.ipAddress, o.ip) && eq(d.hostName, o.hostname) && eq(d.operationalState, o.operationalState) && eq(d.healthState, o.nodeState) && !o.nodesWithFailedVolumes);
  return o.all ? picked : picked.slice(0, o.length);
}

export async function runDatanodeList(client: FailoverRpcClient<ClientProtocol>, o: DatanodeListOptions, io: ToolIo): Promise<void> {
  if (!o.all && o.length < 1) throw new ToolError('USAGE', 'List length should be a positive number', { exitCode: EXIT_FAILURE });
  const pipelines = await client.call('listPipelines', {});
  const nodes = selectDatanodes(await client.call('queryNodes', {}), o);
  if (o.json) {
    io.out(jacksonJson(nodes.map(basicDatanodeInfoJson), false));
    return;
  }
  for (const dn of nodes) io.out(formatDatanodeBlock(dn, pipelines));
}
