/**
 * Non-TTY progress (apply without a terminal, or NO_COLOR): every line carries the wall time and the time
 * since the run began; a long wait prints a heartbeat every 10 s naming what is awaited, the time waited and
 * the limit. The run goes against simulated SCM hosts on the fake clock: the first SCM's leader gate waits
 * 25 s (its roles query answers "no leader" until then), nothing sleeps.
 */
import { describe, expect, it } from 'vitest';
import type { ApplyEvent } from '../../../src/provisioner/apply/apply-events.js';
import { executePlan } from '../../../src/provisioner/apply/executor.js';
import { startListrView } from '../../../src/provisioner/apply/listr-view.js';
import { elapsedText } from '../../../src/provisioner/apply/progress-lines.js';
import { SimCluster } from '../../support/sim-scm-cluster.js';
import { FakeClock } from '../../support/fake-clock.js';
import { threeNodeText, topologyOf } from '../plan/cluster-fixture.js';
import { BUNDLE_INFO, planOn, sessionOf } from './sim-loop.js';

const t3 = topologyOf(threeNodeText());
const START = Date.parse('2026-12-07T10:00:00Z');

describe('plain progress lines', () => {
  it('carry time and elapsed time, and a heartbeat every 10 s of a long wait', async () => {
    const clock = new FakeClock(START);
    const sim = new SimCluster(t3, { fail: (op) => (op === 'roles' && clock.now() - START < 25_000 ? { exitCode: 1, stderr: 'no leader yet' } : null) });
    const { plan } = await planOn(sim, t3);
    let out = '';
    const view = startListrView(plan, { write: (s: string) => (out += s), isTTY: false }, { tty: false, clock });
    const events: ApplyEvent[] = [];
    const session = sessionOf(sim, t3);
    let done = false;
    const run = executePlan(plan, {
      hosts: session.pool,
      bundle: BUNDLE_INFO,
      clock,
      install: sim.install as never,
      onEvent: (e) => {
        events.push(e);
        view.onEvent(e);
      },
    }).finally(() => (done = true));
    // real time stands still: the fake clock moves half a second whenever the run waits on it
    while (!done) {
      await new Promise((r) => setImmediate(r));
      if (clock.pendingTimers() > 0) clock.advance(500);
    }
    const outcome = await run;
    await view.close();
    await session.close();
    expect(outcome.ok).toBe(true);

    const waiting = events.filter((e): e is Extract<ApplyEvent, { type: 'task-waiting' }> => e.type === 'task-waiting');
    expect(waiting.map((w) => [w.task.kind, w.what, w.elapsedMs, w.limitMs])).toEqual([
      ['start-scm', 'svc/scm1 to become the leader', 10_000, 120_000],
      ['start-scm', 'svc/scm1 to become the leader', 20_000, 120_000],
    ]);
    const lines = out.trim().split('\n');
    for (const l of lines) expect(l).toMatch(/^2026-12-07T10:\d\d:\d\dZ \+\d+s +\S/);
    expect(lines).toContainEqual(expect.stringMatching(/^2026-12-07T10:00:\d\dZ \+\d+s +still waiting for svc\/scm1 to become the leader: 10 s \/ 120 s$/));
    expect(lines).toContainEqual(expect.stringMatching(/still waiting for svc\/scm1 to become the leader: 20 s \/ 120 s$/));
    const started = lines.findIndex((l) => l.includes('… start svc/scm1'));
    const finished = lines.findIndex((l) => l.includes('✔ start svc/scm1'));
    expect(started).toBeGreaterThanOrEqual(0);
    expect(finished).toBeGreaterThan(started);
    expect(lines[finished]).toMatch(/\+2\ds +✔ start svc\/scm1 .*\(2\d\.\d s\)$/);
    expect(out).not.toMatch(/\u001b\[/); // no colours, no cursor movement
  });

  it('writes elapsed time compactly', () => {
    expect([0, 5_400, 65_000, 3_600_000 + 125_000].map(elapsedText)).toEqual(['+0s', '+5s', '+1m05s', '+1h02m']);
  });
});
