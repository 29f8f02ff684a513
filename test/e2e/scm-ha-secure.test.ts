/**
 * Secure SCM HA (§7), real processes on 127.0.0.1–.3 with Ozone's default ports:
 * `ozone.security.enabled=true` + `hdds.grpc.tls.enabled=true`, primordial scm1. `--init` creates the root
 * CA and the primordial sub-CA; `--bootstrap` has the leader sign each new SCM's sub-CA; the ring runs
 * with mutual TLS on the Raft (9894) and inter-SCM (9895) ports: roles, freon with datanodes, `debug ldb`
 * on live SCMs (over TLS), kill -9 of the leader and catch-up of the restarted SCM.
 */
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
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

describe('secure SCM HA: CA at --init, CSR signed at --bootstrap, mutual TLS between SCMs (127.0.0.1-3)', () => {
  beforeAll(() => cluster.writeConfs());
  afterAll(async () => {
    await killAll();
    rmSync(root, { recursive: true, force: true });
  });

  it('--init and --bootstrap on every node build a secure ring', async () => {
    const inits = await Promise.all(IDS.map((id) => cluster.run(id, ['scm', '--init'])));
    for (const r of inits) expect(r.status, r.stderr).toBe(0);
    expect(inits[0]!.stdout).toMatch(/^Root CA \(serial 1, CN=scm@127\.0\.0\.1\) and the primordial sub-CA \(serial 2\) are created under /m);
    expect(cluster.version('scm1')).toMatchObject({ scmHA: 'true', scmCertSerialId: '2' });
    expect(readdirSync(join(cluster.meta('scm1'), 'scm', 'ca', 'keys')).sort()).toEqual(['private.pem', 'public.pem']);
    await cluster.start('scm1');
    const boots = await Promise.all(IDS.map((id) => cluster.run(id, ['scm', '--bootstrap'])));
    for (const r of boots) expect(r.status, r.stderr).toBe(0);
    for (const [i, id] of ['scm2', 'scm3'].entries()) {
      expect(boots[i + 1]!.stdout).toMatch(/^SCM sub-CA certificate \d+ issued by scm@127\.0\.0\.1 \(root scm@127\.0\.0\.1\)\.$/m);
      const v = cluster.version(id);
      const cert = readFileSync(join(certsDir(id), 'certificate.crt'), 'utf8');
      const rootCa = readFileSync(join(certsDir(id), 'ROOTCA-1.crt'), 'utf8');
      expect(certificateInfo(cert)).toMatchObject({ serial: v.scmCertSerialId, subject: { CN: `scm-sub@${cluster.host(id)}`, OU: v.scmUuid, O: v.clusterID }, isCa: true });
      expect(verifyChain([cert], [rootCa])).toBe(true);
    }
    await Promise.all(['scm2', 'scm3'].map((id) => cluster.start(id)));
    const roles = await cluster.run('client', ['admin', 'scm', 'roles']);
    expect(roles.status, roles.stderr).toBe(0);
    const lines = roles.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.filter((l) => l.includes(':LEADER:'))).toHaveLength(1);
    expect(new Set(IDS.map((id) => cluster.version(id).clusterID)).size).toBe(1);
  });

  it('freon with datanodes; ldb over TLS prints identical containers and certificates; kill -9 the leader, it catches up', async () => {
    const dn = spawnOzone(['datanode', '--count', '3'], cluster.clientEnv());
    await dn.waitFor(/Started 3 simulated datanodes/);
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
    dn.signal('SIGTERM');
    expect(await dn.exited).toBe(0);
  });
});
