import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCodedError } from '../../../src/common/coded-error.js';
import { backupStamp, writeStarter } from '../../../src/provisioner/init/write-starter.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'scmctl-write-starter-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const valid = readFileSync('examples/local-ha.yaml', 'utf8');
const now = new Date('2026-12-07T10:15:30.123Z');
const options = { displayName: 'c.yaml', env: {}, cwd: process.cwd(), now };

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (isCodedError(err)) return err.code;
    throw err;
  }
  return 'none';
}

describe('writeStarter', () => {
  it('names backups by UTC second', () => {
    expect(backupStamp(now)).toBe('20261207T101530Z');
  });

  it('writes text that validates', async () => {
    const path = join(dir, 'c.yaml');
    expect(await writeStarter(path, valid, { ...options, force: false })).toEqual({ backup: null, diagnostics: [] });
    expect(readFileSync(path, 'utf8')).toBe(valid);
  });

  it('refuses text that does not validate: nothing written, nothing moved, no temporary file left', async () => {
    const path = join(dir, 'c.yaml');
    writeFileSync(path, 'old\n');
    const broken = valid.replace('primordial: scm1', 'primordial: scm9');
    expect(await codeOf(writeStarter(path, broken, { ...options, force: true }))).toBe('INIT_STARTER_INVALID');
    expect(readFileSync(path, 'utf8')).toBe('old\n');
    expect(readdirSync(dir)).toEqual(['c.yaml']);
  });

  it('moves an existing file aside with force, numbering a second backup of the same second', async () => {
    const path = join(dir, 'c.yaml');
    writeFileSync(path, 'one\n');
    const a = await writeStarter(path, valid, { ...options, force: true });
    expect(a.backup).toBe(`${path}.bak-20261207T101530Z`);
    const b = await writeStarter(path, valid, { ...options, force: true });
    expect(b.backup).toBe(`${path}.bak-20261207T101530Z-2`);
    expect(readFileSync(a.backup!, 'utf8')).toBe('one\n');
    expect(readFileSync(b.backup!, 'utf8')).toBe(valid);
  });

  it('refuses an existing file without force', async () => {
    const path = join(dir, 'c.yaml');
    writeFileSync(path, 'one\n');
    expect(await codeOf(writeStarter(path, valid, { ...options, force: false }))).toBe('INIT_FILE_EXISTS');
    expect(readFileSync(path, 'utf8')).toBe('one\n');
  });
});
