/** The datanode simulator against two scripted SCMs (real RPC on 127.0.2.x): reports go to both, commands run only from the leader, stale terms are dropped. */
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/common/clock.js';
import { silentLogger } from '../../../src/common/logger.js';
import type { ScmNode } from '../../../src/scm/config/scm-topology.js';
import { datanodeProtocol, type DatanodeCommand, type HeartbeatRequest } from '../../../src/scm/protocols/datanode-protocol.js';
import { DatanodeSimulator, datanodeUuid } from '../../../src/scm/tools/datanode-simulator.js';
import { RpcServer } from '../../../src/scm/transport/rpc-server.js';

interface Script {
  role: string;
  term: number;
  commands: DatanodeCommand[];
  seen: HeartbeatRequest[];
}

describe('datanode simulator', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  const fakeScm = async (host: string, script: Script): Promise<ScmNode> => {
    const s = new RpcServer('fake-scm', datanodeProtocol).serve({
      register: async () => ({ clusterId: 'CID-x', scmUuid: host }),
      heartbeat: async (p) => {
        script.seen.push(p);
        const commands = script.commands.splice(0);
        return { role: script.role, term: script.term, scmUuid: host, commands };
      },
    });
    const a = await s.listen(host, 0);
    closers.push(() => s.close());
    return { nodeId: host, host, ports: { client: 0, block: 0, datanode: a.port, security: 0, ratis: 0, grpc: 0, http: 0, https: 0 } };
  };

  it('reports to every SCM; executes leader commands; drops follower and stale-term commands', async () => {
    const leader: Script = { role: 'LEADER', term: 5, commands: [], seen: [] };
    const follower: Script = { role: 'FOLLOWER', term: 5, commands: [], seen: [] };
    const nodes = [await fakeScm('127.0.2.11', leader), await fakeScm('127.0.2.12', follower)];
    const sim = new DatanodeSimulator(nodes, { count: 1, prefix: 't', intervalMs: 40, clock: systemClock, logger: silentLogger });
    closers.push(() => sim.close());
    sim.start();
    await expect.poll(() => Math.min(leader.seen.length, follower.seen.length), { timeout: 20_000 }).toBeGreaterThan(1);
    const me = datanodeUuid('t', 1);
    expect(sim.uuids).toEqual([me]);
    leader.commands.push({ type: 'createPipeline', term: 5, pipelineID: 'p1', members: [me] });
    follower.commands.push({ type: 'createPipeline', term: 5, pipelineID: 'p-follower', members: [me] });
    await expect.poll(() => follower.seen.at(-1)?.pipelines?.map((p) => p.pipelineID), { timeout: 20_000 }).toEqual(['p1']);
    expect(leader.seen.at(-1)?.pipelines).toEqual([{ pipelineID: 'p1', isLeader: true }]);
    expect(sim.stats.droppedNotLeader).toBe(1);
    leader.commands.push({ type: 'createContainer', term: 4, containerID: 9, pipelineID: 'p1' });
    await expect.poll(() => sim.stats.droppedStale, { timeout: 20_000 }).toBe(1);
    leader.commands.push({ type: 'createContainer', term: 5, containerID: 7, pipelineID: 'p1' }, { type: 'closeContainer', term: 6, containerID: 7, pipelineID: 'p1' });
    await expect.poll(() => follower.seen.at(-1)?.containers, { timeout: 20_000 }).toEqual([{ containerID: 7, state: 'CLOSED', usedBytes: 0, keyCount: 0 }]);
  });

  it('ignores commands until a majority of SCMs answered', async () => {
    const leader: Script = { role: 'LEADER', term: 1, commands: [], seen: [] };
    const live = await fakeScm('127.0.2.13', leader);
    const dead = (h: string): ScmNode => ({ nodeId: h, host: h, ports: { client: 0, block: 0, datanode: 1, security: 0, ratis: 0, grpc: 0, http: 0, https: 0 } });
    const sim = new DatanodeSimulator([live, dead('127.0.2.14'), dead('127.0.2.15')], { count: 1, prefix: 'm', intervalMs: 40, clock: systemClock, logger: silentLogger });
    closers.push(() => sim.close());
    leader.commands.push({ type: 'createPipeline', term: 1, pipelineID: 'p', members: [] });
    sim.start();
    await expect.poll(() => sim.stats.droppedNoMajority, { timeout: 20_000 }).toBe(1);
    expect(sim.stats.executed).toBe(0);
  });
});
