/**
 * Facts are read-only, provably: every probe runs against the strict recording fake whose command policy
 * is the read-only allowlist (test/support/read-only-commands.ts) and whose filesystem refuses writes.
 * Any command outside the allowlist, any unexpected command and any write fails the test.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gatherFacts } from '../../../src/provisioner/facts/gather-facts.js';
import type { FactsProbeSpec } from '../../../src/provisioner/facts/probe-spec.js';
import { FakeClock } from '../../support/fake-clock.js';
import { FakeHost, FakeHostViolation, type ExecCall, type Responder } from '../../support/fake-host.js';
import { readOnlyPolicy } from '../../support/read-only-commands.js';

const OZ = '/opt/scmctl/current/bin/ozone';
const HASH = 'a'.repeat(64);
const NOW = 1_700_000_000_000;

const spec: FactsProbeSpec = {
  sudo: true,
  installDir: '/opt/scmctl',
  ozone: { bin: OZ, env: { OZONE_CONF_DIR: '/etc/ozone', OZONE_PID_DIR: '/var/log/ozone' }, askVersion: true },
  managedFiles: ['/etc/ozone/ozone-site.xml', '/etc/ozone/scm.env'],
  scm: { dbDir: '/var/lib/ozone/metadata', pidFile: '/var/log/ozone/ozone-root-scm.pid', systemdUnit: 'ozone-scm.service' },
  ports: { address: '127.0.1.1', ports: [9894, 9876] },
  directories: ['/var/lib/ozone/metadata', '/var/lib/ozone/new'],
  diskPaths: ['/var/lib/ozone/metadata'],
};

const VERSION = '#Tue Mar 16 10:19:33 UTC 2021\nnodeType=SCM\nclusterID=CID-1\nscmUuid=u-1\nscmHA=true\nprimaryScmNodeId=u-1\nlayoutVersion=10\ncTime=1\n';
const TCP = '  sl  local_address rem_address   st\n   0: 0101007F:2694 00000000:0000 0A 0\n';

function responders(): Responder[] {
  return [
    { match: 'test -d /run/systemd/system && test ! -h /run/systemd/system && echo systemd', reply: { stdout: '' } },
    { match: 'uname -s -n -r -m', reply: { stdout: 'Linux scm1 6.1.0-18-amd64 x86_64\n' } },
    { match: 'id', reply: { stdout: 'uid=0(root) gid=0(root) groups=0(root)\n' } },
    { match: 'node --version 2>/dev/null', reply: { stdout: 'v20.19.1\n' } },
    { match: '/opt/scmctl/current/node/bin/node --version 2>/dev/null', reply: { exitCode: 127 } },
    { match: /ozone version$/, reply: { stdout: 'ozone 0.1.0\n' } },
    { match: /ozone --daemon status scm$/, reply: { exitCode: 0, stdout: 'scm is running as process 4242\n' } },
    {
      match: /ozone admin scm roles --json$/,
      reply: { stdout: JSON.stringify({ '127.0.1.1': { address: '127.0.1.1:9894', raftPeerRole: 'LEADER', ID: 'u-1', InetAddress: '127.0.1.1' } }) },
    },
    {
      match: /^LC_ALL=C sha256sum -- /,
      sudo: true,
      reply: { stdout: `${HASH}  /etc/ozone/ozone-site.xml\n`, stderr: 'sha256sum: /etc/ozone/scm.env: No such file or directory\n', exitCode: 1 },
    },
    {
      match: /^LC_ALL=C stat -c /,
      sudo: true,
      reply: {
        stdout: ['directory|root|root|755|/', 'directory|root|root|755|/var', 'directory|root|root|755|/var/lib', 'directory|ozone|ozone|750|/var/lib/ozone', 'directory|ozone|ozone|700|/var/lib/ozone/metadata'].join('\n') + '\n',
        exitCode: 1,
      },
    },
    {
      // every candidate is tested; the writable ones here: /var/lib/ozone and its metadata directory
      match: /^test -w /,
      sudo: true,
      reply: (c: ExecCall) => ({
        stdout: [...c.command.matchAll(/test -w (\S+) && echo (\d+)/g)]
          .filter((m) => m[1] === '/var/lib/ozone' || m[1] === '/var/lib/ozone/metadata')
          .map((m) => `${m[2]}\n`)
          .join(''),
      }),
    },
    // neither is printed: metadata holds scm/, new does not exist
    {
      match: 'LC_ALL=C find /var/lib/ozone/metadata /var/lib/ozone/new -maxdepth 0 -empty',
      sudo: true,
      reply: { exitCode: 1, stderr: "find: '/var/lib/ozone/new': No such file or directory\n" },
    },
    {
      match: 'LC_ALL=C df -Pk -- /var/lib/ozone/metadata',
      sudo: true,
      reply: { stdout: 'Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/sda1 1000 400 600 40% /\n' },
    },
    { match: 'date -u +%s%N', reply: { stdout: `${(NOW + 1500) * 1_000_000}\n` } },
  ];
}

function fakeHost(extra: Partial<ConstructorParameters<typeof FakeHost>[0]> = {}): FakeHost {
  return new FakeHost({
    name: 'scm1',
    commandPolicy: readOnlyPolicy,
    readOnly: true,
    responders: responders(),
    files: {
      '/etc/os-release': 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
      '/opt/scmctl/current': { type: 'symlink', target: 'releases/0.1.0-1a2b3c4d' },
      '/opt/scmctl/releases/0.1.0-1a2b3c4d/bin/ozone': '#!/bin/sh\n',
      '/var/lib/ozone/metadata/scm/current/VERSION': VERSION,
      '/var/log/ozone/ozone-root-scm.pid': '4242\n',
      '/proc/4242/status': 'Name: node\n',
      '/proc/net/tcp': TCP,
    },
    ...extra,
  });
}

describe('gatherFacts on the strict read-only fake', () => {
  it('reports every probed fact and runs only allowlisted read-only commands', async () => {
    const host = fakeHost();
    const facts = await gatherFacts(host, spec, { clock: new FakeClock(NOW) });
    host.assertNoViolations();
    expect(facts).toMatchObject({
      host: 'scm1',
      os: { kernel: 'Linux', arch: 'x86_64', hostname: 'scm1', distroId: 'debian', distroVersion: '12' },
      user: { uid: 0, name: 'root' },
      runtime: { system: { version: 'v20.19.1', major: 20, satisfies: true }, bundled: null, usable: 'system' },
      release: { installDir: '/opt/scmctl', current: 'releases/0.1.0-1a2b3c4d', releaseName: '0.1.0-1a2b3c4d', ozoneVersion: '0.1.0' },
      files: { '/etc/ozone/ozone-site.xml': HASH, '/etc/ozone/scm.env': null },
      scm: {
        version: { clusterId: 'CID-1', scmUuid: 'u-1', scmHa: true, primaryScmNodeId: 'u-1' },
        running: true,
        runningSource: 'daemon-status',
        pid: 4242,
        roles: { ok: true, peers: [{ host: '127.0.1.1', role: 'LEADER', id: 'u-1' }] },
      },
      ports: [
        { port: 9894, state: 'free', listeners: [] },
        { port: 9876, state: 'in-use', listeners: ['127.0.1.1:9876'] },
      ],
      directories: [
        { path: '/var/lib/ozone/metadata', exists: true, empty: false, owner: 'ozone', mode: 0o700, writable: true },
        { path: '/var/lib/ozone/new', exists: false, empty: null, writable: true, existingAncestor: '/var/lib/ozone' },
      ],
      disk: [{ path: '/var/lib/ozone/metadata', mountPoint: '/', availableBytes: 600 * 1024 }],
      initSystem: 'other',
      clock: { skewMs: 1500 },
    });
    // nothing was written, every exec went through the policy
    expect(host.calls.some((c) => c.kind === 'writeFileAtomic' || c.kind === 'upload')).toBe(false);
    expect(host.execs.length).toBeGreaterThan(10);
  });

  it('asks `ozone version` only when the spec says so (a plan never needs it; on a real release it is a JVM start)', async () => {
    const host = fakeHost();
    const facts = await gatherFacts(host, { ...spec, ozone: { ...spec.ozone!, askVersion: false } }, { clock: new FakeClock(NOW) });
    expect(facts.release).toEqual({ installDir: '/opt/scmctl', current: 'releases/0.1.0-1a2b3c4d', releaseName: '0.1.0-1a2b3c4d', ozoneVersion: null });
    expect(host.execs.filter((c) => / version$/.test(c.command))).toEqual([]);
    expect(host.execs.filter((c) => /roles --json$/.test(c.command))).toHaveLength(1);
  });

  it('asks no `node --version` when the spec says the host runs no embedded SCM', async () => {
    const host = fakeHost();
    const facts = await gatherFacts(host, { ...spec, probeNode: false }, { clock: new FakeClock(NOW) });
    expect(facts.runtime).toMatchObject({ system: null, bundled: null, usable: null });
    expect(host.execs.filter((c) => /node --version/.test(c.command))).toEqual([]);
  });

  it('a release whose own ozone tool crashes does not make a running SCM look stopped: its pid file tells', async () => {
    const crash = { stdout: '', stderr: 'node:internal/modules/esm/module_job: SyntaxError\n', exitCode: 1 };
    const list = responders().map((r) => (String(r.match) === String(/ozone --daemon status scm$/) ? { ...r, reply: crash } : r));
    const facts = await gatherFacts(fakeHost({ responders: list }), spec, { clock: new FakeClock(NOW) });
    expect(facts.scm).toMatchObject({ running: true, runningSource: 'pid-file', pid: 4242 });
    const stopped = responders().map((r) => (String(r.match) === String(/ozone --daemon status scm$/) ? { ...r, reply: { stdout: '', exitCode: 3 } } : r));
    expect((await gatherFacts(fakeHost({ responders: stopped }), spec, { clock: new FakeClock(NOW) })).scm).toMatchObject({ running: false, runningSource: 'daemon-status' });
  });

  it('fails when a probe would run a command outside the allowlist', async () => {
    // The same facts with a policy that forbids `date`: the violation surfaces, proving the policy is live.
    const host = fakeHost({ commandPolicy: (c) => (c.startsWith('date') ? 'date is forbidden here' : readOnlyPolicy(c, false)) });
    await expect(gatherFacts(host, spec, { clock: new FakeClock(NOW) })).rejects.toBeInstanceOf(FakeHostViolation);
    expect(host.violations).toEqual([expect.stringContaining('date -u +%s%N')]);
  });

  it('fails on a command nobody scripted', async () => {
    const host = fakeHost({ responders: responders().filter((r) => r.match !== 'id') });
    await expect(gatherFacts(host, spec, { clock: new FakeClock(NOW) })).rejects.toBeInstanceOf(FakeHostViolation);
    expect(host.violations[0]).toContain('unexpected command: id');
  });

  it('stays read-only for any probe spec (property)', async () => {
    const segment = fc.stringMatching(/^[a-zA-Z0-9 '"$`;|&<>*.\\-]{1,12}$/).filter((s) => s !== '.' && s !== '..');
    const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((a) => '/' + a.join('/'));
    const arbSpec: fc.Arbitrary<FactsProbeSpec> = fc.record(
      {
        sudo: fc.boolean(),
        installDir: path,
        ozone: fc.record({ bin: path.map((p) => `${p}/bin/ozone`), env: fc.dictionary(fc.stringMatching(/^[A-Z_]{1,8}$/), segment, { maxKeys: 3 }), rolesArgs: fc.array(segment.map((s) => `--${s}`), { maxLength: 2 }) }),
        managedFiles: fc.array(path, { maxLength: 4 }),
        scm: fc.record({ dbDir: path, pidFile: path, systemdUnit: segment }),
        ports: fc.record({ address: fc.constantFrom('127.0.1.1', '::1', 'scm1.example.org'), ports: fc.array(fc.integer({ min: 1, max: 65535 }), { maxLength: 4 }) }),
        directories: fc.array(path, { maxLength: 4 }),
        diskPaths: fc.array(path, { maxLength: 3 }),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(arbSpec, fc.boolean(), async (s, systemd) => {
        const host = new FakeHost({
          commandPolicy: readOnlyPolicy,
          readOnly: true,
          responders: [
            { match: 'uname -s -n -r -m', reply: { stdout: 'Linux h 6.1 x86_64\n' } },
            { match: 'id', reply: { stdout: 'uid=0(root) gid=0(root)\n' } },
            { match: /^test -d \/run\/systemd\/system /, reply: { stdout: systemd ? 'systemd\n' : '' } },
            { match: () => true, reply: { stdout: 'active\n', exitCode: 0 } }, // any other allowed command
          ],
          files: {
            '/proc/net/tcp': TCP,
            ...(s.installDir ? { [`${s.installDir}/current`]: { type: 'symlink' as const, target: 'releases/x' } } : {}),
          },
        });
        await gatherFacts(host, s, { clock: new FakeClock(NOW) });
        host.assertNoViolations();
      }),
      { numRuns: 60, seed: 7 },
    );
  });
});
