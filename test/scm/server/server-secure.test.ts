/**
 * Secure SCM HA in process (§7; real LevelDB, real TLS on 127.0.4.31–34): `--init` creates the root CA,
 * the primordial sub-CA and the host's admin identity and records them through the ring; `--bootstrap`
 * needs a join token and the pinned root hash, and gets the SCM's sub-CA and admin identity from the
 * leader (the primordial signs with its root, another leader with its own sub-CA: a chain); SCMs join and
 * catch up (log and checkpoint) over mutual TLS; a member can be decommissioned and cannot come back with
 * its old certificate; data and key directories are 0700.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateInfo, verifyChain } from '../../../src/scm/ca/forge-x509.js';
import { loadScmCertificates } from '../../../src/scm/ca/scm-certificates.js';
import type { BlockProtocol } from '../../../src/scm/protocols/block-protocol.js';
import { caCertHash } from '../../../src/scm/security/ca-pin.js';
import { clientTls } from '../../../src/scm/security/tls-identities.js';
import { readVersionFile } from '../../../src/scm/storage/version-file.js';
import { RpcClient } from '../../../src/scm/transport/rpc-client.js';
import { SecureScmCluster } from '../../support/secure-scm-cluster.js';
import { waitUntil } from '../../support/wait.js';

const c = new SecureScmCluster(['127.0.4.31', '127.0.4.32', '127.0.4.33', '127.0.4.34'], { 'ozone.scm.ha.ratis.snapshot.threshold': '5', 'ozone.scm.ha.ratis.log.purge.gap': '2' });
const scmCerts = (id: string): string[] => [...c.servers.get(id)!.context.stateStore.snapshotState.validSCMCerts.keys()].sort((a, b) => Number(a) - Number(b));
const mode = (p: string): number => statSync(p).mode & 0o777;

describe('secure SCM HA in process (127.0.4.31-34)', () => {
  beforeAll(() => c.setup());
  afterAll(() => c.close());

  it('--init creates the root CA, the primordial sub-CA and the admin identity, records them, and keeps every directory 0700', async () => {
    await c.init();
    const v = readVersionFile(c.config('scm1').dirs.versionFile)!;
    expect(v).toMatchObject({ scmHA: true, scmCertSerialId: '2' });
    expect(readdirSync(join(c.meta('scm1'), 'scm', 'sub-ca', 'certs')).sort()).toEqual(['2.crt', 'ROOTCA-1.crt', 'certificate.crt']);
    expect(certificateInfo(c.admin().certPem)).toMatchObject({ subject: { CN: 'admin@127.0.4.31', O: v.clusterId }, serial: '3', isCa: false });
    for (const d of ['', 'scm.db', 'scm', 'scm.ratis', 'scm.ratis.snapshot', 'scm/ca', 'scm/sub-ca', 'scm/admin', 'scm/admin/keys']) expect(mode(join(c.meta('scm1'), d)), d).toBe(0o700);
    expect(mode(join(c.meta('scm1'), 'scm/admin/keys/private.pem'))).toBe(0o600);
    const s1 = await c.start('scm1');
    await waitUntil(() => s1.context.replicator.isLeaderReady(), 'scm1 leads');
    expect(scmCerts('scm1')).toEqual(['1', '2']);
    expect([...s1.context.stateStore.snapshotState.validCerts.keys()].sort()).toEqual(['1', '2', '3']);
    expect(s1.context.stateStore.view.sequence('CertificateId')).toBe(3);
  });

  it('--bootstrap without a token is refused; with a token and the pinned hash the SCMs join over mutual TLS', async () => {
    await expect(c.bootstrap('scm2')).rejects.toMatchObject({ code: 'BOOTSTRAP_NEEDS_TOKEN', exitCode: 255 });
    expect(existsSync(c.meta('scm2'))).toBe(false); // nothing was created
    for (const id of ['scm2', 'scm3']) {
      const t = await c.mintToken({ kind: 'scm', nodeId: id });
      expect(t.caCertHash).toBe(caCertHash(c.admin().rootPem));
      expect(await c.bootstrap(id, t)).toMatchObject({ status: 'bootstrapped' });
      const certs = loadScmCertificates(c.config(id));
      const v = readVersionFile(c.config(id).dirs.versionFile)!;
      expect(v.scmCertSerialId).toBe(certs.serial);
      expect(certificateInfo(certs.certPem)).toMatchObject({ subject: { CN: `scm-sub@${c.config(id).local.self.host}`, OU: v.scmUuid, O: v.clusterId }, isCa: true });
      expect(verifyChain([certs.certPem, ...certs.chainPem], [certs.rootPem])).toBe(true);
      expect(certificateInfo(c.admin(id).certPem).subject.CN).toBe(`admin@${c.config(id).local.self.host}`);
      expect(mode(join(c.meta(id), 'scm/sub-ca/keys'))).toBe(0o700);
    }
    await Promise.all(['scm2', 'scm3'].map((id) => c.start(id)));
    for (const id of ['scm2', 'scm3']) expect(c.servers.get(id)!.status()).toMatchObject({ raft: { membership: 'voter' } });
    await waitUntil(() => ['scm1', 'scm2', 'scm3'].every((id) => scmCerts(id).length === 4), 'every SCM holds the four SCM certificates');
    // a second --bootstrap is a no-op, also on the current leader, and needs no token
    for (const id of ['scm1', 'scm2', 'scm3']) expect((await c.bootstrap(id)).status).toMatch(/^(skipped-primordial|already-bootstrapped)$/);
    const leader = await c.leader();
    if (leader !== 'scm1') expect(await c.bootstrap(leader)).toMatchObject({ status: 'already-bootstrapped' });
  });

  it('a non-primordial leader signs with its own sub-CA; the new SCM installs a checkpoint over mutual TLS', async () => {
    await c.adminClient().call('transferLeadership', { target: 'scm2' });
    await waitUntil(() => c.leaderId() === 'scm2', 'scm2 leads');
    for (let i = 0; i < 12; i++) await c.servers.get('scm2')!.context.replicator.submit({ type: 'saveConfiguration', serviceName: `svc${i}`, config: { i } });
    await waitUntil(() => (c.servers.get('scm2')!.context.replicator.status().raft?.snapshotIndex ?? 0) > 5, 'a snapshot on the leader');
    await c.configure(4);
    const t = await c.mintToken({ kind: 'scm', nodeId: 'scm4', host: '127.0.4.34' });
    expect(await c.bootstrap('scm4', t)).toMatchObject({ status: 'bootstrapped' });
    const certs = loadScmCertificates(c.config('scm4'));
    expect(certs.chainPem).toHaveLength(1);
    expect(certificateInfo(certs.chainPem[0]!).subject.CN).toBe('scm-sub@127.0.4.32');
    const s4 = await c.start('scm4');
    expect(s4.context.replicator.status().raft).toMatchObject({ membership: 'voter' });
    expect(s4.context.replicator.status().raft!.checkpointsInstalled).toBeGreaterThanOrEqual(1);
    await waitUntil(() => s4.context.stateStore.snapshotState.statefulServiceConfig.size >= 12 && scmCerts('scm4').length === 5, 'scm4 caught up');
  });

  it('decommission removes a member and revokes its certificates: it cannot add itself back', async () => {
    const admin = c.adminClient();
    const v4 = readVersionFile(c.config('scm4').dirs.versionFile)!;
    await expect(admin.call('decommissionScm', { nodeId: readVersionFile(c.config('scm2').dirs.versionFile)!.scmUuid })).rejects.toMatchObject({ remoteCode: 'SCM_INVALID_ARGUMENT', message: 'Cannot remove current leader.' });
    expect(await admin.call('decommissionScm', { nodeId: v4.scmUuid })).toMatchObject({ removed: v4.scmUuid, address: '127.0.4.34:' + String(c.config('scm4').local.self.ports.ratis) });
    await waitUntil(() => (c.servers.get('scm2')!.context.replicator.status().peers.length === 3), 'scm4 left the ring');
    expect(c.servers.get('scm2')!.context.replicator.status().peers.map((p) => p.scmUuid)).not.toContain(v4.scmUuid);
    // both certificates issued with scm4 — its sub-CA and its host's admin identity — are revoked
    const certs = await admin.call('listCertificates', {});
    const of4 = certs.filter((x) => x.subject.includes(`OU=${v4.scmUuid}`));
    expect(of4.map((x) => x.role).sort()).toEqual(['ADMIN', 'SCM']);
    for (const cert of of4) expect(cert.revoked).toMatchObject({ reason: expect.stringMatching(/^decommissioned by admin /) });
    await c.stop('scm4');
    const admin4 = c.adminClient(c.adminTls('scm4'));
    await expect(admin4.call('listJoinTokens', {})).rejects.toMatchObject({ code: expect.stringMatching(/^RPC_(REMOTE|CONNECTION_LOST|FAILOVER_EXHAUSTED)$/) });
    // running decommission again for a member already out of the ring finds nothing left to revoke
    await expect(admin.call('decommissionScm', { nodeId: v4.scmUuid })).rejects.toMatchObject({ remoteCode: 'SCM_INVALID_ARGUMENT' });
    // scm4's own (valid, but revoked) SCM certificate no longer authenticates it: the connection is closed
    const own = loadScmCertificates(c.config('scm4'));
    const leader = c.config('scm2').local.self;
    const block = new RpcClient<BlockProtocol>(leader.host, leader.ports.block, { tls: clientTls(own, own.rootPem, { clusterId: v4.clusterId }), timeoutMs: 5000 });
    c.onClose(() => block.close());
    await expect(block.call('addScm', { clusterId: v4.clusterId, scmId: v4.scmUuid, ratisAddress: `127.0.4.34:${c.config('scm4').local.self.ports.ratis}` })).rejects.toMatchObject({ code: 'RPC_CONNECTION_LOST' });
    expect(c.servers.get('scm2')!.context.replicator.status().peers).toHaveLength(3);
  });
});
