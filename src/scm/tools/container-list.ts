/**
 * `ozone admin container list` — Ozone 2.2's ListSubcommand (hadoop-ozone/cli-admin
 * org/apache/hadoop/hdds/scm/cli/container/ListSubcommand.java): the leader's containers with id ≥
 * `-s/--start` (default 0), `-c/--count` of them (default 20, capped by this host's
 * `ozone.scm.container.list.max.count`, default 4096, with Ozone's notice on stderr), or `-a/--all` of
 * them fetched in batches of `--count`; filters `--state`, `-t/--type`, `-r/--replication/--factor`
 * (RATIS when no type is given), `--suppressed` (nothing is ever suppressed here). Always one JSON array
 * of ContainerInfo (Jackson's SequenceWriter with the default pretty printer: `[ {…}, {…} ]`, `[ ]` when
 * empty) and a newline; when more containers matched than listed, stderr says
 * `Displaying N out of M containers. Container list has more containers.`
 */
import type { OzoneConf } from '../config/ozone-conf.js';
import type { ClientProtocol } from '../protocols/client-protocol.js';
import type { ContainerInfo, ContainerState, ReplicationFactor, ReplicationType } from '../state/records.js';
import type { FailoverRpcClient } from '../transport/rpc-failover-client.js';
import { jacksonJson } from './jackson-json.js';
import { containerInfoJson } from './ozone-json.js';
import { EXIT_FAILURE, ToolError } from './tool-error.js';
import type { ToolIo } from './tool-io.js';

export const CONTAINER_LIST_MAX_COUNT_KEY = 'ozone.scm.container.list.max.count';
export const CONTAINER_LIST_MAX_COUNT_DEFAULT = 4096;

export interface ContainerListOptions {
  readonly start: number;
  readonly count: number;
  readonly all: boolean;
  readonly state?: ContainerState;
  readonly type?: ReplicationType;
  readonly replication?: string;
  readonly suppressed?: boolean;
}

function factorOf(replication: string, type: ReplicationType): ReplicationFactor {
  if (type === 'EC') throw new ToolError('USAGE', 'EC replication is not supported by this SCM', { exitCode: EXIT_FAILURE });
  const u = replication.toUpperCase();
  if (u === 'ONE' || u === '1') return 'ONE';
  if (u === 'THREE' || u === '3') return 'THREE';
  throw new ToolError('USAGE', `Invalid value ${replication} for replication of ${type}; expected ONE or THREE`, { exitCode: EXIT_FAILURE });
}

/** The list as Ozone prints it: the JSON array (no trailing newline; io.out ends the line). */
export function renderContainerList(containers: readonly ContainerInfo[], now: number): string {
  return jacksonJson(containers.map((c) => containerInfoJson(c, now)), false);
}

export async function runContainerList(client: FailoverRpcClient<ClientProtocol>, conf: OzoneConf, o: ContainerListOptions, io: ToolIo, now: () => number = Date.now): Promise<void> {
  const type: ReplicationType | undefined = o.type ?? (o.replication ? 'RATIS' : undefined);
  const factor = o.replication && type ? factorOf(o.replication, type) : undefined;
  const filters = { ...(o.state ? { state: o.state } : {}), ...(type ? { replicationType: type } : {}), ...(factor ? { replicationFactor: factor } : {}) };
  const maxCount = conf.getInt(CONTAINER_LIST_MAX_COUNT_KEY, CONTAINER_LIST_MAX_COUNT_DEFAULT);
  // nothing is suppressed in the embedded SCM: `--suppressed true` matches none, `false` all
  const keep = (cs: readonly ContainerInfo[]): ContainerInfo[] => (o.suppressed === true ? [] : [...cs]);
  const out: ContainerInfo[] = [];
  if (!o.all) {
    let count = o.count;
    if (count > maxCount) {
      io.err(`Attempting to list the first ${count} records of containers. However it exceeds the cluster's current limit of ${maxCount}. The results will be capped at the maximum allowed count.`);
      count = maxCount;
    }
    const page = await client.call('listContainerPage', { start: o.start, count, ...filters });
    out.push(...keep(page.containers));
    io.out(renderContainerList(out, now()));
    const total = o.suppressed === true ? 0 : page.totalCount;
    if (total > count) io.err(`Displaying ${count} out of ${total} containers. Container list has more containers.`);
    return;
  }
  const batch = o.count > 0 ? o.count : maxCount;
  let start = o.start;
  for (;;) {
    const page = await client.call('listContainerPage', { start, count: batch, ...filters });
    if (page.containers.length === 0) break;
    out.push(...keep(page.containers));
    start = page.containers[page.containers.length - 1]!.containerID + 1;
  }
  io.out(renderContainerList(out, now()));
}
