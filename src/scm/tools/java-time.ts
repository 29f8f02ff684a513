/**
 * Java's renderings of instants that Ozone's commands print:
 *  - `Instant` in JSON (Jackson JavaTimeModule, WRITE_DATES_AS_TIMESTAMPS=false → DateTimeFormatter.ISO_INSTANT):
 *    `2026-12-06T19:26:59.001Z`, the fraction in groups of three digits and left out when zero;
 *  - `ZonedDateTime.toString()` of `instant.atZone(ZoneId.systemDefault())` (Pipeline.toString):
 *    `2026-12-06T19:26:59.001Z[Etc/UTC]`, `…+01:00[Europe/Paris]` (LocalTime drops `:ss` when seconds and
 *    nanos are zero, like Java);
 *  - the JVM's default zone id on Linux: `TZ`, else /etc/timezone, else the /etc/localtime link target.
 */
import { readFileSync, readlinkSync } from 'node:fs';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function fraction(ms: number): string {
  return ms === 0 ? '' : `.${pad(ms, 3)}`;
}

/** DateTimeFormatter.ISO_INSTANT of an epoch-millisecond instant. */
export function isoInstant(epochMs: number): string {
  const d = new Date(epochMs);
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return `${date}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${fraction(d.getUTCMilliseconds())}Z`;
}

/** The JVM's `ZoneId.systemDefault()` id on Linux (default `UTC` when nothing says otherwise). */
export function systemZoneId(env: Readonly<Record<string, string | undefined>> = process.env, files: { timezone?: string; localtime?: string } = {}): string {
  const tz = env.TZ?.replace(/^:/, '').trim();
  if (tz) return tz;
  try {
    const name = readFileSync(files.timezone ?? '/etc/timezone', 'utf8').trim();
    if (name) return name;
  } catch {
    // no /etc/timezone
  }
  try {
    const target = readlinkSync(files.localtime ?? '/etc/localtime');
    const at = target.indexOf('zoneinfo/');
    if (at >= 0) return target.slice(at + 'zoneinfo/'.length);
  } catch {
    // no link
  }
  return 'UTC';
}

/** Offset of `zone` at the instant in seconds east of UTC (0 for a zone this runtime does not know). */
function offsetSeconds(epochMs: number, zone: string): number {
  try {
    const part = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(new Date(epochMs)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
    const m = /^GMT([+-])(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(part);
    if (!m) return 0;
    const s = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0);
    return m[1] === '-' ? -s : s;
  } catch {
    return 0;
  }
}

/** ZoneOffset.getId(): `Z`, `+01:00`, `-05:30`, `+05:45:30`. */
function offsetId(seconds: number): string {
  if (seconds === 0) return 'Z';
  const a = Math.abs(seconds);
  const s = a % 60;
  return `${seconds < 0 ? '-' : '+'}${pad(Math.floor(a / 3600))}:${pad(Math.floor((a % 3600) / 60))}${s === 0 ? '' : `:${pad(s)}`}`;
}

/** `ZonedDateTime.toString()` of `Instant.ofEpochMilli(epochMs).atZone(ZoneId.of(zone))`. */
export function zonedDateTimeString(epochMs: number, zone: string): string {
  const offset = offsetSeconds(epochMs, zone);
  const d = new Date(epochMs + offset * 1000);
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const sec = d.getUTCSeconds();
  const ms = d.getUTCMilliseconds();
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}${sec === 0 && ms === 0 ? '' : `:${pad(sec)}${fraction(ms)}`}`;
  const id = offsetId(offset);
  // a zone that is itself an offset (Z, +01:00) is printed once; a region id follows in brackets
  const isOffset = zone === 'Z' || /^[+-]\d{2}:\d{2}(:\d{2})?$/.test(zone);
  return `${date}T${time}${id}${isOffset ? '' : `[${zone}]`}`;
}
