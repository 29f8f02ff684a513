/**
 * Ozone/Hadoop time durations (`Configuration.getTimeDuration`): a number with an optional unit suffix
 * (`ns`, `us`, `ms`, `s`, `m`, `h`, `d`, also long forms like `seconds`); a bare number is in the key's
 * default unit. Returned in milliseconds (fractions of a millisecond are kept as fractions).
 */
import { ConfigError } from './config-error.js';

export type TimeUnit = 'ns' | 'us' | 'ms' | 's' | 'm' | 'h' | 'd';

const toMs: Record<TimeUnit, number> = { ns: 1e-6, us: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

const aliases: Record<string, TimeUnit> = {
  ns: 'ns', nanos: 'ns', nanosecond: 'ns', nanoseconds: 'ns',
  us: 'us', micros: 'us', microsecond: 'us', microseconds: 'us',
  ms: 'ms', millis: 'ms', millisecond: 'ms', milliseconds: 'ms',
  s: 's', sec: 's', secs: 's', second: 's', seconds: 's',
  m: 'm', min: 'm', mins: 'm', minute: 'm', minutes: 'm',
  h: 'h', hr: 'h', hrs: 'h', hour: 'h', hours: 'h',
  d: 'd', day: 'd', days: 'd',
};

export function parseDurationMs(raw: string, defaultUnit: TimeUnit, key = 'value'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(raw);
  const unit = m ? (m[2] === '' ? defaultUnit : aliases[m[2]!.toLowerCase()]) : undefined;
  if (!m || unit === undefined) {
    throw new ConfigError('CONFIG_VALUE', `${key}=${JSON.stringify(raw)} is not a duration`, {
      hint: 'use a number with a unit such as 500ms, 5s, 10m, 1h or 1d',
    });
  }
  return Number(m[1]) * toMs[unit];
}
