/**
 * The apache-ozone runtime on three real sshd hosts (127.0.1.1–3): a distribution tarball in Apache Ozone's
 * layout (the stand-in built from the embedded SCM, test/support/standin-ozone.ts, checked against its
 * .sha512) and Debian's Java (an existing JAVA_HOME, checked by preflight). `scmctl apply` packs the tarball
 * into a bundle, installs it as `releases/2.2.0-<id>` with `current` → it, renders scm.env with JAVA_HOME
 * and the 2.x key set (no ozone.scm.ratis.enable), and brings up the quorum through the release's own
 * bin/ozone; `plan` right after has no changes, `status` is healthy, a property change rolls through.
 * The three SCMs share one kernel, so as Ozone needs (it binds Ratis/gRPC on all interfaces) each has its
 * own ratis and grpc ports.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { clusterIds, PACKAGE_ROOT, scmctl, writeSshTopology } from '../support/apply-e2e.js';
import type { SshdHosts } from '../support/sshd-hosts.js';
import { sshdSuite } from '../support/sshd-suite.js';
import { buildStandinOzone, type Standin } from '../support/standin-ozone.js';

let hosts: SshdHosts;
let env: NodeJS.ProcessEnv;
const root = sshdSuite('scmctl-apache-ozone-e2e', (h, e) => {
  hosts = h;
  env = e;
});
const names = ['node1', 'node2', 'node3'];
// Debian's Java (openjdk-17-jre-headless): the JAVA_HOME the hosts have
const JAVA_HOME = realpathSync(execFileSync('sh', ['-c', 'command -v java']).toString().trim()).replace(/\/bin\/java$/, '');
const PORTS = { scm2: '{ ratis: 9994, grpc: 9995 }', scm3: '{ ratis: 10094, grpc: 10095 }' };

let standin: Standin;
beforeAll(async () => {
  standin = await buildStandinOzone({ packageRoot: PACKAGE_ROOT, outDir: join(root, 'dist') });
}, 120_000);

const runtime = (javaHome = JAVA_HOME): string[] => ['  runtime:', '    kind: apache-ozone', `    ozone: { tarball: ${standin.tarball} }`, `    java: { home: ${javaHome} }`, '    heap: 512m'];

/** a command of the installed release on a host, with its scm.env (JAVA_HOME included) */
function hostOzone(base: string, host: string, args: string[]): { status: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync('sh', ['-c', `set -a; . ${join(base, host, 'conf/scm.env')}; set +a; exec ${join(base, host, 'install/current/bin/ozone')} "$@"`, 'sh', ...args], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    return { status: 0, stdout, stderr: '' };
  } catch (err) {
    const e = err as { status: number; stdout: Buffer; stderr: Buffer };
    return { status: e.status, stdout: e.stdout.toString(), stderr: e.stderr.toString() };
  }
}

