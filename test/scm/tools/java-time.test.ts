/**
 * Java renderings of instants (expected values printed by OpenJDK 17: `Instant.atZone(ZoneId.of(z))`,
 * `ZoneId.systemDefault()` with and without TZ on Debian) and Jackson's ISO_INSTANT.
 */
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isoInstant, systemZoneId, zonedDateTimeString } from '../../../src/scm/tools/java-time.js';

const T = Date.UTC(2026, 11, 6, 19, 26, 59, 1);

describe('Java time renderings', () => {
  it('ZonedDateTime.toString in region and offset zones; seconds dropped when zero', () => {
    expect(zonedDateTimeString(T, 'UTC')).toBe('2026-12-06T19:26:59.001Z[UTC]');
    expect(zonedDateTimeString(T, 'Etc/UTC')).toBe('2026-12-06T19:26:59.001Z[Etc/UTC]');
    expect(zonedDateTimeString(T, 'Europe/Paris')).toBe('2026-12-06T20:26:59.001+01:00[Europe/Paris]');
    expect(zonedDateTimeString(T, 'Asia/Kolkata')).toBe('2026-12-07T00:56:59.001+05:30[Asia/Kolkata]');
    expect(zonedDateTimeString(T, 'America/New_York')).toBe('2026-12-06T14:26:59.001-05:00[America/New_York]');
    expect(zonedDateTimeString(Date.UTC(2026, 11, 6, 19, 26, 0), 'UTC')).toBe('2026-12-06T19:26Z[UTC]');
    expect(zonedDateTimeString(Date.UTC(2026, 11, 6, 19, 26, 5, 120), 'Etc/UTC')).toBe('2026-12-06T19:26:05.120Z[Etc/UTC]');
  });

  it('ISO_INSTANT: milliseconds in three digits, none when zero', () => {
    expect(isoInstant(T)).toBe('2026-12-06T19:26:59.001Z');
    expect(isoInstant(Date.UTC(2026, 11, 6, 19, 26, 59))).toBe('2026-12-06T19:26:59Z');
  });

  it('the JVM default zone: TZ, else /etc/timezone, else the /etc/localtime link', () => {
    const d = mkdtempSync(join(tmpdir(), 'tz-'));
    writeFileSync(join(d, 'timezone'), 'Etc/UTC\n');
    symlinkSync('/usr/share/zoneinfo/Europe/Paris', join(d, 'localtime'));
    expect(systemZoneId({ TZ: 'UTC' }, { timezone: join(d, 'timezone') })).toBe('UTC');
    expect(systemZoneId({ TZ: ':Asia/Kolkata' })).toBe('Asia/Kolkata');
    expect(systemZoneId({}, { timezone: join(d, 'timezone') })).toBe('Etc/UTC');
    expect(systemZoneId({}, { timezone: join(d, 'none'), localtime: join(d, 'localtime') })).toBe('Europe/Paris');
    expect(systemZoneId({}, { timezone: join(d, 'none'), localtime: join(d, 'none') })).toBe('UTC');
  });
});
