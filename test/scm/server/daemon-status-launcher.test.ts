/**
 * `bin/ozone --daemon status scm` is answered by the launcher script without starting Node (as Ozone's
 * hadoop_status_daemon answers it in shell). The shell answer must be the Node implementation's
 * (src/scm/server/daemon.ts) for every pid-file state: both run here against the same pid directory.
 * Needs `npm run build` (the launcher refuses to run without dist/).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../support/apply-e2e.js';

const OZONE = join(PACKAGE_ROOT, 'bin/ozone');
const MAIN = join(PACKAGE_ROOT, 'dist/src/scm/main.js');

describe('ozone --daemon status scm: the launcher answers as the Node implementation does', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scmctl-daemon-status-'));
  const pidFile = join(dir, `ozone-${userInfo().username}-scm.pid`);
  const children: ChildProcess[] = [];
  let ours = 0;
  let other = 0;

  const status = (): { shell: number | null; node: number | null; out: string } => {
    const env = { ...process.env, OZONE_PID_DIR: dir };
    const shell = spawnSync(OZONE, ['--daemon', 'status', 'scm'], { env, encoding: 'utf8' });
    const node = spawnSync(process.execPath, [MAIN, '--daemon', 'status', 'scm'], { env, encoding: 'utf8' });
    return { shell: shell.status, node: node.status, out: `${shell.stdout}${shell.stderr}` };
  };

  beforeAll(() => {
    // a live process that looks like `node …/main.js scm`, and one that does not
    const lookalike = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', join(dir, 'dist/src/scm/main.js'), 'scm'], { stdio: 'ignore' });
    const sleeper = spawn('sleep', ['300'], { stdio: 'ignore' });
    children.push(lookalike, sleeper);
    ours = lookalike.pid!;
    other = sleeper.pid!;
  });
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('no pid file: 3, nothing printed', () => {
    expect(status()).toEqual({ shell: 3, node: 3, out: '' });
  });

  it('a pid file naming a live `main.js scm` process: 0, nothing printed', () => {
    writeFileSync(pidFile, `${ours}\n`);
    expect(status()).toEqual({ shell: 0, node: 0, out: '' });
  });

  it('a pid file naming another live program (pid reuse), a dead pid, or garbage: 1', () => {
    for (const content of [`${other}\n`, '4194304\n', 'not-a-pid\n', '']) {
      writeFileSync(pidFile, content);
      expect({ content, ...status() }).toEqual({ content, shell: 1, node: 1, out: '' });
    }
  });
});