describe('apply of an apache-ozone topology (stand-in distribution + Debian Java) over SSH', () => {
  it('refuses a Java home without a working bin/java at preflight, changing nothing', async () => {
    const base = join(root, 'nojava');
    const file = writeSshTopology(hosts, { name: 'e2e-nojava', root: base, scms: 3, extraSpec: runtime('/opt/no-such-jdk'), nodePorts: PORTS });
    const r = await scmctl(['plan', file], env);
    expect(r.status, r.stdout + r.stderr).not.toBe(0);
    expect(r.stderr).toMatch(/PLAN_PREFLIGHT_FAILED/);
    expect(r.stderr).toMatch(/\[runtime\] node1: JAVA_HOME \/opt\/no-such-jdk has no working bin\/java/);
    expect(existsSync(join(base, 'node1/install/current'))).toBe(false);
  });

  it('brings up the quorum with the release\'s own bin/ozone; plan says no changes; status healthy', async () => {
    const base = join(root, 'ring');
    const file = writeSshTopology(hosts, { name: 'e2e-apache', root: base, scms: 3, extraSpec: runtime(), nodePorts: PORTS });
    const r = await scmctl(['apply', file, '--yes'], env);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const ids = clusterIds(base, names);
    expect(ids[0]).toMatch(/^CID-/);
    expect(new Set(ids)).toEqual(new Set([ids[0]]));

    // the release as Ozone lays it out, under releases/<version>-<id8>, with JAVA_HOME in scm.env
    expect(readlinkSync(join(base, 'node1/install/current'))).toMatch(/^releases\/2\.2\.0-[0-9a-f]{8}$/);
    for (const d of ['bin/ozone', 'libexec/ozone-config.sh', 'etc/hadoop/ozone-env.sh', 'share/ozone/lib/scmctl/package.json']) expect(existsSync(join(base, 'node1/install/current', d)), d).toBe(true);
    const envFile = readFileSync(join(base, 'node2/conf/scm.env'), 'utf8');
    expect(envFile).toContain(`JAVA_HOME=${JAVA_HOME}\n`);
    expect(envFile).toContain('OZONE_HEAPSIZE_MAX=512m\n');
    expect(envFile).not.toContain('OZONE_NODE');
    const site = readFileSync(join(base, 'node2/conf/ozone-site.xml'), 'utf8');
    expect(site).not.toContain('ozone.scm.ratis.enable');
    expect(site).toContain('<name>ozone.scm.ratis.port.scmservice.scm2</name>');

    // Ozone's version banner, read back by the probe; without JAVA_HOME the launcher refuses as Ozone's does
    expect(hostOzone(base, 'node1', ['version']).stdout).toMatch(/^\s*\/\s+2\.2\.0\(/m);
    const noJava = execFileSync('sh', ['-c', `env -u JAVA_HOME ${join(base, 'node1/install/current/bin/ozone')} version 2>&1; echo "exit $?"`]).toString();
    expect(noJava).toContain('ERROR: JAVA_HOME is not set and could not be found.');
    expect(noJava).toMatch(/exit 1$/m);

    const roles = hostOzone(base, 'node3', ['admin', 'scm', 'roles', '--json']);
    expect(roles.status, roles.stderr).toBe(0);
    expect(Object.values(JSON.parse(roles.stdout) as Record<string, { raftPeerRole: string }>).map((p) => p.raftPeerRole).sort()).toEqual(['FOLLOWER', 'FOLLOWER', 'LEADER']);

    const st = await scmctl(['status', file, '--output', 'json'], env);
    expect(st.status, st.stdout + st.stderr).toBe(0);
    expect((JSON.parse(st.stdout) as { healthy: boolean }).healthy).toBe(true);
    const p = await scmctl(['plan', file], env);
    expect(p.stdout).toContain('No changes. The cluster matches the topology.');
    expect(p.status).toBe(0);
  });

  it('a property change rolls through the SCMs one at a time; the release is not re-installed', async () => {
    const base = join(root, 'ring');
    const before = readlinkSync(join(base, 'node1/install/current'));
    const file = writeSshTopology(hosts, { name: 'e2e-apache', root: base, scms: 3, extraSpec: runtime(), nodePorts: PORTS, properties: { 'ozone.scm.container.size': '1GB' } });
    const applied = await scmctl(['apply', file, '--yes', '--output', 'json'], env);
    expect(applied.status, applied.stderr).toBe(0);
    const events = applied.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; task?: { kind: string } });
    const restarts = events.filter((e) => e.task?.kind === 'restart-scm' && (e.type === 'task-start' || e.type === 'task-done'));
    expect(restarts.map((e) => e.type)).toEqual(['task-start', 'task-done', 'task-start', 'task-done', 'task-start', 'task-done']);
    expect(events.some((e) => e.task?.kind === 'install-runtime')).toBe(false);
    expect(readlinkSync(join(base, 'node1/install/current'))).toBe(before);
    for (const n of names) expect(readFileSync(join(base, n, 'conf/ozone-site.xml'), 'utf8')).toContain('<name>ozone.scm.container.size</name>');
    const st = await scmctl(['status', file, '--output', 'json'], env);
    expect((JSON.parse(st.stdout) as { healthy: boolean }).healthy, st.stdout).toBe(true);
    const p = await scmctl(['plan', file], env);
    expect(p.status, p.stdout).toBe(0);
  });

  it('validate refuses the tarball once a byte of it changed (TOPOLOGY_CHECKSUM_MISMATCH)', async () => {
    const base = join(root, 'ring');
    const file = writeSshTopology(hosts, { name: 'e2e-apache', root: base, scms: 3, extraSpec: runtime(), nodePorts: PORTS });
    const sha = readFileSync(standin.sha512File, 'utf8');
    writeFileSync(standin.sha512File, sha.replace(/^./, (c) => (c === '0' ? '1' : '0')));
    try {
      const v = await scmctl(['validate', file], env);
      expect(v.status).toBe(1);
      expect(v.stdout + v.stderr).toMatch(/error\[TOPOLOGY_CHECKSUM_MISMATCH\] the Ozone release .* does not match its sha512/);
      expect(v.stdout + v.stderr).toMatch(/hint: the copy is damaged/);
    } finally {
      writeFileSync(standin.sha512File, sha);
    }
  });
});
