/**
 * `ozone admin container info` against a real in-process SCM service (test/support/operator-cluster.ts),
 * compared with golden files of Ozone 2.2's InfoSubcommand output: an open container (its own pipeline)
 * and a closed one (a read pipeline of its replicas), plain and `--json`. Datanode uuids are stable;
 * pipeline ids and instants are normalised.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateContainerIds } from '../../../src/scm/tools/container-info.js';
import { expectGolden, numberMatches } from '../../support/golden.js';
import { OperatorCluster } from '../../support/operator-cluster.js';

const c = new OperatorCluster('127.0.41.31', '127.0.41.32', 'cti');
const dir = import.meta.dirname;
const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z/g;

describe('ozone admin container info (127.0.41.3x)', () => {
  let norm: (s: string) => string = (s) => s;
  beforeAll(async () => {
    await c.start();
    expect((await c.run(['admin', 'container', 'create', '--count', '2'])).code).toBe(0);
    await c.close(1);
    // the container's own pipeline is <pipeline-1>; other pipeline ids (read pipelines) are numbered as they appear
    const own = [...c.leader.context.stateStore.snapshotState.pipelines.keys()];
    const dns = new Set(c.sim.uuids);
    norm = (s) => {
      const seen = new Map<string, string>(own.map((id, i) => [id, `<pipeline-${i + 1}>`]));
      return numberMatches(s, /[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'pipeline', seen).replace(ISO, '<time>');
    };
    expect([...dns].every((u) => /-5[0-9a-f]{3}-/.test(u))).toBe(true); // datanode uuids are not matched by the v4 pattern
  }, 120_000);
  afterAll(() => c.stop());

  it('prints an open container with its pipeline, datanodes and replicas as Ozone', async () => {
    const r = await c.run(['admin', 'container', 'info', '2']);
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' });
    expectGolden(dir, 'container-info.txt', norm(r.out));
  });

  it('a closed container shows a read pipeline of its replicas; several ids are separated by an empty line', async () => {
    const r = await c.run(['admin', 'container', 'info', '1', '2', '1']);
    expect(r.code).toBe(0);
    expectGolden(dir, 'container-info-closed-and-open.txt', norm(r.out));
  });

  it('--json prints ContainerWithPipelineAndReplicas as Jackson writes it; several ids as [ … , … ]', async () => {
    const r = await c.run(['admin', 'container', 'info', '2', '--json']);
    expect(r.code).toBe(0);
    expectGolden(dir, 'container-info-json.txt', norm(r.out));
    expect(JSON.parse(r.out)).toMatchObject({ containerInfo: { containerID: 2, state: 'OPEN' }, replicas: [{ state: 'OPEN', replicaIndex: 0 }, {}, {}] });
    const two = await c.run(['admin', 'container', 'info', '--json', '1', '2']);
    expect(two.out.split('\n')[0]).toBe('[');
    expect((JSON.parse(two.out) as Array<{ containerInfo: { containerID: number } }>).map((x) => x.containerInfo.containerID)).toEqual([1, 2]);
  });

  it('a missing container prints the SCM\'s error and the next one is still shown (exit 0, as Ozone)', async () => {
    const r = await c.run(['admin', 'container', 'info', '99', '2']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('Container #99 not found\n');
    expect(r.out).toMatch(/^\nContainer id: 2\n/);
  });

  it('ids must be positive integers (exit 2, Ozone\'s message)', async () => {
    const r = await c.run(['admin', 'container', 'info', '2', '-2', '0.5', 'abc']);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')[0]).toBe('Container IDs must be positive integers. Invalid container IDs: -2 0.5 abc');
    expect(() => validateContainerIds([])).toThrow("Missing required parameter: '<container ID>'");
    expect(validateContainerIds(['3', '1', '3'])).toEqual([3, 1]);
  });
});
