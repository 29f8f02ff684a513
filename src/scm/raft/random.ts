/**
 * Randomness as a port: the core draws election jitter from an injected source, so a seed replays a run.
 * `seededRandom` is a small deterministic generator (mulberry32) for tests and the simulator; the driver
 * supplies a source backed by the platform's CSPRNG.
 */
export interface RandomSource {
  /** A uniformly distributed integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
}

export function seededRandom(seed: number): RandomSource & { float(): number } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (maxExclusive) => (maxExclusive <= 0 ? 0 : Math.floor(next() * maxExclusive)),
    float: next,
  };
}
