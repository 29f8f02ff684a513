/**
 * Secure SCM HA (§7), the manual flow with real processes on 127.0.0.1–.3 and Ozone's default ports:
 * `ozone.security.enabled=true`, primordial scm1. `--init` creates the root CA, the primordial sub-CA and
 * the admin identity; `--bootstrap` without a token is refused, with a token (`admin scm token create`,
 * handed over in a 0600 file) and the pinned root hash it gets the SCM's certificates; every port speaks
 * TLS: roles, secure datanode simulators (their own token), freon, `debug ldb` on live SCMs, kill -9 of the
 * leader and catch-up, decommission of a member.
 */
import { readdirSync, readFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateInfo, verifyChain } from '../../src/scm/ca/forge-x509.js';
import { killAll, spawnOzone } from '../support/ozone-process.js';
import { ScmCluster } from '../support/scm-cluster.js';
import { waitUntil } from '../support/wait.js';

const root = mkdtempSync(join(tmpdir(), 'scm-sec-e2e-'));
const cluster = new ScmCluster({
  root,
  hosts: ['127.0.0.1', '127.0.0.2', '127.0.0.3'],
  ratis: true,
  primordial: 'scm1',
  extra: {
    'ozone.security.enabled': 'true',
    'hdds.grpc.tls.enabled': 'true',
    'ozone.scm.ha.ratis.leader.election.timeout': '1s',
    'ozone.scm.info.wait.duration': '120s',
    'hdds.scmclient.failover.max.retry': '300',
  },
});
const IDS = ['scm1', 'scm2', 'scm3'];
const certsDir = (id: string): string => join(cluster.meta(id), 'scm', 'sub-ca', 'certs');

