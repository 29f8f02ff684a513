/**
 * `ozone admin datanode list` against a real in-process SCM service (test/support/operator-cluster.ts:
 * a follower listed first, the standalone leader, three simulated datanodes reporting to both), compared
 * with golden files of Ozone 2.2's ListInfoSubcommand / BasicDatanodeInfo formats. Datanode uuids are
 * derived from the simulator's prefix (stable); pipeline ids are normalised.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatanodeListing } from '../../../src/scm/protocols/operator-listings.js';
import type { PipelineInfo } from '../../../src/scm/state/records.js';
import { formatDatanodeBlock } from '../../../src/scm/tools/datanode-list.js';
import { datanodeUuid } from '../../../src/scm/tools/datanode-simulator.js';
import { expectGolden } from '../../support/golden.js';
import { OperatorCluster } from '../../support/operator-cluster.js';

const c = new OperatorCluster('127.0.41.1', '127.0.41.2', 'dnl');
const dir = import.meta.dirname;

describe('ozone admin datanode list (127.0.41.x)', () => {
  let pipelineId = '';
  const norm = (s: string): string => s.split(pipelineId).join('<pipeline-1>');

  beforeAll(async () => {
    await c.start();
    expect((await c.run(['admin', 'container', 'create'])).code).toBe(0);
    pipelineId = [...c.leader.context.stateStore.snapshotState.pipelines.keys()][0]!;
  }, 120_000);
  afterAll(() => c.stop());

  it('prints one block per datanode with the pipelines it is in, as Ozone (asked through the follower, answered by the leader)', async () => {
    const r = await c.run(['admin', 'datanode', 'list']);
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' });
    expectGolden(dir, 'datanode-list.txt', norm(r.out));
  });

  it('--json prints BasicDatanodeInfo objects in Ozone\'s property order', async () => {
    const r = await c.run(['admin', 'datanode', 'list', '--json', '--hostname', 'DNL-DN2']);
    expect(r.code).toBe(0);
    expectGolden(dir, 'datanode-list-json.txt', r.out);
    expect(JSON.parse(r.out)).toMatchObject([{ id: datanodeUuid('dnl', 2), hostName: 'dnl-dn2', opState: 'IN_SERVICE', healthState: 'HEALTHY', networkLocation: '/default-rack' }]);
  });

  it('filters by node id, state, ip and length; an unknown or malformed id fails with 255', async () => {
    const one = await c.run(['admin', 'datanode', 'list', '--node-id', datanodeUuid('dnl', 3)]);
    expect(one.out.match(/^Datanode: /gm)).toHaveLength(1);
    expect(one.out).toContain(`Datanode: ${datanodeUuid('dnl', 3)} (/default-rack/127.0.0.1/dnl-dn3/1 pipelines)`);
    expect((await c.run(['admin', 'datanode', 'list', '--node-state', 'STALE'])).out).toBe('');
    expect((await c.run(['admin', 'datanode', 'list', '--node-state', 'healthy', '--operational-state', 'IN_SERVICE', '--ip', '127.0.0.1'])).out.match(/^Datanode: /gm)).toHaveLength(3);
    expect((await c.run(['admin', 'datanode', 'list', '-l', '2'])).out.match(/^Datanode: /gm)).toHaveLength(2);
    const unknown = await c.run(['admin', 'datanode', 'list', '--node-id', '00000000-0000-4000-8000-000000000000']);
    expect({ code: unknown.code, out: unknown.out }).toEqual({ code: 255, out: '' });
    expect(unknown.err).toMatch(/^Datanode 00000000-0000-4000-8000-000000000000 is not known to this SCM\n[\s\S]*code: DATANODE_NOT_FOUND/);
    expect((await c.run(['admin', 'datanode', 'list', '--uuid', 'nope'])).err).toMatch(/^Invalid UUID string: nope/);
  });

  it('--scm: the leader answers; a follower refuses with Ozone\'s NotLeader text (exit 255)', async () => {
    const viaLeader = await c.run(['admin', 'datanode', 'list', '--scm', c.leaderClientAddress]);
    expect(norm(viaLeader.out)).toBe(norm((await c.run(['admin', 'datanode', 'list'])).out));
    const viaFollower = await c.run(['admin', 'datanode', 'list', '--scm', c.followerClientAddress, '--json']);
    expect(viaFollower.code).toBe(255);
    expect(viaFollower.out).toBe('');
    expect(viaFollower.err).toMatch(/is not the leader/);
  });

  it('prints Ozone\'s texts for a datanode without pipelines and a cluster without any', () => {
    const dn: DatanodeListing = { uuid: datanodeUuid('x', 1), hostName: 'x-dn1', ipAddress: '10.0.0.1', networkLocation: '/default-rack', healthState: 'STALE', operationalState: 'IN_SERVICE' };
    const other: PipelineInfo = { id: 'p', replicationConfig: { replicationType: 'RATIS', replicationFactor: 'ONE' }, state: 'OPEN', nodes: [{ uuid: datanodeUuid('x', 2), hostName: 'x-dn2', ipAddress: '10.0.0.2' }], leaderId: null, creationTimestamp: 0 };
    expect(formatDatanodeBlock(dn, [other])).toBe(
      `Datanode: ${dn.uuid} (/default-rack/10.0.0.1/x-dn1/0 pipelines)\nOperational State: IN_SERVICE\nHealth State: STALE\nRelated pipelines:\nNo related pipelines or the node is not in Healthy state.\n\n`,
    );
    expect(formatDatanodeBlock(dn, [])).toContain('Related pipelines:\nNo pipelines in cluster.\n\n');
  });
});
