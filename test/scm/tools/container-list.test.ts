/**
 * `ozone admin container list` against a real in-process SCM service (test/support/operator-cluster.ts),
 * compared with a golden file of Ozone 2.2's ListSubcommand output (a JSON array of ContainerInfo as
 * Jackson writes it). Pipeline ids and instants are normalised.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectGolden } from '../../support/golden.js';
import { OperatorCluster } from '../../support/operator-cluster.js';

const c = new OperatorCluster('127.0.41.21', '127.0.41.22', 'ctl');
const dir = import.meta.dirname;
const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z/g;
const ids = (out: string): number[] => (JSON.parse(out) as Array<{ containerID: number }>).map((x) => x.containerID);

describe('ozone admin container list (127.0.41.2x)', () => {
  beforeAll(async () => {
    await c.start();
    expect((await c.run(['admin', 'container', 'create', '--count', '3', '-o', 'OZONE'])).code).toBe(0);
    await c.close(1);
  }, 120_000);
  afterAll(() => c.stop());

  it('prints a JSON array of ContainerInfo in Ozone\'s property order', async () => {
    const r = await c.run(['admin', 'container', 'list']);
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' });
    const pipelines = [...c.leader.context.stateStore.snapshotState.pipelines.keys()];
    expectGolden(dir, 'container-list.txt', pipelines.reduce((t, id, i) => t.split(id).join(`<pipeline-${i + 1}>`), r.out).replace(ISO, '<time>'));
    expect(JSON.parse(r.out)).toMatchObject([{ containerID: 1, state: 'CLOSED', open: false }, { containerID: 2, state: 'OPEN', open: true }, { containerID: 3 }]);
  });

  it('--start, --count (with Ozone\'s notice on stderr), --all in batches, --state, -t/-r filters', async () => {
    const two = await c.run(['admin', 'container', 'list', '--count', '2']);
    expect(ids(two.out)).toEqual([1, 2]);
    expect(two.err).toBe('Displaying 2 out of 3 containers. Container list has more containers.\n');
    expect(ids((await c.run(['admin', 'container', 'list', '-s', '2'])).out)).toEqual([2, 3]);
    const all = await c.run(['admin', 'container', 'list', '--all', '-c', '1']);
    expect({ ids: ids(all.out), err: all.err }).toEqual({ ids: [1, 2, 3], err: '' });
    expect(ids((await c.run(['admin', 'container', 'list', '--state', 'OPEN'])).out)).toEqual([2, 3]);
    expect(ids((await c.run(['admin', 'container', 'list', '--state', 'CLOSED'])).out)).toEqual([1]);
    expect(ids((await c.run(['admin', 'container', 'list', '-t', 'RATIS', '-r', 'THREE'])).out)).toEqual([1, 2, 3]);
    expect((await c.run(['admin', 'container', 'list', '-r', 'ONE'])).out).toBe('[ ]\n');
    expect((await c.run(['admin', 'container', 'list', '--suppressed', 'true'])).out).toBe('[ ]\n');
  });

  it('caps --count at this host\'s ozone.scm.container.list.max.count with Ozone\'s notice', async () => {
    const r = await c.runWith({ 'ozone.scm.container.list.max.count': '2' }, ['admin', 'container', 'list', '--count', '5']);
    expect(ids(r.out)).toEqual([1, 2]);
    expect(r.err).toBe(
      "Attempting to list the first 5 records of containers. However it exceeds the cluster's current limit of 2. The results will be capped at the maximum allowed count.\n" +
        'Displaying 2 out of 3 containers. Container list has more containers.\n',
    );
  });

  it('fails with 255 when no SCM answers', async () => {
    const r = await c.run(['admin', 'container', 'list', '--scm', '127.0.41.29:9']);
    expect({ code: r.code, out: r.out }).toEqual({ code: 255, out: '' });
  });
});
