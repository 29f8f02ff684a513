/**
 * The frame of an e2e file on sshd hosts: before all tests, three (or `count`) real sshd hosts with the
 * harness users and a fresh `/tmp/<name>` tree; after all, every process the file started stopped (ozone
 * processes of the tests, SCM daemons found through pid files under any `<root>/<cluster>/<host>/logs`), the
 * hosts stopped and the tree removed, whatever happened.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { logDirsUnder, removeTree, stopDaemons } from './apply-e2e.js';
import { killAll } from './ozone-process.js';
import { startSshdHosts, type SshdHosts } from './sshd-hosts.js';

/** Every cluster tree's log directories under root: `<root>/<cluster>/<host>/logs`. */
export function clusterLogDirs(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((c) => join(root, c))
    .filter((d) => statSync(d).isDirectory())
    .flatMap((d) => logDirsUnder(d));
}

/** Registers the hooks; returns the tree's root. `ready` receives the hosts and the scmctl environment. */
export function sshdSuite(name: string, ready: (hosts: SshdHosts, env: NodeJS.ProcessEnv) => void, count = 3): string {
  const root = join(tmpdir(), name);
  let hosts: SshdHosts | undefined;
  beforeAll(async () => {
    removeTree(root);
    hosts = await startSshdHosts({ count, users: true });
    ready(hosts, { SCMCTL_STATE_DIR: join(root, 'state'), SCMCTL_CACHE_DIR: join(tmpdir(), 'scmctl-apply-e2e-cache') });
  });
  afterAll(async () => {
    try {
      await killAll();
      await stopDaemons(clusterLogDirs(root));
    } finally {
      await hosts?.stop();
      removeTree(root);
    }
  });
  return root;
}
