/**
 * The release bundle end to end: built from this checkout, installed over real SSH into a fresh install
 * directory, run from there (with the bundled Node and no `node` on PATH, as on an air-gapped host), and
 * installed again as a no-op. Also as a non-root user with sudo into a root-owned directory.
 */
import { chmodSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BundleInfo } from '../../src/provisioner/bundle/bundle-info.js';
import { createBundle } from '../../src/provisioner/bundle/create-bundle.js';
import { installBundle } from '../../src/provisioner/bundle/install-bundle.js';
import type { RemoteHost, UploadOptions, UploadResult } from '../../src/provisioner/hosts/remote-host.js';
import { sh } from '../../src/provisioner/hosts/shell-quote.js';
import { connectSsh } from '../../src/provisioner/hosts/ssh-host.js';
import { startSshdHosts, type SshdHosts } from '../support/sshd-hosts.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
let hosts: SshdHosts;
let work: string;
let bundle: BundleInfo;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'scmctl-bundle-e2e-'));
  chmodSync(work, 0o755); // the non-root user installs below it
  [hosts, bundle] = await Promise.all([
    startSshdHosts({ count: 1, users: true }),
    // with the running Node inside: the air-gapped case; gzip level 1 keeps the test quick
    createBundle({ packageRoot: root, outDir: join(work, 'out'), nodeBinary: process.execPath, nodeVersion: process.version, gzipLevel: 1 }),
  ]);
});

afterAll(async () => {
  await hosts?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Counts uploads going through a RemoteHost. */
function countingUploads(h: RemoteHost): { host: RemoteHost; uploads: () => number } {
  let n = 0;
  const host: RemoteHost = {
    get info() {
      return h.info;
    },
    exec: (c, o) => h.exec(c, o),
    readFile: (p, o) => h.readFile(p, o),
    writeFileAtomic: (p, c, o) => h.writeFileAtomic(p, c, o),
    stat: (p, o) => h.stat(p, o),
    close: () => h.close(),
    upload: (s: string | Readable, p: string, o: UploadOptions): Promise<UploadResult> => {
      n++;
      return h.upload(s, p, o);
    },
  };
  return { host, uploads: () => n };
}

describe('bundle install over SSH', () => {
  it('installs, runs with the bundled Node only, and a second install does nothing', async () => {
    const install = join(work, 'opt-scmctl');
    const conn = await connectSsh(hosts.sshOptions(0));
    const { host, uploads } = countingUploads(conn);
    try {
      const first = await installBundle(host, bundle, install);
      expect(first).toMatchObject({ changed: true, action: 'installed', previous: null, release: bundle.release });
      expect(readlinkSync(join(install, 'current'))).toBe(`releases/${bundle.release}`);
      expect(uploads()).toBe(1);
      // a PATH with the launcher's tools but no node: bin/ozone must use <release>/node/bin/node
      const minPath = join(work, 'min-path');
      mkdirSync(minPath);
      for (const tool of ['dirname', 'readlink']) symlinkSync(`/usr/bin/${tool}`, join(minPath, tool));
      const run = await host.exec(sh`env ${`PATH=${minPath}`} ${join(install, 'current/bin/ozone')} --help`);
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/Usage: ozone/);
      const again = await installBundle(host, bundle, install);
      expect(again).toMatchObject({ changed: false, action: 'none' });
      expect(uploads()).toBe(1);
      const leftovers = await host.exec(sh`ls -A ${join(install, 'releases')}`);
      expect(leftovers.stdout.trim().split('\n')).toEqual([bundle.release]);
    } finally {
      await host.close();
    }
  });

  it('installs as a non-root user with sudo into a root-owned directory', async () => {
    const u = hosts.users!;
    const install = join(work, 'root-owned', 'opt');
    const conn = await connectSsh(hosts.sshOptions(0, { user: u.sudoUser, secrets: { env: { PW: u.sudoPassword } }, sudo: { passwordEnv: 'PW' } }));
    try {
      await conn.exec(sh`mkdir -p ${dirname(install)} && chmod 0755 ${dirname(install)}`, { sudo: true });
      const r = await installBundle(conn, bundle, install, { sudo: true });
      expect(r).toMatchObject({ changed: true, action: 'installed' });
      expect(statSync(join(install, 'releases', bundle.release)).uid).toBe(0);
      expect((await installBundle(conn, bundle, install, { sudo: true })).changed).toBe(false);
      const run = await conn.exec(sh`${join(install, 'current/bin/ozone')} --help`);
      expect(run.exitCode, run.stderr).toBe(0);
    } finally {
      await conn.close();
    }
  });
});
