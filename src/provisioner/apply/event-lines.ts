/**
 * Apply events as NDJSON (`--output json`): one JSON object per line with a `time`, the event's fields, and
 * nothing else (no file contents, no secrets), so scripts can follow an apply as it runs.
 */
import type { ApplyEvent } from './apply-events.js';

export function eventLine(e: ApplyEvent | Readonly<Record<string, unknown>>, now: Date = new Date()): string {
  return `${JSON.stringify({ time: now.toISOString(), ...e })}\n`;
}
