/**
 * The "first ten minutes" path (docs/first-ten-minutes.md) with the built CLI and no SSH: `scmctl init` writes a
 * starter topology for three SCMs on 127.0.0.61–63, `validate` accepts it as written, `apply --yes` brings up
 * the quorum, `status` calls it healthy, and a second `apply` changes nothing. Non-TTY progress lines carry
 * the UTC time and the elapsed time. Every SCM started is stopped in afterAll, even on failure.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTree, scmctl, stopDaemons } from '../support/apply-e2e.js';

const NAME = 'e2e-first-ten';
const data = `/tmp/scmctl-${NAME}`;
const dir = mkdtempSync(join(tmpdir(), 'scmctl-init-e2e-'));
const file = join(dir, 'cluster.yaml');
const env = { SCMCTL_STATE_DIR: join(dir, 'state'), SCMCTL_CACHE_DIR: join(tmpdir(), 'scmctl-apply-e2e-cache') };
const logDirs = (): string[] => ['scm1', 'scm2', 'scm3'].map((h) => join(data, h, 'logs'));

beforeAll(async () => {
  await stopDaemons(logDirs());
  removeTree(data);
});

afterAll(async () => {
  await stopDaemons(logDirs());
  removeTree(data);
  removeTree(dir);
});

describe('scmctl init → validate → apply → status on this machine', () => {
  it('the starter topology validates as written and applies to a healthy quorum; a re-apply changes nothing', async () => {
    const init = await scmctl(['init', file, '--defaults', '--name', NAME, '--hosts', '127.0.0.61,127.0.0.62,127.0.0.63'], env);
    expect(init.status, init.stderr).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^# /m); // commented
    expect(text).toContain('127.0.0.62');

    const again = await scmctl(['init', file, '--defaults', '--name', NAME], env);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('INIT_FILE_EXISTS');
    expect(readFileSync(file, 'utf8')).toBe(text);

    const valid = await scmctl(['validate', file], env);
    expect(valid.status, valid.stdout + valid.stderr).toBe(0);

    const applied = await scmctl(['apply', file, '--yes'], env, 240_000);
    expect(applied.status, applied.stdout + applied.stderr).toBe(0);
    expect(applied.stdout).toContain('Apply complete');
    // not a terminal: each progress line has the UTC time and the elapsed time of its step
    expect(applied.stderr).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ +\S+ +.*start scmservice\/scm1 on scm1/m);

    const status = await scmctl(['status', file], env);
    expect(status.status, status.stdout + status.stderr).toBe(0);
    expect(status.stdout).toMatch(/leader/i);

    const noop = await scmctl(['apply', file, '--yes'], env);
    expect(noop.status, noop.stderr).toBe(0);
    expect(noop.stdout).toContain('No changes.');
  });
});
