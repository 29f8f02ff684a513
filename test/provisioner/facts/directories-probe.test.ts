/**
 * Whether directories are empty, with one real `find` for all of them: a dot file or a `..name` counts as
 * content (as `ls -A` shows it), a missing directory is not called empty, an unreadable one is unknown.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { emptinessScript, emptyAnswer } from '../../../src/provisioner/facts/directories-probe.js';

const root = mkdtempSync(join(tmpdir(), 'scmctl-empty-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function runReal(dirs: string[]): { stdout: string; stderr: string } {
  const r = spawnSync('sh', ['-c', emptinessScript(dirs).text], { encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr };
}

describe('emptinessScript / emptyAnswer', () => {
  it('tells empty directories from those with any entry, dot files included, in one command', () => {
    const dirs = ['empty', 'dotfile', 'dotdot', 'plain', "it's empty"].map((d) => join(root, d));
    for (const d of dirs) mkdirSync(d);
    writeFileSync(join(root, 'dotfile', '.hidden'), '');
    writeFileSync(join(root, 'dotdot', '..x'), '');
    mkdirSync(join(root, 'plain', 'scm'));
    const missing = join(root, 'missing');
    const r = runReal([...dirs, missing]);
    expect([...dirs, missing].map((d) => emptyAnswer(d, r))).toEqual([true, false, false, false, true, null]);
  });

  it('a directory find could not read is unknown, not empty; no answer at all is unknown', () => {
    const r = { stdout: '/a\n', stderr: "find: '/b': Permission denied\n" };
    expect(emptyAnswer('/a', r)).toBe(true);
    expect(emptyAnswer('/b', r)).toBeNull();
    expect(emptyAnswer('/c', r)).toBe(false);
    expect(emptyAnswer('/a', null)).toBeNull();
  });

  it('as a user who may not list it, find names the directory in its error', () => {
    if (process.getuid?.() !== 0) return; // needs root to run find as nobody
    const locked = join(root, 'locked');
    mkdirSync(locked, { mode: 0o700 });
    execFileSync('chmod', ['755', root]);
    const r = spawnSync('su', ['-s', '/bin/sh', 'nobody', '-c', emptinessScript([locked]).text], { encoding: 'utf8' });
    expect(emptyAnswer(locked, { stdout: r.stdout, stderr: r.stderr })).toBeNull();
  });
});
