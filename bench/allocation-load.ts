/**
 * Allocation load for failover benchmarks: `workers` clients allocating blocks in a loop through the SCM
 * client's failover (`options`), and the time from a fault (`fault()` marks it) to the first allocation
 * acknowledged by an SCM other than `leader` (`''`: by any SCM, e.g. the first one after safe mode).
 */
import type { BlockProtocol } from '../src/scm/protocols/block-protocol.js';
import type { RpcEndpoint } from '../src/scm/transport/rpc-endpoint.js';
import { FailoverRpcClient, type FailoverOptions } from '../src/scm/transport/rpc-failover-client.js';
import { waitUntil } from '../test/support/wait.js';

export interface AllocationLoad {
  /** marks the fault's instant (call right before causing it) */
  fault(): void;
  /** ms from the fault to the first allocation acknowledged by another SCM (waits for it) */
  firstAck(what: string): Promise<number>;
  stop(): Promise<void>;
}

export function allocationLoad(endpoints: readonly RpcEndpoint[], leader: string, options: FailoverOptions, workers = 4): AllocationLoad {
  const clients = Array.from({ length: workers }, () => new FailoverRpcClient<BlockProtocol>(endpoints, options));
  let stopped = false;
  let faultAt = Infinity;
  let firstAck = Infinity;
  const loops = clients.map(async (c) => {
    while (!stopped) {
      try {
        await c.call('allocateBlock', { size: 1024, replication: { replicationType: 'RATIS', replicationFactor: 'THREE' }, owner: 'bench' });
        const now = performance.now();
        if (now > faultAt && c.currentEndpoint.nodeId !== leader && now < firstAck) firstAck = now;
      } catch {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  });
  return {
    fault() {
      faultAt = performance.now();
    },
    async firstAck(what) {
      await waitUntil(() => firstAck < Infinity, `an allocation after ${what}`, 120_000);
      return Math.round(firstAck - faultAt);
    },
    async stop() {
      stopped = true;
      await Promise.all(loops);
      await Promise.all(clients.map((c) => c.close()));
    },
  };
}
