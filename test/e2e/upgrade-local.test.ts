/**
 * Rolling upgrade of the runtime release on local hosts (127.0.0.31–.33) under a freon writer: release A
 * installed; release B whose SCM cannot start stops the upgrade at its first node's health gate (the
 * others keep running A with a restart pending, the ring keeps its majority); `apply --bundle A` rolls back
 * (A is re-activated from releases/, B stays there); a good release C then rolls one SCM at a time, the
 * leader last, and the writer never fails.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, readlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBundle } from '../../src/provisioner/bundle/create-bundle.js';
import { PACKAGE_ROOT, removeTree, scmctl, stopDaemons } from '../support/apply-e2e.js';
import { killAll, spawnOzone, type OzoneProcess } from '../support/ozone-process.js';
import { freonWriter } from '../support/freon-writer.js';
import { writeLocalTopology } from '../support/local-topology.js';

const root = '/tmp/scmctl-upgrade';
const env = { SCMCTL_STATE_DIR: join(root, 'state'), SCMCTL_CACHE_DIR: '/tmp/scmctl-apply-e2e-cache' };
const file = join(root, 'upgrade.yaml');
const HOSTS = ['scm1', 'scm2', 'scm3'];

function writeTopology(): void {
  writeLocalTopology({
    name: 'upgrade',
    root,
    nodes: Object.fromEntries(HOSTS.map((h) => [h, h])),
    addresses: Object.fromEntries(HOSTS.map((h, i) => [h, `127.0.0.${31 + i}`])),
    properties: {
      'ozone.scm.ha.ratis.leader.election.timeout': '1s',
      'hdds.scmclient.failover.max.retry': '200',
      'hdds.scmclient.failover.retry.interval': '250ms',
      'hdds.heartbeat.interval': '1s',
    },
    scmStart: '60s',
  });
}

/** A copy of this package (hard links) as release `version`; `broken`: its SCM refuses to start. */
async function release(version: string, broken: boolean): Promise<string> {
  const copy = join(root, `pkg-${version}`);
  mkdirSync(copy, { recursive: true });
  for (const d of ['dist', 'bin', 'node_modules', 'package.json', 'package-lock.json']) execFileSync('cp', ['-al', join(PACKAGE_ROOT, d), copy]);
  const pkg = JSON.parse(readFileSync(join(copy, 'package.json'), 'utf8')) as { version: string };
  unlinkSync(join(copy, 'package.json')); // a hard link: replace, never write through
  writeFileSync(join(copy, 'package.json'), `${JSON.stringify({ ...pkg, version }, null, 2)}\n`);
  if (broken) {
    const main = join(copy, 'dist/src/scm/main.js');
    const text = readFileSync(main, 'utf8');
    unlinkSync(main);
    const fail = "if (process.argv.at(-1) === 'scm' && !process.argv.includes('--daemon')) { process.stderr.write('injected failure: this release cannot start an SCM\\n'); process.exit(1); }\n";
    // after the shebang, which must stay the first line
    const nl = text.startsWith('#!') ? text.indexOf('\n') + 1 : 0;
    writeFileSync(main, text.slice(0, nl) + fail + text.slice(nl));
  }
  const b = await createBundle({ packageRoot: copy, outDir: join(root, 'bundles') });
  return b.path;
}

const currentRelease = (h: string): string => readlinkSync(join(root, h, 'install', 'current'));
let datanodes: OzoneProcess | undefined;
let bundleA = '';

beforeAll(async () => {
  await stopDaemons(HOSTS.map((h) => join(root, h, 'logs')));
  removeTree(root);
  writeTopology();
  bundleA = (await scmctl(['bundle', 'create', '--out', join(root, 'bundles')], env)).stdout.split('\n')[0]!;
  const r = await scmctl(['apply', file, '--yes', '--bundle', bundleA], env);
  expect(r.status, r.stdout + r.stderr).toBe(0);
  datanodes = spawnOzone(['--conf', join(root, 'scm1', 'conf'), 'datanode', '--count', '3', '--prefix', 'upgrade']);
  await datanodes.waitFor(/Started 3 simulated datanodes/);
});

afterAll(async () => {
  datanodes?.signal('SIGKILL');
  await killAll();
  await stopDaemons(HOSTS.map((h) => join(root, h, 'logs')));
  removeTree(root);
});

describe('rolling upgrade of the runtime release under a writer', () => {
  it('a release that fails its first health gate stops the upgrade with the ring intact; apply --bundle A rolls back', async () => {
    const a = currentRelease('scm1');
    const bad = await release('0.1.1', true);
    const write = freonWriter(join(root, 'scm1', 'conf'));
    const r = await scmctl(['apply', file, '--yes', '--bundle', bad], env);
    expect(r.status).toBe(1);
    expect(r.stderr + r.stdout).toMatch(/APPLY_SCM_START_FAILED|APPLY_HEALTH_TIMEOUT/);
    expect(r.stderr + r.stdout).toContain('injected failure');
    expect(r.stderr.match(/✔ restart /g) ?? []).toHaveLength(0); // stopped at the first node
    const st = await scmctl(['status', file], env);
    expect(st.status).toBe(1);
    expect(st.stdout).toMatch(/not running/);
    expect(st.stdout).toMatch(/restart pending/);
    await write.stop(); // the ring kept its majority: every batch wrote all its keys

    const back = await scmctl(['apply', file, '--yes', '--bundle', bundleA], env);
    expect(back.status, back.stdout + back.stderr).toBe(0);
    for (const h of HOSTS) expect(currentRelease(h)).toBe(a);
    expect(readdirSync(join(root, 'scm1', 'install', 'releases')).some((d) => d.startsWith('scmctl-0.1.1-') || d.startsWith('0.1.1-'))).toBe(true);
    expect((await scmctl(['status', file], env)).status).toBe(0);
  });

  it('a good release rolls one SCM at a time, the leader last after a transfer; the writer never fails', async () => {
    const good = await release('0.1.2', false);
    const write = freonWriter(join(root, 'scm1', 'conf'));
    const r = await scmctl(['apply', file, '--yes', '--bundle', good], env);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const restarts = [...r.stderr.matchAll(/✔ restart scmservice\/(scm\d) on scm\d \(runtime changed\)(, after transferring leadership)?/g)];
    expect(restarts, r.stderr).toHaveLength(3);
    expect(restarts.filter((m) => m[2] !== undefined).map((m) => m.index)).toEqual([restarts[2]!.index]); // only the last one led
    await write.stop();
    for (const h of HOSTS) expect(currentRelease(h)).toMatch(/0\.1\.2-/);
    expect((await scmctl(['status', file], env)).status).toBe(0);
  });
});
