import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertJsonDir, writeJsonReport, type FreonResult } from '../../../src/scm/tools/freon.js';

const dir = mkdtempSync(join(tmpdir(), 'freon-json-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const result: FreonResult = {
  status: 'Success', numOfVolumes: 1, numOfBuckets: 1, numOfKeys: 10, keysAllocated: 10, failures: 0, blocks: 10, containers: 1,
  replicationType: 'RATIS', factor: 'THREE', keySize: 1024, elapsedMs: 5, keysPerSecond: 2000, latencyMs: { p50: 0.1, p99: 0.2, max: 0.3 },
};

describe('freon --json <dir> (RandomKeyGenerator: <dir>/<yyyyMMddHHmmss>.json)', () => {
  it('writes the figures to a file named after the UTC time, in an existing directory', () => {
    const path = writeJsonReport(dir, result, new Date('2026-12-07T03:04:05Z'));
    expect(path).toBe(join(dir, '20261207030405.json'));
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(result);
    expect(readdirSync(dir)).toEqual(['20261207030405.json']);
  });
  it('refuses a directory that does not exist, before any allocation', () => {
    expect(() => assertJsonDir(join(dir, 'missing'))).toThrow(expect.objectContaining({ code: 'FREON_BAD_OPTION' }));
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });
});
