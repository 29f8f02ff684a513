/**
 * Seeded randomized simulation of 3- and 5-node groups under loss, duplication, reordering, partitions,
 * crashes/restarts and membership changes (support/simulation.ts lists the invariants).
 *
 *   default run              a handful of seeds (both sizes)
 *   RAFT_SIM_SEEDS=N          N seeds starting at RAFT_SIM_FIRST_SEED (default 1)
 *   RAFT_SIM_SEED=S           exactly seed S, with an event trace printed on failure
 */
import { describe, expect, it } from 'vitest';
import { SimViolation, Simulation } from './support/simulation.js';

const single = process.env.RAFT_SIM_SEED;
const count = Number(process.env.RAFT_SIM_SEEDS ?? 6);
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
        if (err instanceof SimViolation) {
          const replay = `RAFT_SIM_SEED=${seed} npx vitest run test/scm/raft/simulation.test.ts`;
          if (trace.length > 0) console.error(trace.slice(-200).join('\n'));
          throw new Error(`${err.message}\nreplay: ${replay}`);
        }
        throw err;
      }
    });
  }
});
