/**
 * ClosingContainerHandler: the leader re-sends close commands for CLOSING containers at once when it becomes
 * leader and every replication interval after, skipping replicas already reported CLOSED; followers send
 * nothing.
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/common/logger.js';
import { ClosingContainerHandler } from '../../../src/scm/managers/closing-container-handler.js';
import { NodeManager } from '../../../src/scm/managers/node-manager.js';
import type { DatanodeDetails } from '../../../src/scm/state/records.js';
import { FakeClock } from '../../support/fake-clock.js';
import { SharedLog } from '../../support/shared-log-replicator.js';

const dn = (i: number): DatanodeDetails => ({ uuid: `dn-${i}`, hostName: `dn${i}`, ipAddress: `127.0.8.${i}` });
const THREE = { replicationType: 'RATIS', replicationFactor: 'THREE' } as const;

function cluster() {
  const log = new SharedLog();
  const clock = new FakeClock();
  const members = ['a', 'b'].map((id) => {
    const node = log.node(id);
    const nodes = new NodeManager(node, clock, { staleMs: 60_000, deadMs: 120_000 });
    const handler = new ClosingContainerHandler(node, () => log.state, nodes, clock, silentLogger, { intervalMs: 10_000, checkMs: 100 });
    return { node, nodes, handler };
  });
  log.state.pipelines.set('p1', { id: 'p1', replicationConfig: THREE, state: 'OPEN', nodes: [dn(1), dn(2), dn(3)], leaderId: 'dn-1', creationTimestamp: 0 });
  const container = (id: number, state: 'OPEN' | 'CLOSING' | 'CLOSED') =>
    log.state.containers.set(id, { containerID: id, state, pipelineID: 'p1', replicationConfig: THREE, usedBytes: 0, numberOfKeys: 0, stateEnterTime: 0, owner: 'om', sequenceId: 0, deleteTransactionId: 0 });
  container(1, 'OPEN');
  container(2, 'CLOSING');
  container(3, 'CLOSING');
  container(4, 'CLOSED');
  /** what a datanode receives at its next heartbeat from member m, with `closed` replicas reported CLOSED */
  const beat = (m: (typeof members)[number], i: number, closed: number[] = []) =>
    m.nodes
      .heartbeat({ datanode: dn(i), containers: closed.map((containerID) => ({ containerID, state: 'CLOSED', usedBytes: 0, keyCount: 0 })) })
      .map((c) => (c.type === 'closeContainer' ? `${c.containerID}@${c.term}` : c.type));
  return { log, clock, members, beat };
}

describe('ClosingContainerHandler (the leader closes what an earlier leader left CLOSING)', () => {
  it('a new leader asks every pipeline member to close each CLOSING container, skipping replicas reported CLOSED', () => {
    const { log, clock, members, beat } = cluster();
    const [a, b] = members;
    beat(a!, 1, [2]); // dn1 already closed container 2 (its report reached every SCM)
    log.elect(a!.node);
    const term = a!.node.term();
    clock.advance(100);
    expect(beat(a!, 1)).toEqual([`3@${term}`]);
    expect(beat(a!, 2).sort()).toEqual([`2@${term}`, `3@${term}`]);
    expect(beat(b!, 3)).toEqual([]); // a follower queues nothing
    // Not repeated before the interval; repeated after it for what is still CLOSING.
    clock.advance(5_000);
    expect(beat(a!, 2)).toEqual([]);
    clock.advance(5_000);
    expect(beat(a!, 2).sort()).toEqual([`2@${term}`, `3@${term}`]);
    // Leadership moves: the new leader re-sends at once in its own term; the old one sends nothing more.
    log.elect(b!.node);
    clock.advance(100);
    const t2 = b!.node.term();
    expect(t2).toBeGreaterThan(term);
    expect(beat(b!, 3).sort()).toEqual([`2@${t2}`, `3@${t2}`]);
    expect(beat(a!, 3)).toEqual([]);
    for (const m of members) m.handler.close();
  });

  it('queues a command once even when runs repeat before the datanode heartbeats', () => {
    const { log, clock, members, beat } = cluster();
    const a = members[0]!;
    log.elect(a.node);
    clock.advance(100);
    clock.advance(10_000);
    clock.advance(10_000);
    expect(beat(a, 1).sort()).toEqual([`2@${a.node.term()}`, `3@${a.node.term()}`]);
    for (const m of members) m.handler.close();
  });

  it('a CLOSING container whose pipeline is gone is closed on the datanodes that report a replica', () => {
    const { log, clock, members, beat } = cluster();
    const a = members[0]!;
    a.nodes.heartbeat({ datanode: dn(2), containers: [{ containerID: 3, state: 'OPEN', usedBytes: 0, keyCount: 0 }] });
    log.state.pipelines.delete('p1');
    log.elect(a.node);
    clock.advance(100);
    const term = a.node.term();
    expect(beat(a, 1)).toEqual([]);
    expect(beat(a, 2)).toEqual([`3@${term}`]);
    for (const m of members) m.handler.close();
  });
});