describe('secure SCM HA: CA and admin identity at --init, token + pinned CA at --bootstrap, TLS on every port (127.0.0.1-3)', () => {
  beforeAll(() => cluster.writeConfs());
  afterAll(async () => {
    await killAll();
    rmSync(root, { recursive: true, force: true });
  });

  it('--init on every node initialises only the primordial; --bootstrap needs a token; with one the ring forms', async () => {
    const inits = await Promise.all(IDS.map((id) => cluster.run(id, ['scm', '--init'])));
    for (const r of inits) expect(r.status, r.stderr).toBe(0);
    expect(inits[0]!.stdout).toMatch(/^Root CA \(serial 1, CN=scm@127\.0\.0\.1\) and the primordial sub-CA \(serial 2\) are created under /m);
    expect(inits[0]!.stdout).toMatch(/^Admin identity \(serial 3, CN=admin@127\.0\.0\.1\) is created under /m);
    expect(cluster.version('scm1')).toMatchObject({ scmHA: 'true', scmCertSerialId: '2' });
    expect(statSync(join(cluster.meta('scm1'), 'scm/admin/keys/private.pem')).mode & 0o777).toBe(0o600);
    await cluster.start('scm1');

    const refused = await cluster.run('scm2', ['scm', '--bootstrap']);
    expect(refused.status).toBe(255);
    expect(refused.stderr).toMatch(/code: BOOTSTRAP_NEEDS_TOKEN/);
    // a token file others can read is refused, the token never shows in argv or output
    const t = await cluster.token(['--type', 'scm', '--node-id', 'scm2']);
    const token = readFileSync(t.file, 'utf8').trim();
    const loose = join(root, 'loose-token');
    writeFileSync(loose, `${token}\n`, { mode: 0o644 });
    const looseRun = await cluster.run('scm2', ['scm', '--bootstrap', '--token-file', loose, '--ca-cert-hash', t.caCertHash]);
    expect(looseRun.status).not.toBe(0);
    expect(looseRun.stderr).toMatch(/code: SECRET_FILE/);
    const wrongPin = await cluster.run('scm2', ['scm', '--bootstrap', '--token-file', t.file, '--ca-cert-hash', `sha256:${'0'.repeat(64)}`]);
    expect(wrongPin.status).toBe(255);
    expect(wrongPin.stderr).toMatch(/CA_PIN_MISMATCH/);
    const ok = await cluster.run('scm2', ['scm', '--bootstrap', '--token-file', t.file, '--ca-cert-hash', t.caCertHash]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^SCM sub-CA certificate \d+ issued by scm@127\.0\.0\.1 \(root scm@127\.0\.0\.1\); admin identity \d+ for 127\.0\.0\.2\.$/m);
    for (const out of [ok.stdout, ok.stderr, looseRun.stderr, wrongPin.stderr]) expect(out).not.toContain(token.split('.')[1]);
    // the same token cannot be used twice (scm3 tries scm2's token)
    const reuse = await cluster.run('scm3', ['scm', '--bootstrap', '--token-file', t.file, '--ca-cert-hash', t.caCertHash]);
    expect(reuse.status).toBe(255);
    expect(reuse.stderr, reuse.stderr).toMatch(/TOKEN_(EXHAUSTED|SCOPE)|CSR_SUBJECT_MISMATCH/);
    const b3 = await cluster.bootstrap('scm3');
    expect(b3.status, b3.stderr).toBe(0);

    for (const id of ['scm2', 'scm3']) {
      const v = cluster.version(id);
      const cert = readFileSync(join(certsDir(id), 'certificate.crt'), 'utf8');
      const rootCa = readFileSync(join(certsDir(id), 'ROOTCA-1.crt'), 'utf8');
      expect(certificateInfo(cert)).toMatchObject({ serial: v.scmCertSerialId, subject: { CN: `scm-sub@${cluster.host(id)}`, OU: v.scmUuid, O: v.clusterID }, isCa: true });
      expect(verifyChain([cert], [rootCa])).toBe(true);
      expect(readdirSync(join(cluster.meta(id), 'scm', 'admin', 'certs')).length).toBeGreaterThan(1);
    }
    await Promise.all(['scm2', 'scm3'].map((id) => cluster.start(id)));
    for (const id of IDS) {
      const roles = await cluster.run(id, ['admin', 'scm', 'roles']);
      expect(roles.status, roles.stderr).toBe(0);
      expect(roles.stdout.trim().split('\n').filter((l) => l.includes(':LEADER:'))).toHaveLength(1);
    }
    expect(new Set(IDS.map((id) => cluster.version(id).clusterID)).size).toBe(1);
    // without an identity, operator commands cannot reach a secure cluster
    const noId = await new Promise<string>((resolve) => {
      const p = spawnOzone(['admin', 'scm', 'roles'], { OZONE_CONF_DIR: join(root, 'client'), OZONE_CLIENT_IDENTITY_DIR: join(root, 'nowhere') });
      void p.exited.then(() => resolve(p.stderr));
    });
    expect(noId).toMatch(/code: NO_CLIENT_IDENTITY/);
  });

  it('secure datanodes, freon through the leader, ldb over TLS; kill -9 the leader, it catches up', async () => {
    const refused = spawnOzone(['datanode', '--count', '3', '--prefix', 'dnhost'], cluster.clientEnv());
    expect(await refused.exited).not.toBe(0);
    expect(refused.stderr).toMatch(/token-file/);
    const t = await cluster.token(['--type', 'datanode', '--host', 'dnhost']);
    const dn = spawnOzone(['datanode', '--count', '3', '--prefix', 'dnhost', '--identity-dir', join(root, 'dn-identity'), '--token-file', t.file, '--ca-cert-hash', t.caCertHash], cluster.clientEnv());
    await dn.waitFor(/Started 3 simulated datanodes/);
    expect(dn.stderr).toMatch(/Datanode certificate \d+ saved under /);
    await waitUntil(async () => (await Promise.all(IDS.map((id) => cluster.status(id)))).every((s) => s.datanodes.HEALTHY === 3), 'healthy datanodes');
    const freon = await cluster.run('client', ['freon', 'rk', '--num-of-volumes=1', '--num-of-buckets=1', '--num-of-keys=3000', '--key-size=512KB', '--num-of-threads=8']);
    expect(freon.status, freon.stdout + freon.stderr).toBe(0);
    const old = await cluster.leader();
    await cluster.kill(old, 'SIGKILL');
    await cluster.leader({ not: old });
    const more = await cluster.run('client', ['freon', 'rk', '--num-of-volumes=1', '--num-of-buckets=1', '--num-of-keys=1000', '--key-size=512KB', '--num-of-threads=8']);
    expect(more.status, more.stdout + more.stderr).toBe(0);
    await cluster.start(old);
    await cluster.quiescent(IDS);
    const scans = await Promise.all(IDS.map((id) => cluster.scanContainers(id)));
    expect(new Set(scans.map((s) => s.sha256)).size).toBe(1);
    const certs = await Promise.all(IDS.map((id) => cluster.run(id, ['debug', 'ldb', `--db=${join(cluster.meta(id), 'scm.db')}`, 'scan', '--cf=validSCMCerts', '--count'])));
    expect(certs.map((c) => c.stdout.trim())).toEqual(['4', '4', '4']);
    const list = await cluster.run('scm2', ['admin', 'cert', 'list', '--role', 'DATANODE', '--json']);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ role: 'DATANODE', subject: expect.stringContaining('CN=dn@dnhost') })]);
    dn.signal('SIGTERM');
    expect(await dn.exited).toBe(0);
  });

  it('plain TCP gets nothing from any SCM port', async () => {
    for (const port of [9860, 9861, 9863, 9961, 9894, 9895, 9877]) {
      const answered = await new Promise<boolean>((resolve) => {
        const s = connect({ host: '127.0.0.1', port });
        s.on('data', (d: Buffer) => resolve(d.length >= 6 && d[4] === 1));
        s.on('error', () => resolve(false));
        s.on('close', () => resolve(false));
        s.on('connect', () => s.write(Buffer.from([0, 0, 0, 30, 1, 1, 0, 0, 0, 24, ...Buffer.from('{"id":1,"method":"status"}')])));
        setTimeout(() => resolve(false), 3000);
      });
      expect(answered, `port ${port}`).toBe(false);
    }
  });

  it('decommission: a member leaves the ring (Ozone\'s admin scm decommission) and its certificate is revoked', async () => {
    const leader = await cluster.leader();
    const victim = IDS.find((id) => id !== leader)!;
    const uuid = cluster.version(victim).scmUuid;
    const r = await cluster.run(leader, ['admin', 'scm', 'decommission', '--nodeid', uuid]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`Decommissioned Scm ${uuid}`);
    const roles = await cluster.run(leader, ['admin', 'scm', 'roles']);
    expect(roles.stdout).not.toContain(uuid);
    expect(roles.stdout.trim().split('\n')).toHaveLength(2);
    const self = await cluster.run(leader, ['admin', 'scm', 'decommission', '--nodeid', cluster.version(leader).scmUuid]);
    expect(self.status).not.toBe(0);
    expect(self.stderr).toMatch(/^Error decommissioning Scm [0-9a-f-]+, Cannot remove current leader\./m);
    await cluster.kill(victim, 'SIGTERM');
  });
});
