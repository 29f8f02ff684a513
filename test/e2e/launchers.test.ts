/** The two launchers start the built programs as real processes, from the repo and through a symlink (npm bin). */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

describe('launchers', () => {
  it('scmctl --help lists the program and exits 0', () => {
    const out = execFileSync(join(root, 'bin/scmctl'), ['--help'], { encoding: 'utf8' });
    expect(out).toMatch(/Usage: scmctl/);
  });

  it('ozone --help works through a symlink, as npm links bins', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scmctl-bin-'));
    symlinkSync(join(root, 'bin/ozone'), join(dir, 'ozone'));
    const res = spawnSync(join(dir, 'ozone'), ['--help'], { encoding: 'utf8' });
    expect(res.status).toBe(0);
    rmSync(dir, { recursive: true, force: true });
    expect(res.stdout).toMatch(/Usage: ozone/);
  });

  it('scmctl rejects an unknown command with exit 1', () => {
    const res = spawnSync(join(root, 'bin/scmctl'), ['no-such-command'], { encoding: 'utf8' });
    expect(res.status).toBe(1);
  });
});
