/**
 * Secure SCM HA in process (§7; real LevelDB, real TCP + TLS on 127.0.4.31–34): `--init` creates the root
 * CA and the primordial sub-CA and records them through the ring; `--bootstrap` has the leader sign the new
 * SCM's sub-CA (the primordial with its root, another leader with its own sub-CA: a chain); SCMs join and
 * catch up (log and checkpoint) over mutual TLS on the Raft and inter-SCM ports; plain or foreign peers
 * are refused.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/common/logger.js';
import { generateRsaKeyPair, initPrimordialCa } from '../../../src/scm/ca/certificate-authority.js';
import { certificateInfo, createCsr, verifyChain } from '../../../src/scm/ca/forge-x509.js';
import { loadScmCertificates, scmTls } from '../../../src/scm/ca/scm-certificates.js';
import { message, nodeId } from '../../../src/scm/raft/types.js';
import { listenRaftTransport } from '../../../src/scm/transport/raft-transport.js';
import { systemHostLocality } from '../../../src/scm/config/host-locality.js';
import { resolveScmConfig, type ScmConfig } from '../../../src/scm/config/scm-config.js';
import { startScmServer, type ScmServer } from '../../../src/scm/server.js';
import { readVersionFile } from '../../../src/scm/storage/version-file.js';
import { scmBootstrap } from '../../../src/scm/tools/scm-bootstrap.js';
import { scmInit } from '../../../src/scm/tools/scm-init.js';
import { bufferIo } from '../../../src/scm/tools/tool-io.js';
import { RpcClient } from '../../../src/scm/transport/rpc-client.js';
import { FailoverRpcClient } from '../../../src/scm/transport/rpc-failover-client.js';
import { freeNodePorts } from '../../support/free-ports.js';
import { siteConf, siteProperties } from '../../support/scm-site.js';
import { waitUntil } from '../../support/wait.js';

const HOSTS = ['127.0.4.31', '127.0.4.32', '127.0.4.33', '127.0.4.34'];
const IDS = ['scm1', 'scm2', 'scm3', 'scm4'];

describe('secure SCM HA in process (127.0.4.31-34)', () => {
  const root = mkdtempSync(join(tmpdir(), 'scm-sec-it-'));
  const cfg = new Map<string, ScmConfig>();
  const servers = new Map<string, ScmServer>();
  let ports: Record<string, Record<string, number>> = {};
  const closers: Array<() => Promise<void>> = [];
  const configFor = async (nodeId: string, count: number): Promise<ScmConfig> =>
    resolveScmConfig(
      siteConf(siteProperties({
        hosts: HOSTS.slice(0, count),
        metadataDir: (id) => join(root, id),
        nodeId,
        ratis: true,
        primordial: 'scm1',
        nodePorts: ports,
        extra: {
          'ozone.security.enabled': 'true',
          'hdds.grpc.tls.enabled': 'true',
          'ozone.scm.ha.ratis.leader.election.timeout': '600ms',
          'ozone.scm.ha.ratis.snapshot.threshold': '5',
          'ozone.scm.ha.ratis.log.purge.gap': '2',
          'ozone.scm.info.wait.duration': '60s',
        },
      })),
      systemHostLocality,
    );
  const start = async (id: string): Promise<ScmServer> => {
    const s = await startScmServer({ config: cfg.get(id)!, logger: silentLogger });
    servers.set(id, s);
    return s;
  };
  const leaderId = (): string | undefined => [...servers.entries()].find(([, s]) => s.context.replicator.isLeaderReady())?.[0];
  const scmCerts = (id: string): string[] => [...servers.get(id)!.context.stateMachine.snapshotState.validSCMCerts.keys()].sort((a, b) => Number(a) - Number(b));

  beforeAll(async () => {
    ports = Object.fromEntries(await Promise.all(IDS.map(async (id, i) => [id, await freeNodePorts(HOSTS[i]!)] as const)));
    for (const id of IDS.slice(0, 3)) cfg.set(id, await configFor(id, 3));
  });
  afterAll(async () => {
    for (const c of closers.splice(0).reverse()) await c();
    for (const id of [...servers.keys()].reverse()) await servers.get(id)!.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('--init creates the root CA and the primordial sub-CA and records them in scm.db through the ring', async () => {
    const io = bufferIo();
    await scmInit(cfg.get('scm1')!, io);
    expect(io.stdout.join('\n')).toMatch(/Root CA \(serial 1, CN=scm@127\.0\.4\.31\) and the primordial sub-CA \(serial 2\) are created under /);
    const v = readVersionFile(cfg.get('scm1')!.dirs.versionFile)!;
    expect(v).toMatchObject({ scmHA: true, scmCertSerialId: '2' });
    expect(readdirSync(join(root, 'scm1', 'scm', 'sub-ca', 'certs')).sort()).toEqual(['2.crt', 'ROOTCA-1.crt', 'certificate.crt']);
    const s1 = await start('scm1');
    await waitUntil(() => s1.context.replicator.isLeaderReady(), 'scm1 leads');
    expect(scmCerts('scm1')).toEqual(['1', '2']);
    expect(s1.context.stateMachine.view.sequence('CertificateId')).toBe(2);
    // a second --init changes nothing
    expect(await scmInit(cfg.get('scm1')!, bufferIo())).toMatchObject({ status: 'already-initialized' });
  });

  it('--bootstrap gets the sub-CA signed by the leader; the SCMs join over mutual TLS', async () => {
    for (const id of ['scm2', 'scm3']) {
      const io = bufferIo();
      expect(await scmBootstrap(cfg.get(id)!, io)).toMatchObject({ status: 'bootstrapped' });
      expect(io.stdout[0]).toMatch(/^SCM sub-CA certificate \d+ issued by scm@127\.0\.4\.31 \(root scm@127\.0\.4\.31\)\.$/);
      const certs = loadScmCertificates(cfg.get(id)!);
      const v = readVersionFile(cfg.get(id)!.dirs.versionFile)!;
      expect(v.scmCertSerialId).toBe(certs.serial);
      expect(certificateInfo(certs.certPem)).toMatchObject({ subject: { CN: `scm-sub@${cfg.get(id)!.local.self.host}`, OU: v.scmUuid, O: v.clusterId }, isCa: true });
      expect(verifyChain([certs.certPem, ...certs.chainPem], [certs.rootPem])).toBe(true);
    }
    await Promise.all(['scm2', 'scm3'].map((id) => start(id)));
    for (const id of ['scm2', 'scm3']) expect(servers.get(id)!.status()).toMatchObject({ raft: { membership: 'voter' } });
    await waitUntil(() => ['scm1', 'scm2', 'scm3'].every((id) => scmCerts(id).length === 4), 'every SCM holds the four SCM certificates');
    expect(new Set(['scm1', 'scm2', 'scm3'].map((id) => JSON.stringify(scmCerts(id)))).size).toBe(1);
  });

  it('refuses a CSR of another cluster, plain connections to the inter-SCM port, and certificates of another CA', async () => {
    const leader = cfg.get(leaderId()!)!.local.self;
    const security = new RpcClient(leader.host, leader.ports.security);
    closers.push(() => security.close());
    const k = generateRsaKeyPair();
    const csr = createCsr({ CN: 'scm-sub@x', OU: 'u', O: 'CID-other' }, k.publicKeyPem, k.privateKeyPem, { isCa: true });
    await expect(security.call('getSCMCertChain', { csr, clusterId: 'CID-other' })).rejects.toMatchObject({ remoteCode: 'SCM_CLUSTER_ID_MISMATCH' });
    const cid = readVersionFile(cfg.get('scm1')!.dirs.versionFile)!.clusterId;
    await expect(security.call('getSCMCertChain', { csr, clusterId: cid })).rejects.toMatchObject({ remoteCode: 'CA_INVALID_CSR' });

    const plain = new RpcClient(leader.host, leader.ports.grpc, { timeoutMs: 3000, connectTimeoutMs: 2000 });
    closers.push(() => plain.close());
    const download = async (c: RpcClient): Promise<void> => {
      for await (const _ of c.stream('downloadCheckpoint', { clusterId: cid })) void _;
    };
    await expect(download(plain)).rejects.toMatchObject({ code: expect.stringMatching(/^RPC_(CONNECT|CONNECTION_LOST|TIMEOUT|PROTOCOL)$/) });
    const evilDir = join(root, 'evil');
    const evil = initPrimordialCa({ metadataDir: evilDir, host: leader.host, clusterId: cid, scmUuid: 'evil' });
    const stranger = new RpcClient(leader.host, leader.ports.grpc, { timeoutMs: 3000, connectTimeoutMs: 2000, tls: { key: evil.sub.privateKeyPem, cert: evil.sub.certPem, ca: evil.root.certPem } });
    closers.push(() => stranger.close());
    await expect(download(stranger)).rejects.toMatchObject({ code: expect.stringMatching(/^RPC_(CONNECT|CONNECTION_LOST|TIMEOUT|PROTOCOL)$/) });
    expect(existsSync(evilDir)).toBe(true);

    // the Raft port speaks mutual TLS: an SCM certificate of this cluster completes the handshake and stays
    // connected; the server closes a connection presenting a foreign certificate
    const own = loadScmCertificates(cfg.get('scm3')!);
    const connectRaft = (key: string, cert: string): { secure: Promise<boolean>; closed: Promise<void>; destroy: () => void } => {
      const sock = tlsConnect({ host: leader.host, port: leader.ports.ratis, key, cert, ca: own.rootPem, checkServerIdentity: () => undefined });
      const closed = new Promise<void>((resolve) => sock.once('close', () => resolve()));
      const secure = new Promise<boolean>((resolve) => {
        sock.once('secureConnect', () => resolve(true));
        sock.once('error', () => resolve(false));
      });
      return { secure, closed, destroy: () => sock.destroy() };
    };
    const good = connectRaft(own.privateKeyPem, [own.certPem, ...own.chainPem].join(''));
    expect(await good.secure).toBe(true);
    const stillOpen = await Promise.race([good.closed.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 300))]);
    good.destroy();
    expect(stillOpen).toBe(true);
    const bad = connectRaft(evil.sub.privateKeyPem, evil.sub.certPem);
    await bad.closed; // refused: the server ends the connection (the test times out otherwise)

    // a valid SCM certificate speaks only for its own scmUuid: frames claiming another sender are rejected
    const leaderUuid = readVersionFile(cfg.get(leaderId()!)!.dirs.versionFile)!.scmUuid;
    const warnings: string[] = [];
    const capture = { debug: () => {}, info: () => {}, warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m), child: () => capture };
    const impostor = await listenRaftTransport({
      groupId: cid.slice(4),
      self: nodeId('impostor'),
      listen: { host: '127.0.4.35', port: 0 },
      tls: scmTls(own).raft,
      logger: capture,
    });
    closers.push(() => impostor.close());
    impostor.setHandler({ onMessages: () => {}, onUnreachable: () => {}, onSnapshotStatus: () => {} });
    impostor.setPeers(new Map([[nodeId(leaderUuid), `${leader.host}:${leader.ports.ratis}`]]));
    impostor.send([message({ type: 'heartbeat', from: nodeId('impostor'), to: nodeId(leaderUuid), term: 1 })]);
    await waitUntil(() => warnings.includes('peer rejected our Raft traffic'), 'the leader rejects the impostor');
  });

  it('a non-primordial leader signs with its own sub-CA; the new SCM installs a checkpoint over mutual TLS', async () => {
    const admin = new FailoverRpcClient(IDS.slice(0, 3).map((id) => ({ nodeId: id, host: cfg.get(id)!.local.self.host, port: cfg.get(id)!.local.self.ports.client })), { retryIntervalMs: 50, maxFailovers: 100 });
    closers.push(() => admin.close());
    await admin.call('transferLeadership', { target: 'scm2' });
    await waitUntil(() => leaderId() === 'scm2', 'scm2 leads');
    // replicated entries enough for snapshots and a compacted log (threshold 5, 2 kept)
    for (let i = 0; i < 12; i++) await servers.get('scm2')!.context.replicator.submit({ type: 'saveConfiguration', serviceName: `svc${i}`, config: { i } });
    await waitUntil(() => (servers.get('scm2')!.context.replicator.status().raft?.snapshotIndex ?? 0) > 5, 'a snapshot on the leader');
    for (const id of IDS) cfg.set(id, await configFor(id, 4));
    const io = bufferIo();
    expect(await scmBootstrap(cfg.get('scm4')!, io)).toMatchObject({ status: 'bootstrapped' });
    expect(io.stdout[0]).toMatch(/issued by scm-sub@127\.0\.4\.32 \(root scm@127\.0\.4\.31\)/);
    const certs = loadScmCertificates(cfg.get('scm4')!);
    expect(certs.chainPem).toHaveLength(1);
    expect(certificateInfo(certs.chainPem[0]!).subject.CN).toBe('scm-sub@127.0.4.32');
    const s4 = await start('scm4');
    expect(s4.context.replicator.status().raft).toMatchObject({ membership: 'voter' });
    expect(s4.context.replicator.status().raft!.checkpointsInstalled).toBeGreaterThanOrEqual(1);
    await waitUntil(() => s4.context.stateMachine.snapshotState.statefulServiceConfig.size === 12 && scmCerts('scm4').length === 5, 'scm4 caught up');
  });
});
