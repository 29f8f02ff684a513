/** Topology durations: `<digits><unit>` with unit ms, s, m, h or d (schema `duration`), kept as milliseconds. */
const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

export function parseDuration(text: string): number | undefined {
  const m = /^(\d{1,6})(ms|s|m|h|d)$/.exec(text);
  if (!m) return undefined;
  const factor = UNITS.find(([u]) => u === m[2])![1];
  return Number(m[1]) * factor;
}

/** The largest unit that represents `ms` exactly: 600000 → "10m", 1500 → "1500ms". */
export function formatDuration(ms: number): string {
  for (const [unit, factor] of UNITS) if (ms % factor === 0 && ms >= factor) return `${ms / factor}${unit}`;
  return `${ms}ms`;
}
