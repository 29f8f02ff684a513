/**
 * Facts gathered over real SSH from a prepared host tree (install dir with a stand-in bin/ozone, a running
 * "SCM" process with its pid file, a root-only VERSION, managed files, a listening port), as root and as a
 * non-root user with sudo. The tree is unchanged afterwards: facts only read.
 */
import { spawn, type ChildProcess, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatherFacts } from '../../src/provisioner/facts/gather-facts.js';
import type { HostFacts } from '../../src/provisioner/facts/host-facts.js';
import type { FactsProbeSpec } from '../../src/provisioner/facts/probe-spec.js';
import { connectSsh } from '../../src/provisioner/hosts/ssh-host.js';
import type { SshHostOptions } from '../../src/provisioner/hosts/ssh-options.js';
import { startSshdHosts, type SshdHosts } from '../support/sshd-hosts.js';

let hosts: SshdHosts;
let t: string;
let scm: ChildProcess;
let listener: Server;
let spec: FactsProbeSpec;

const SCM_UUID = 'e6877ce5-56cd-4f0b-ad60-4c8ef9000882';
const VERSION = `#Tue Mar 16 10:19:33 UTC 2021\nnodeType=SCM\nclusterID=CID-130fb246-1717-4313-9b62-9ddfe1bcb2e7\nscmUuid=${SCM_UUID}\nscmHA=true\nprimaryScmNodeId=${SCM_UUID}\nlayoutVersion=10\ncTime=1615889973116\n`;

// A stand-in for bin/ozone's read-only subcommands (the real one is the embedded SCM's launcher).
const OZONE = `#!/bin/sh
case "$1 $2 $3" in
  "version  ") echo "              /    0.1.0(scmctl embedded SCM)" ;;
  "--daemon status scm")
    pid=$(cat "$OZONE_PID_DIR/ozone-scm.pid" 2>/dev/null) || exit 3
    if test -d "/proc/$pid"; then exit 0; fi
    exit 1 ;;
  "admin scm roles") printf '{"127.0.1.1":{"address":"127.0.1.1:9894","raftPeerRole":"LEADER","ID":"%s","InetAddress":"127.0.1.1"}}\\n' "${SCM_UUID}" ;;
  *) echo "unsupported: $*" >&2; exit 2 ;;
esac
`;

function put(path: string, content: string, mode: number): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  chmodSync(path, mode);
}

/** Every path under the tree with its type, mode, size and mtime: to show facts changed nothing. */
function snapshot(): string {
  return execFileSync('find', [t, '-printf', '%p %y %m %s %T@\\n'], { encoding: 'utf8' }).split('\n').sort().join('\n');
}

beforeAll(async () => {
  hosts = await startSshdHosts({ count: 1, users: true });
  t = mkdtempSync(join(tmpdir(), 'scmctl-facts-e2e-'));
  chmodSync(t, 0o755);
  put(join(t, 'opt/scmctl/releases/0.1.0-1a2b3c4d/bin/ozone'), OZONE, 0o755);
  symlinkSync('releases/0.1.0-1a2b3c4d', join(t, 'opt/scmctl/current'));
  put(join(t, 'etc/ozone/ozone-site.xml'), '<configuration/>\n', 0o600);
  put(join(t, 'data/meta/scm/current/VERSION'), VERSION, 0o600);
  chmodSync(join(t, 'data/meta'), 0o700);
  put(join(t, 'data/not-a-dir'), 'x', 0o644);
  mkdirSync(join(t, 'log'), { recursive: true });
  chmodSync(join(t, 'log'), 0o755);
  scm = spawn('sleep', ['600'], { stdio: 'ignore' });
  put(join(t, 'log/ozone-scm.pid'), `${scm.pid}\n`, 0o644);
  listener = createServer();
  await new Promise<void>((r) => listener.listen(9876, '127.0.1.1', r));
  spec = {
    sudo: true,
    installDir: join(t, 'opt/scmctl'),
    ozone: { bin: join(t, 'opt/scmctl/current/bin/ozone'), env: { OZONE_CONF_DIR: join(t, 'etc/ozone'), OZONE_PID_DIR: join(t, 'log') }, askVersion: true },
    managedFiles: [join(t, 'etc/ozone/ozone-site.xml'), join(t, 'etc/ozone/scm.env')],
    scm: { dbDir: join(t, 'data/meta'), pidFile: join(t, 'log/ozone-scm.pid'), systemdUnit: 'ozone-scm.service' },
    ports: { address: '127.0.1.1', ports: [9894, 9876] },
    directories: [join(t, 'data/meta'), join(t, 'data/new/scm'), join(t, 'data/not-a-dir')],
    diskPaths: [join(t, 'data/meta')],
  };
});

