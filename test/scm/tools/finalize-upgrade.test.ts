/**
 * `ozone admin scm finalizeupgrade` / `finalizationstatus` against a real in-process SCM service
 * (test/support/operator-cluster.ts): the embedded SCM runs at its newest layout, so both print what Ozone
 * 2.2's FinalizeScmUpgradeSubcommand / FinalizationScmStatusSubcommand print for a finalized cluster.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectGolden } from '../../support/golden.js';
import { OperatorCluster } from '../../support/operator-cluster.js';

const c = new OperatorCluster('127.0.41.41', '127.0.41.42', 'fin');
const dir = import.meta.dirname;

describe('ozone admin scm finalizeupgrade / finalizationstatus (127.0.41.4x)', () => {
  beforeAll(() => c.start(), 120_000);
  afterAll(() => c.stop());

  it('finalizeupgrade: "Upgrade has already been finalized." then "Exiting...", exit 0', async () => {
    const r = await c.run(['admin', 'scm', 'finalizeupgrade']);
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' });
    expectGolden(dir, 'finalize-upgrade.txt', r.out);
    expect((await c.run(['admin', 'scm', 'finalizeupgrade', '--takeover', '--scm', c.leaderClientAddress])).out).toBe(r.out);
  });

  it('finalizationstatus: ALREADY_FINALIZED, exit 0', async () => {
    const r = await c.run(['admin', 'scm', 'finalizationstatus']);
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' });
    expectGolden(dir, 'finalization-status.txt', r.out);
  });

  it('a follower asked directly refuses (leader-only as in Ozone): exit 255', async () => {
    const r = await c.run(['admin', 'scm', 'finalizationstatus', '--scm', c.followerClientAddress]);
    expect({ code: r.code, out: r.out }).toEqual({ code: 255, out: '' });
    expect(r.err).toMatch(/^no SCM answered as leader after \d+ failovers: FOLLOWER Server:[0-9a-f-]+\(127\.0\.41\.41\) is not the leader\. Suggested leader is Server:127\.0\.41\.42:\d+\.\n/);
  });
});
