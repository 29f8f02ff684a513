/**
 * Seeded randomized simulation of 3- and 5-node groups under loss, duplication, reordering, partitions,
 * crashes/restarts and membership changes (support/simulation.ts lists the invariants).
 *
 *   default run              20 seeds (both sizes, ~3 s)
 *   RAFT_SIM_SEEDS=N          N seeds starting at RAFT_SIM_FIRST_SEED (default 1)
 *   RAFT_SIM_SEED=S           exactly seed S, with an event trace printed on failure
 */
import { describe, expect, it } from 'vitest';
import { SimViolation, Simulation } from './support/simulation.js';

const single = process.env.RAFT_SIM_SEED;
const count = Number(process.env.RAFT_SIM_SEEDS ?? 20);
const first = Number(process.env.RAFT_SIM_FIRST_SEED ?? 1);
const seeds = single !== undefined ? [Number(single)] : Array.from({ length: count }, (_, i) => first + i);
const duration = Number(process.env.RAFT_SIM_DURATION ?? 30_000);

describe('raft simulation', () => {
  for (const seed of seeds) {
    const nodes = seed % 2 === 0 ? 5 : 3;
    it(`seed ${seed} (${nodes} nodes)`, () => {
      const trace: string[] = [];
      const sim = new Simulation({ seed, nodes, duration, trace: single !== undefined ? (l) => trace.push(l) : undefined });
      try {
        const report = sim.run();
        expect(report.acked).toBeGreaterThan(0);
        expect(report.leaders).toBeGreaterThan(0);
      } catch (err) {
        // Any failure (a violated invariant, or the core refusing an impossible state) names its replay.
        const replay = `RAFT_SIM_SEED=${seed} npx vitest run test/scm/raft/simulation.test.ts`;
        if (trace.length > 0) console.error(trace.slice(-200).join('\n'));
        const what = err instanceof SimViolation ? err.message : `seed ${seed}: ${(err as Error).stack ?? String(err)}`;
        throw new Error(`${what}\nreplay: ${replay}`, { cause: err });
      }
    });
  }
});
