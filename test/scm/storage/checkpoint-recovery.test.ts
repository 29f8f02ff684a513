/** An install interrupted by a crash (dbInconsistentMarker left behind) is completed or rolled back before scm.db opens. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recoverInterruptedInstall } from '../../../src/scm/storage/checkpoint.js';

describe('recoverInterruptedInstall', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const layout = (parts: { db?: boolean; staged?: boolean; marker?: boolean }): { db: string; staged: string; marker: string } => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-rec-'));
    dirs.push(dir);
    const db = join(dir, 'scm.db');
    const staged = join(dir, 'scm.db.installing');
    const marker = join(dir, 'dbInconsistentMarker');
    if (parts.db) {
      mkdirSync(db);
      writeFileSync(join(db, 'which'), 'old');
      writeFileSync(join(db, 'CURRENT'), 'MANIFEST-000001\n');
    }
    if (parts.staged) {
      mkdirSync(staged);
      writeFileSync(join(staged, 'which'), 'new');
      writeFileSync(join(staged, 'CURRENT'), 'MANIFEST-000001\n');
    }
    if (parts.marker) writeFileSync(marker, 'installing x\n');
    return { db, staged, marker };
  };

  it('does nothing without a marker', () => {
    const p = layout({ db: true, staged: true });
    expect(recoverInterruptedInstall(p.db)).toBe('none');
    expect(existsSync(p.staged)).toBe(true);
  });
  it('rolls back when the crash came before the swap', () => {
    const p = layout({ db: true, staged: true, marker: true });
    expect(recoverInterruptedInstall(p.db)).toBe('rolled-back');
    expect(readFileSync(join(p.db, 'which'), 'utf8')).toBe('old');
    expect(existsSync(p.staged) || existsSync(p.marker)).toBe(false);
  });
  it('rolls forward when the crash came between the renames', () => {
    const p = layout({ staged: true, marker: true });
    expect(recoverInterruptedInstall(p.db)).toBe('rolled-forward');
    expect(readFileSync(join(p.db, 'which'), 'utf8')).toBe('new');
    expect(existsSync(p.marker)).toBe(false);
  });
  it('a LevelDB directory without CURRENT (left by a failed open) counts as missing', () => {
    const p = layout({ staged: true, marker: true });
    mkdirSync(p.db);
    writeFileSync(join(p.db, 'LOCK'), '');
    expect(recoverInterruptedInstall(p.db)).toBe('rolled-forward');
    expect(readFileSync(join(p.db, 'which'), 'utf8')).toBe('new');
  });
  it('only removes the marker when the swap completed', () => {
    const p = layout({ db: true, marker: true });
    expect(recoverInterruptedInstall(p.db)).toBe('completed');
    expect(readFileSync(join(p.db, 'which'), 'utf8')).toBe('old');
    expect(existsSync(p.marker)).toBe(false);
  });
});