afterAll(async () => {
  scm?.kill('SIGKILL');
  await new Promise((r) => (listener ? listener.close(r) : r(undefined)));
  await hosts?.stop();
  if (t) rmSync(t, { recursive: true, force: true });
});

async function factsAs(opts: SshHostOptions, s: FactsProbeSpec): Promise<HostFacts> {
  const h = await connectSsh(opts);
  try {
    return await gatherFacts(h, s);
  } finally {
    await h.close();
  }
}

function expectTruth(f: HostFacts): void {
  const sha = createHash('sha256').update(readFileSync(join(t, 'etc/ozone/ozone-site.xml'))).digest('hex');
  expect(f.os).toMatchObject({ kernel: 'Linux', arch: execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim(), hostname: hostname() });
  expect(f.runtime.system).toMatchObject({ version: execFileSync('node', ['--version'], { encoding: 'utf8' }).trim(), satisfies: true });
  expect(f.runtime).toMatchObject({ bundled: null, usable: 'system' });
  expect(f.release).toEqual({ installDir: join(t, 'opt/scmctl'), current: 'releases/0.1.0-1a2b3c4d', releaseName: '0.1.0-1a2b3c4d', ozoneVersion: '0.1.0' });
  expect(f.files).toEqual({ [join(t, 'etc/ozone/ozone-site.xml')]: sha, [join(t, 'etc/ozone/scm.env')]: null });
  expect(f.scm).toMatchObject({
    version: { clusterId: 'CID-130fb246-1717-4313-9b62-9ddfe1bcb2e7', scmUuid: SCM_UUID, scmHa: true, primaryScmNodeId: SCM_UUID, layoutVersion: 10 },
    running: true,
    runningSource: 'daemon-status',
    pid: scm.pid,
    roles: { ok: true, peers: [{ host: '127.0.1.1', role: 'LEADER', id: SCM_UUID, address: '127.0.1.1:9894' }] },
  });
  expect(f.ports).toEqual([
    { port: 9894, address: '127.0.1.1', state: 'free', listeners: [] },
    { port: 9876, address: '127.0.1.1', state: 'in-use', listeners: ['127.0.1.1:9876'] },
  ]);
  expect(f.directories).toEqual([
    { path: join(t, 'data/meta'), exists: true, notDirectory: false, empty: false, owner: 'root', group: 'root', mode: 0o700, writable: true, existingAncestor: null },
    { path: join(t, 'data/new/scm'), exists: false, notDirectory: false, empty: null, owner: null, group: null, mode: null, writable: true, existingAncestor: join(t, 'data') },
    { path: join(t, 'data/not-a-dir'), exists: true, notDirectory: true, empty: null, owner: 'root', group: 'root', mode: 0o644, writable: false, existingAncestor: null },
  ]);
  expect(f.disk).toHaveLength(1);
  expect(f.disk[0]!.availableBytes).toBeGreaterThan(0);
  expect(f.initSystem).toBe(execFileSync('sh', ['-c', 'test -d /run/systemd/system && echo systemd || echo other'], { encoding: 'utf8' }).trim());
  // same machine, same clock: the host's reading lies inside the round trip
  expect(Math.abs(f.clock!.skewMs)).toBeLessThanOrEqual(f.clock!.uncertaintyMs + 1);
}

describe('facts over SSH', () => {
  it('as root: every fact matches the host, and nothing changed', async () => {
    const before = snapshot();
    const f = await factsAs(hosts.sshOptions(0), spec);
    expectTruth(f);
    expect(f).toMatchObject({ host: 'host1', transport: 'ssh', user: { uid: 0, name: 'root' }, hostKeyFingerprint: hosts.hosts[0]!.fingerprint });
    expect(snapshot()).toBe(before);
  });

  it('as a non-root user, with sudo for the root-only files', async () => {
    const u = hosts.users!;
    const before = snapshot();
    const f = await factsAs(hosts.sshOptions(0, { user: u.sudoUser, secrets: { env: { PW: u.sudoPassword } }, sudo: { passwordEnv: 'PW' } }), spec);
    expectTruth(f);
    expect(f.user.name).toBe(u.sudoUser);
    expect(snapshot()).toBe(before);
  });

  it('says when the SCM is not running and roles are not asked', async () => {
    const f = await factsAs(hosts.sshOptions(0), { ...spec, scm: { dbDir: join(t, 'data/empty'), pidFile: join(t, 'log/none.pid') }, ozone: { ...spec.ozone!, env: { OZONE_PID_DIR: join(t, 'nowhere') } } });
    expect(f.scm).toEqual({ version: null, running: false, runningSource: 'daemon-status', pid: null, roles: null });
  });
});
