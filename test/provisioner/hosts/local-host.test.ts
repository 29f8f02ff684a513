/** The local transport with real `sh` processes in a temporary directory (no network, no fixed ports). */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectLocal } from '../../../src/provisioner/hosts/local-host.js';
import type { RemoteHost } from '../../../src/provisioner/hosts/remote-host.js';
import { sh } from '../../../src/provisioner/hosts/shell-quote.js';

let dir: string;
let host: RemoteHost;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'scmctl-local-'));
  host = await connectLocal({ name: 'local1', secrets: { env: {} } });
});

afterAll(async () => {
  await host.close();
  rmSync(dir, { recursive: true, force: true });
});

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 500; i++) {
    const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
    if (stat === '' || / Z /.test(stat)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

describe('local host', () => {
  it('runs commands under sh with stdin, stdout, stderr and exit status', async () => {
    expect(await host.exec(sh`read x; echo "got $x"; echo oops >&2; exit 7`, { stdin: 'hello\n' })).toEqual({
      stdout: 'got hello\n',
      stderr: 'oops\n',
      exitCode: 7,
    });
    expect(host.info).toMatchObject({ name: 'local1', transport: 'local', address: '127.0.0.1' });
  });

  it('reports death by signal as 128+N', async () => {
    const r = await host.exec(sh`kill -TERM $$`);
    expect(r).toMatchObject({ exitCode: 143, signal: 'SIGTERM'.slice(3) });
  });

  it('kills the whole process group on timeout and says so', async () => {
    const pidFile = join(dir, 'bg.pid');
    const err = await host.exec(sh`sleep 300 & echo $! > ${pidFile}; wait`, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'HOST_COMMAND_TIMEOUT', host: 'local1' });
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(await gone(pid)).toBe(true);
  });

  it('aborts with HOST_ABORTED', async () => {
    const ac = new AbortController();
    const p = host.exec(sh`sleep 300`, { signal: ac.signal });
    setTimeout(() => ac.abort(new Error('user pressed ^C')), 50);
    await expect(p).rejects.toMatchObject({ code: 'HOST_ABORTED' });
  });

  it('writes atomically with mode and backup, leaving no temp file', async () => {
    const f = join(dir, 'site.xml');
    expect(await host.writeFileAtomic(f, 'v1\n', { mode: 0o600 })).toEqual({ backupPath: null });
    expect(await host.writeFileAtomic(f, 'v2\n', { mode: 0o644, backupSuffix: '.bak' })).toEqual({ backupPath: `${f}.bak` });
    expect(readFileSync(f, 'utf8')).toBe('v2\n');
    expect(readFileSync(`${f}.bak`, 'utf8')).toBe('v1\n');
    expect(statSync(f).mode & 0o777).toBe(0o644);
    expect(statSync(`${f}.bak`).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).filter((n) => n.includes('.tmp'))).toEqual([]);
    await expect(host.writeFileAtomic(join(dir, 'no/such/dir/f'), 'x', { mode: 0o644 })).rejects.toMatchObject({ code: 'HOST_WRITE_FAILED' });
  });

  it('uploads from a path and from a stream, counting bytes', async () => {
    const src = join(dir, 'src.bin');
    const data = Buffer.alloc(3 * 1024 * 1024 + 7, 0xab);
    writeFileSync(src, data);
    let progress = 0;
    const a = await host.upload(src, join(dir, 'up1.bin'), { mode: 0o640, onProgress: (n) => (progress = n) });
    expect(a.bytes).toBe(data.length);
    expect(progress).toBe(data.length);
    expect(readFileSync(join(dir, 'up1.bin')).equals(data)).toBe(true);
    const b = await host.upload(Readable.from([Buffer.from('abc'), Buffer.from('def')]), join(dir, 'up2.bin'), { mode: 0o600 });
    expect(b.bytes).toBe(6);
    expect(readFileSync(join(dir, 'up2.bin'), 'utf8')).toBe('abcdef');
  });

  it('reads and stats files, symlinks and missing paths', async () => {
    writeFileSync(join(dir, 'r.txt'), 'bytes');
    symlinkSync('r.txt', join(dir, 'link'));
    expect((await host.readFile(join(dir, 'r.txt')))!.toString()).toBe('bytes');
    expect(await host.readFile(join(dir, 'missing'))).toBeNull();
    expect(await host.stat(join(dir, 'missing'))).toEqual({ exists: false, path: join(dir, 'missing') });
    expect(await host.stat(join(dir, 'link'))).toMatchObject({ exists: true, type: 'symlink', linkTarget: 'r.txt' });
    expect(await host.stat(dir)).toMatchObject({ exists: true, type: 'directory' });
    expect(await host.stat(join(dir, 'r.txt'))).toMatchObject({ type: 'file', size: 5 });
  });

  // as a non-root user: test/e2e/ssh-sudo.test.ts runs the local transport under runuser
  it.runIf(process.getuid?.() === 0)('runs sudo commands directly when already root', async () => {
    expect((await host.exec(sh`id -u`, { sudo: true })).stdout.trim()).toBe('0');
  });
});
