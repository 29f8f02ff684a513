/**
 * The two launchers start the built programs as real processes, from the repo and through a symlink (npm
 * bin); signals end them as an operator expects (Ctrl-C stops freon; the datanode simulator stops cleanly).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { siteProperties, siteXml } from '../support/scm-site.js';

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

describe('signals', () => {
  // an SCM that accepts connections and never answers: calls to it wait for their timeout
  const HOST = '127.0.2.95';
  const withSilentScm = async (run: (conf: string) => Promise<void>): Promise<void> => {
    const sockets = new Set<Socket>();
    const server = createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => server.listen(0, HOST, r));
    const port = (server.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), 'scmctl-signals-'));
    const ports = { 'ozone.scm.client.port': port, 'ozone.scm.block.client.port': port, 'ozone.scm.datanode.port': port };
    writeFileSync(join(dir, 'ozone-site.xml'), siteXml(siteProperties({ hosts: [HOST], metadataDir: () => join(dir, 'meta'), nodePorts: { scm1: ports } })));
    try {
      await run(dir);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
  /** how the child ended, or 'still running' after 5 s (then it is killed) */
  const ended = (child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'still running'> =>
    new Promise((r) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        r('still running');
      }, 5000);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        r({ code, signal });
      });
    });

  it('SIGINT ends a freon run that waits on its SCM at once (Ctrl-C works)', async () => {
    await withSilentScm(async (conf) => {
      const child = spawn(join(root, 'bin/ozone'), ['--conf', conf, 'freon', 'randomkeys', '--num-of-keys', '10'], { stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, 1500));
      expect(child.exitCode).toBeNull();
      const t0 = Date.now();
      const exit = ended(child);
      child.kill('SIGINT');
      expect(await exit).toEqual({ code: null, signal: 'SIGINT' });
      expect(Date.now() - t0).toBeLessThan(2000);
    });
  });

  it('SIGTERM stops the datanode simulator cleanly: it says so and exits 0', async () => {
    await withSilentScm(async (conf) => {
      const child = spawn(join(root, 'bin/ozone'), ['--conf', conf, 'datanode', '--count', '1', '--prefix', 'sig'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      await expect.poll(() => err, { timeout: 10_000 }).toContain('Started 1 simulated datanodes');
      const exit = ended(child);
      child.kill('SIGTERM');
      expect(await exit).toEqual({ code: 0, signal: null });
      expect(err).toContain('received SIGTERM');
    });
  });
});
