/**
 * `ozone admin pipeline list` against a real in-process SCM service (test/support/operator-cluster.ts),
 * compared with golden files of Ozone 2.2's ListPipelinesSubcommand output: Pipeline.toString lines, and
 * `--json` as Jackson writes a Pipeline. Pipeline ids and times are normalised; Java renderings of times
 * are checked in java-time.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineInfo } from '../../../src/scm/state/records.js';
import { filterPipelines } from '../../../src/scm/tools/pipeline-list.js';
import { pipelineString } from '../../../src/scm/tools/ozone-json.js';
import { expectGolden } from '../../support/golden.js';
import { OperatorCluster } from '../../support/operator-cluster.js';

const c = new OperatorCluster('127.0.41.11', '127.0.41.12', 'ppl');
const dir = import.meta.dirname;
const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{3})?)?Z/g;

describe('ozone admin pipeline list (127.0.41.1x)', () => {
  let ids: string[] = [];
  const norm = (s: string): string => ids.reduce((t, id, i) => t.split(id).join(`<pipeline-${i + 1}>`), s).replace(ISO, '<time>');

  beforeAll(async () => {
    await c.start();
    expect((await c.run(['admin', 'container', 'create'])).code).toBe(0);
    expect((await c.run(['admin', 'container', 'create', '-r', 'ONE'])).code).toBe(0);
    ids = [...c.leader.context.stateStore.snapshotState.pipelines.keys()];
  }, 120_000);
  afterAll(() => c.stop());

  it('prints Pipeline.toString per pipeline (asked through the follower, answered by the leader)', async () => {
    const r = await c.run(['admin', 'pipeline', 'list']);
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' });
    expect(r.out).toMatch(/CreationTimestamp\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{3})?)?Z\[UTC\]\}\n/);
    expectGolden(dir, 'pipeline-list.txt', norm(r.out));
  });

  it('--json prints the pipelines as Jackson writes Ozone\'s Pipeline', async () => {
    const r = await c.run(['admin', 'pipeline', 'list', '--json', '-t', 'RATIS', '-r', 'THREE']);
    expect(r.code).toBe(0);
    expectGolden(dir, 'pipeline-list-json.txt', norm(r.out));
    const parsed = JSON.parse(r.out) as Array<Record<string, unknown>>;
    expect(parsed.map((p) => p.replicationConfig)).toEqual([{ replicationFactor: 'THREE', requiredNodes: 3, minimumNodes: 1, replicationType: 'RATIS' }]);
  });

  it('filters by state, type and factor as FilterPipelineOptions; bad combinations fail with 255', async () => {
    expect((await c.run(['admin', 'pipeline', 'list', '--state', 'closed'])).out).toBe('');
    expect((await c.run(['admin', 'pipeline', 'list', '-s', 'OPEN'])).out.split('\n').filter(Boolean)).toHaveLength(2);
    expect((await c.run(['admin', 'pipeline', 'list', '--filter-by-factor', 'ONE'])).out).toMatch(/^Pipeline\{ Id: \S+, Nodes: \[ \{[^}]+, ReplicaIndex: 0\},\], ReplicationConfig: RATIS\/ONE, State:OPEN, leaderId:\S*, CreationTimestamp/);
    const noType = await c.run(['admin', 'pipeline', 'list', '-r', 'ONE']);
    expect({ code: noType.code, first: noType.err.split('\n')[0] }).toEqual({ code: 255, first: 'Replication type is required if replication is set' });
    expect((await c.run(['admin', 'pipeline', 'list', '--filter-by-factor', 'ONE', '-t', 'RATIS', '-r', 'ONE'])).err).toMatch(/^Factor and replication are mutually exclusive/);
  });

  it('Pipeline.toString leaves leaderId empty while no leader is known', () => {
    const p: PipelineInfo = { id: 'a1b2', replicationConfig: { replicationType: 'STAND_ALONE', replicationFactor: 'ONE' }, state: 'ALLOCATED', nodes: [{ uuid: 'u1', hostName: 'h1', ipAddress: '10.0.0.1' }], leaderId: null, creationTimestamp: Date.UTC(2026, 11, 6, 19, 26, 0) };
    expect(pipelineString(p, 'Europe/Paris')).toBe('Pipeline{ Id: a1b2, Nodes: [ {u1(h1/10.0.0.1), ReplicaIndex: 0},], ReplicationConfig: STANDALONE/ONE, State:ALLOCATED, leaderId:, CreationTimestamp2026-12-06T20:26+01:00[Europe/Paris]}');
    expect(filterPipelines([p], { type: 'stand_alone', json: false })).toEqual([p]);
  });
});
