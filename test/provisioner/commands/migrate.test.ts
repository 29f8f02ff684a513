/** `scmctl migrate`'s refusals that come before any host is contacted (in-process, no network). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMigrate } from '../../../src/provisioner/commands/migrate.js';
import { migrationStatePath, MIGRATION_FORMAT, writeMigrationState } from '../../../src/provisioner/migrate/migration-state.js';
import { fakeContext } from './fake-context.js';

const ROOT = resolve(import.meta.dirname, '../../..');

const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

function setup(example = 'standalone.yaml'): { dir: string; file: string; env: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'scmctl-migrate-cmd-'));
  made.push(dir);
  const file = join(dir, example);
  writeFileSync(file, readFileSync(join(ROOT, 'examples', example), 'utf8'));
  return { dir, file, env: { HOME: '/home/op', SCMCTL_STATE_DIR: join(dir, 'state') } };
}

describe('scmctl migrate refuses early', () => {
  it('--add-nodes on an ozone-site.xml: MIGRATE_NEEDS_YAML, pointing to scmctl export', async () => {
    const c = fakeContext({ env: { HOME: '/home/op' } });
    expect(await runMigrate([join(ROOT, 'examples/ozone-site.xml')], { addNodes: 'scm4=10.0.0.4' }, c)).toBe(1);
    expect(c.err()).toContain('error[MIGRATE_NEEDS_YAML]');
    expect(c.err()).toContain('--format yaml');
  });

  it('a malformed --add-nodes: MIGRATE_BAD_ADD_NODES, and the file is untouched', async () => {
    const { file, env, dir } = setup();
    const before = readFileSync(file, 'utf8');
    const c = fakeContext({ env, cwd: dir });
    expect(await runMigrate([file], { addNodes: 'scm2' }, c)).toBe(1);
    expect(c.err()).toContain('error[MIGRATE_BAD_ADD_NODES]');
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('--resume with nothing recorded: MIGRATE_NOTHING_TO_RESUME', async () => {
    const { file, env, dir } = setup('local-ha.yaml');
    const c = fakeContext({ env, cwd: dir });
    expect(await runMigrate([file], { resume: true }, c)).toBe(1);
    expect(c.err()).toContain('error[MIGRATE_NOTHING_TO_RESUME]');
  });

  it('an unfinished migration is not continued without --resume: MIGRATE_IN_PROGRESS names its backup', async () => {
    const { file, env, dir } = setup('local-ha.yaml');
    writeMigrationState(migrationStatePath(env, 'local-ha', 'scmservice', '127.0.0.1'), {
      format: MIGRATION_FORMAT,
      cluster: 'local-ha',
      serviceId: 'scmservice',
      existingNode: 'scm1',
      existingHost: 'scm1',
      from: 'standalone',
      clusterId: 'CID-1',
      addedNodes: ['scm2', 'scm3'],
      topologyFile: file,
      startedAt: '2026-11-24T00:00:00.000Z',
      backup: { node: 'scmservice/scm1', host: 'scm1', path: '/tmp/b.tar.gz', bytes: 1, clusterId: 'CID-1', containers: [], at: '2026-11-24T00:00:01.000Z' },
      completedAt: null,
    });
    const c = fakeContext({ env, cwd: dir });
    expect(await runMigrate([file], { yes: true }, c)).toBe(1);
    expect(c.err()).toContain('error[MIGRATE_IN_PROGRESS]');
    expect(c.err()).toContain('its backup is /tmp/b.tar.gz on scm1');
    expect(c.err()).toContain('--resume');
  });
});

describe('scmctl migrate on a topology that keeps Ratis off', () => {
  it('refuses with MIGRATE_RATIS_OFF and says how to grow it', async () => {
    const { file, env, dir } = setup();
    const c = fakeContext({ env, cwd: dir });
    expect(await runMigrate([file], { yes: true }, c)).toBe(1);
    expect(c.err()).toContain('error[MIGRATE_RATIS_OFF]');
    expect(c.err()).toContain('--add-nodes');
  });
});
