/**
 * Reading a join token from a file: only a private regular file is accepted — no symlink, no directory,
 * nothing group or others can read — and it must hold a token; stdin (`-`) is read through the given
 * function.
 */
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTokenFile } from '../../../src/scm/server/token-file.js';

const TOKEN = 'abc123.0123456789abcdefghijklmnopqrstuv';
const noStdin = (): Promise<string> => Promise.reject(new Error('stdin must not be read'));

describe('readTokenFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'token-file-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string, mode = 0o600): string => {
    const p = join(dir, name);
    writeFileSync(p, text, { mode });
    chmodSync(p, mode);
    return p;
  };

  it('reads the token of a private file, skipping blank lines and comments', async () => {
    expect(await readTokenFile(file('ok', `# for scm4\n\n  ${TOKEN}  \n`), noStdin)).toBe(TOKEN);
    expect(await readTokenFile('-', async () => `${TOKEN}\n`)).toBe(TOKEN);
  });

  it('refuses a file others may read, a symlink, a directory, a missing file', async () => {
    await expect(readTokenFile(file('open', TOKEN, 0o644), noStdin)).rejects.toMatchObject({ code: 'SECRET_FILE', message: expect.stringContaining('mode 644') });
    await expect(readTokenFile(file('group', TOKEN, 0o640), noStdin)).rejects.toMatchObject({ code: 'SECRET_FILE' });
    const link = join(dir, 'link');
    symlinkSync(file('target', TOKEN), link);
    await expect(readTokenFile(link, noStdin)).rejects.toMatchObject({ code: 'SECRET_FILE' });
    const sub = join(dir, 'sub');
    mkdirSync(sub, { mode: 0o700 });
    await expect(readTokenFile(sub, noStdin)).rejects.toMatchObject({ code: 'SECRET_FILE' });
    await expect(readTokenFile(join(dir, 'missing'), noStdin)).rejects.toMatchObject({ code: 'SECRET_FILE' });
  });

  it.runIf(process.getuid?.() === 0)("root (operating an SCM that runs as another user) may use that user's private file, not a readable one", async () => {
    const p = file('nobody', TOKEN);
    chownSync(p, 65534, 65534);
    expect(await readTokenFile(p, noStdin)).toBe(TOKEN);
    chmodSync(p, 0o604);
    await expect(readTokenFile(p, noStdin)).rejects.toMatchObject({ code: 'SECRET_FILE', message: expect.stringContaining('mode 604') });
  });

  it('refuses a file or stdin without a token, and an oversized file, without echoing the content', async () => {
    const err = await readTokenFile(file('junk', 'password=hunter2\n'), noStdin).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TOKEN_INVALID' });
    expect(String((err as Error).message)).not.toContain('hunter2');
    await expect(readTokenFile('-', async () => '')).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    await expect(readTokenFile(file('huge', 'x'.repeat(70 * 1024)), noStdin)).rejects.toMatchObject({ code: 'SECRET_FILE' });
  });
});
