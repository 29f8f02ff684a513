/**
 * `ozone admin container create [--count N] [-t RATIS] [-r THREE] [-o OWNER]`: the leader creates OPEN
 * containers on an open pipeline (Ozone's `admin container create` creates one; `--count` is this
 * build's bulk form, used to load an SCM for tests and benchmarks: ids reserved in one replicated batch,
 * containers added by replicated entries of 1000). Prints Ozone's `Container <id> is created.` for one
 * container, a range summary for more.
 */
import type { ReplicationConfig } from '../state/records.js';
import type { ClientProtocol } from '../protocols/client-protocol.js';
import type { FailoverRpcClient } from '../transport/rpc-failover-client.js';
import type { ToolIo } from './tool-io.js';

export interface ContainerCreateOptions {
  readonly count: number;
  readonly replication: ReplicationConfig;
  readonly owner: string;
}

export async function runContainerCreate(client: FailoverRpcClient<ClientProtocol>, o: ContainerCreateOptions, io: ToolIo, options: { signal?: AbortSignal } = {}): Promise<{ first: number; last: number; count: number }> {
  const r = await client.call('createContainers', { count: o.count, replication: o.replication, owner: o.owner }, options);
  io.out(r.count === 1 ? `Container ${r.first} is created.` : `${r.count} containers are created: #${r.first}..#${r.last}.`);
  return r;
}
