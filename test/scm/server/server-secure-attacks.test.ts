/**
 * A secure three-SCM ring in process (127.0.4.51–53, real TLS) attacked the way a stranger on the network
 * would: certificate requests without a token or with a used / expired / revoked / foreign one, requests
 * for a CA or another SCM's identity, addScm from strangers, plain TCP and foreign certificates on every
 * port, a man in the middle posing as the cluster. Each attempt is refused with a coded error, and nothing
 * changes: the ring keeps its three members and no certificate is issued.
 */
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRsaKeyPair, initPrimordialCa } from '../../../src/scm/ca/certificate-authority.js';
import { certificateInfo, createCsr } from '../../../src/scm/ca/forge-x509.js';
import { loadScmCertificates } from '../../../src/scm/ca/scm-certificates.js';
import type { BlockProtocol } from '../../../src/scm/protocols/block-protocol.js';
import type { SecurityProtocol } from '../../../src/scm/protocols/security-protocol.js';
import { caCertHash } from '../../../src/scm/security/ca-pin.js';
import { clientTls, scmServerCheck } from '../../../src/scm/security/tls-identities.js';
import { readVersionFile } from '../../../src/scm/storage/version-file.js';
import type { UntypedProtocol } from '../../../src/scm/transport/protocol-definition.js';
import { RpcClient } from '../../../src/scm/transport/rpc-client.js';
import { RpcServer } from '../../../src/scm/transport/rpc-server.js';
import type { ClientTls } from '../../../src/scm/transport/tls-options.js';
import { fetchPinnedRoot } from '../../../src/scm/tools/secure-join.js';
import { encodeFrame } from '../../../src/scm/transport/frame-codec.js';
import { RPC_KIND, encodePayload } from '../../../src/scm/transport/rpc-protocol.js';
import { SecureScmCluster } from '../../support/secure-scm-cluster.js';
import { issueTestIdentity } from '../support/test-identities.js';
import { looseProtocol } from '../support/loose-protocol.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const c = new SecureScmCluster(['127.0.4.51', '127.0.4.52', '127.0.4.53']);
const STRANGER = '127.0.4.59';
const OTHER_UUID = '9c5ebe1d-46de-41f6-9e61-f564b7b1c324';

describe('secure SCM ring under attack (127.0.4.51-53)', () => {
  let cid = '';
  let root = '';
  let pin = '';
  const evilDir = mkdtempSync(join(tmpdir(), 'evil-ca-'));
  afterAll(() => rmSync(evilDir, { recursive: true, force: true }));
  const evil = initPrimordialCa({ metadataDir: evilDir, host: STRANGER, clusterId: 'CID-3f1e6c87-8cf0-4cbf-b3b6-3b8f09b1462a', scmUuid: OTHER_UUID });

  beforeAll(async () => {
    await c.setup();
    await c.init();
    await c.start('scm1');
    await c.leader();
    for (const id of ['scm2', 'scm3']) await c.bootstrap(id, await c.mintToken({ kind: 'scm', nodeId: id }));
    await Promise.all(['scm2', 'scm3'].map((id) => c.start(id)));
    cid = readVersionFile(c.config('scm1').dirs.versionFile)!.clusterId;
    root = c.admin().rootPem;
    pin = caCertHash(root);
  });
  afterAll(() => c.close());

  const leaderNode = async (): Promise<ReturnType<typeof c.config>['local']['self']> => c.config(await c.leader()).local.self;
  const ringSize = (): number => c.servers.get(c.leaderId()!)!.context.replicator.status().peers.length;
  const issued = (): number => c.servers.get(c.leaderId()!)!.context.stateStore.snapshotState.validCerts.size;
  const anonymousSecurity = async (): Promise<RpcClient<SecurityProtocol>> => {
    const l = await leaderNode();
    const s = new RpcClient<SecurityProtocol>(l.host, l.ports.security, { tls: { ca: root, verifyServer: scmServerCheck({ clusterId: cid }) }, timeoutMs: 10_000 });
    c.onClose(() => s.close());
    return s;
  };
  const csr = (subject: { CN: string; OU?: string; O?: string }, isCa = false): string => {
    const k = generateRsaKeyPair();
    return createCsr(subject, k.publicKeyPem, k.privateKeyPem, { isCa });
  };
  const scmRequest = (host: string, uuid = '7b7c8e2a-1f0e-4d3c-9b6a-5e4d3c2b1a09'): { csr: string; adminCsr: string } => ({ csr: csr({ CN: `scm-sub@${host}`, OU: uuid }, true), adminCsr: csr({ CN: `admin@${host}`, OU: uuid }) });

  it('issues nothing without a valid token: none, garbage, unknown, used, expired, revoked', async () => {
    const before = { ring: ringSize(), certs: issued() };
    const sec = await anonymousSecurity();
    const req = scmRequest('127.0.4.54');
    await expect(sec.call('getSCMCertChain', { token: '', ...req })).rejects.toMatchObject({ remoteCode: 'RPC_INVALID_PARAMS' });
    await expect(sec.call('getSCMCertChain', { token: 'not-a-token', ...req })).rejects.toMatchObject({ remoteCode: 'TOKEN_INVALID' });
    await expect(sec.call('getSCMCertChain', { token: 'abcdef.0123456789abcdef0123456789abcdef', ...req })).rejects.toMatchObject({ remoteCode: 'TOKEN_INVALID' });
    // right id, wrong secret
    const real = await c.mintToken({ kind: 'scm', nodeId: 'scm4', host: '127.0.4.54' });
    await expect(sec.call('getSCMCertChain', { token: `${real.id}.${'0'.repeat(32)}`, ...req })).rejects.toMatchObject({ remoteCode: 'TOKEN_INVALID' });
    // used: the first use succeeds, the second is refused
    expect((await sec.call('getSCMCertChain', { token: real.token, ...req })).scm.serial).toMatch(/^\d+$/);
    const afterOneUse = issued();
    await expect(sec.call('getSCMCertChain', { token: real.token, ...scmRequest('127.0.4.54', '0b5c7c1e-6d0a-4b8e-a2f3-111111111111') })).rejects.toMatchObject({ remoteCode: 'TOKEN_EXHAUSTED' });
    // expired
    const expiring = await c.mintToken({ kind: 'scm', nodeId: 'scm4', host: '127.0.4.54', ttlSeconds: 60 });
    c.clock.offsetMs = 61_000;
    try {
      await expect(sec.call('getSCMCertChain', { token: expiring.token, ...scmRequest('127.0.4.54', '0b5c7c1e-6d0a-4b8e-a2f3-222222222222') })).rejects.toMatchObject({ remoteCode: 'TOKEN_EXPIRED' });
    } finally {
      c.clock.offsetMs = 0;
    }
    // revoked
    const revoked = await c.mintToken({ kind: 'scm', nodeId: 'scm4', host: '127.0.4.54' });
    await c.adminClient().call('revokeJoinToken', { id: revoked.id });
    await expect(sec.call('getSCMCertChain', { token: revoked.token, ...scmRequest('127.0.4.54', '0b5c7c1e-6d0a-4b8e-a2f3-333333333333') })).rejects.toMatchObject({ remoteCode: 'TOKEN_REVOKED' });
    expect(issued()).toBe(afterOneUse);
    expect(afterOneUse).toBe(before.certs + 2);
    expect(ringSize()).toBe(before.ring);
    const listed = await c.adminClient().call('listJoinTokens', {});
    expect(listed.find((t) => t.id === revoked.id)?.state).toBe('revoked');
    expect(JSON.stringify(listed)).not.toContain(real.token.split('.')[1]);
  });

  it('a token allows exactly its scope: no other host, no other kind, no existing SCM identity, no CA flag for a datanode', async () => {
    const before = issued();
    const sec = await anonymousSecurity();
    const forScm5 = await c.mintToken({ kind: 'scm', nodeId: 'scm5', host: '127.0.4.55' });
    await expect(sec.call('getSCMCertChain', { token: forScm5.token, ...scmRequest('127.0.4.56') })).rejects.toMatchObject({ remoteCode: 'CSR_SUBJECT_MISMATCH' });
    // the OU of an SCM that exists (the leader's own scmUuid)
    const leaderUuid = readVersionFile(c.config(c.leaderId()!).dirs.versionFile)!.scmUuid;
    await expect(sec.call('getSCMCertChain', { token: forScm5.token, ...scmRequest('127.0.4.55', leaderUuid) })).rejects.toMatchObject({ remoteCode: 'CSR_SUBJECT_MISMATCH' });
    // refusals before use leave the token valid
    expect((await c.adminClient().call('listJoinTokens', {})).find((t) => t.id === forScm5.id)?.state).toBe('valid');
    const dnToken = await c.mintToken({ kind: 'datanode', host: 'dn1', uses: 2 });
    await expect(sec.call('getSCMCertChain', { token: dnToken.token, ...scmRequest('127.0.4.55') })).rejects.toMatchObject({ remoteCode: 'TOKEN_SCOPE' });
    await expect(sec.call('issueCertificate', { token: forScm5.token, csr: csr({ CN: '' }) })).rejects.toMatchObject({ remoteCode: 'TOKEN_SCOPE' });
    await expect(sec.call('issueCertificate', { token: dnToken.token, csr: csr({ CN: 'dn@dn2' }) })).rejects.toMatchObject({ remoteCode: 'CSR_SUBJECT_MISMATCH' });
    expect(issued()).toBe(before);
    // a datanode request asking for CA:TRUE and an SCM's OU-less subject gets a plain datanode certificate
    const got = await sec.call('issueCertificate', { token: dnToken.token, csr: csr({ CN: '' }, true) });
    expect(certificateInfo(got.certPem)).toMatchObject({ subject: { CN: 'dn@dn1', O: cid }, isCa: false });
  });

  it('addScm only from the joining SCM itself: strangers, admins, other SCMs and foreign CAs are refused', async () => {
    const before = ringSize();
    const l = await leaderNode();
    const params = { clusterId: cid, scmId: OTHER_UUID, ratisAddress: `${STRANGER}:9894` };
    const call = async (tls: ClientTls | undefined): Promise<unknown> => {
      const b = new RpcClient<BlockProtocol>(l.host, l.ports.block, { ...(tls ? { tls } : {}), timeoutMs: 5000, connectTimeoutMs: 3000 });
      try {
        return await b.call('addScm', params);
      } finally {
        await b.close();
      }
    };
    await expect(call(undefined)).rejects.toMatchObject({ code: expect.stringMatching(/^RPC_(CONNECT|CONNECTION_LOST|TIMEOUT)$/) });
    await expect(call(c.adminTls())).rejects.toMatchObject({ remoteCode: 'ACCESS_DENIED' });
    const scm3 = loadScmCertificates(c.config('scm3'));
    await expect(call(clientTls(scm3, scm3.rootPem, { clusterId: cid }))).rejects.toMatchObject({ remoteCode: 'ACCESS_DENIED', message: expect.stringMatching(/may add only itself/) });
    const foreign = issueTestIdentity(evil, 'scm', STRANGER, '77', cid, OTHER_UUID);
    await expect(call({ key: foreign.key, cert: foreign.cert, ca: root, verifyServer: scmServerCheck({ clusterId: cid }) })).rejects.toMatchObject({ code: expect.stringMatching(/^RPC_(CONNECT|CONNECTION_LOST)$/) });
    expect(ringSize()).toBe(before);
  });

  it('every port refuses plain TCP and certificates of another CA; HTTPS serves only identities of the cluster', async () => {
    const self = c.config('scm1').local.self;
    const foreign = issueTestIdentity(evil, 'admin', STRANGER, '78', cid);
    for (const port of [self.ports.client, self.ports.block, self.ports.datanode, self.ports.security, self.ports.grpc, self.ports.ratis, self.ports.https]) {
      // plain TCP: a request frame gets no answer; the TLS server drops the connection
      const answered = await new Promise<boolean>((resolve) => {
        const s = netConnect({ host: self.host, port });
        s.on('error', () => resolve(false));
        // an answer is one of our frames (RESPONSE, ERROR, RAFT_REJECT); a TLS alert is not
        s.on('data', (d: Buffer) => resolve(d.length >= 6 && d[4] === 1 && [2, 3, 0x11].includes(d[5]!)));
        s.on('close', () => resolve(false));
        s.on('connect', () => s.write(encodeFrame(RPC_KIND.REQUEST, encodePayload({ id: 1, method: 'status', params: {} }))));
        setTimeout(() => {
          s.destroy();
          resolve(false);
        }, 3000);
      });
      expect(answered, `plain TCP answered on ${port}`).toBe(false);
      const foreignOk = await new Promise<boolean>((resolve) => {
        const s = tlsConnect({ host: self.host, port, key: foreign.key, cert: foreign.cert, rejectUnauthorized: false });
        s.on('error', () => resolve(false));
        s.on('secureConnect', () => {
          s.write(Buffer.alloc(0));
          setTimeout(() => resolve(!s.destroyed), 500);
        });
        s.on('close', () => resolve(false));
      });
      if (port !== self.ports.security) expect(foreignOk, `foreign certificate accepted on ${port}`).toBe(false);
    }
    // the security port closes a connection presenting a foreign certificate (anonymous callers are fine)
    const sec = new RpcClient<SecurityProtocol>(self.host, self.ports.security, { tls: { key: foreign.key, cert: foreign.cert, ca: root, verifyServer: scmServerCheck({ clusterId: cid }) }, timeoutMs: 3000 });
    c.onClose(() => sec.close());
    await expect(sec.call('getCaCertificate', {})).rejects.toMatchObject({ code: expect.stringMatching(/^RPC_(CONNECT|CONNECTION_LOST)$/) });

    const get = (path: string, tls: ClientTls | undefined): Promise<number> =>
      new Promise((resolve) => {
        const req = httpsRequest({ host: self.host, port: self.ports.https, path, ca: root, ...(tls?.key ? { key: tls.key, cert: tls.cert } : {}), checkServerIdentity: () => undefined }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', () => resolve(-1));
        req.end();
      });
    expect(await get('/status', undefined)).toBe(-1);
    expect(await get('/status', c.adminTls())).toBe(200);
    const dnToken = await c.mintToken({ kind: 'datanode', host: 'dn9' });
    const k = generateRsaKeyPair();
    const dnCert = await (await anonymousSecurity()).call('issueCertificate', { token: dnToken.token, csr: createCsr({ CN: '' }, k.publicKeyPem, k.privateKeyPem, { isCa: false }) });
    const dnTls = { key: k.privateKeyPem, cert: dnCert.certPem + dnCert.chain.map((x) => x.pem).join(''), ca: root };
    expect(await get('/status', dnTls)).toBe(403);
    expect(await get('/prom', dnTls)).toBe(200);
    // nothing listens on plain HTTP
    const httpOpen = await new Promise<boolean>((resolve) => {
      const s = netConnect({ host: self.host, port: self.ports.http });
      s.on('connect', () => resolve(true));
      s.on('error', () => resolve(false));
    });
    expect(httpOpen).toBe(false);
  });

  it('certificates the ring did not record prove nothing, even when a member\'s sub-CA signed them', async () => {
    // scm2 is a valid member; whoever holds its key (it is a CA) mints an admin and a fake SCM certificate
    const scm2 = loadScmCertificates(c.config('scm2'));
    const subCa = { root: { certPem: scm2.rootPem, privateKeyPem: '', publicKeyPem: '' }, sub: { certPem: scm2.certPem, privateKeyPem: scm2.privateKeyPem, publicKeyPem: '' } };
    const mintedAdmin = issueTestIdentity(subCa, 'admin', STRANGER, '999999', cid);
    const minted = { key: mintedAdmin.key, cert: mintedAdmin.certPem + scm2.certPem, ca: root, verifyServer: scmServerCheck({ clusterId: cid }) };
    const self = c.config(await c.leader()).local.self;
    const admin = new RpcClient<UntypedProtocol>(self.host, self.ports.client, { tls: minted, timeoutMs: 5000, connectTimeoutMs: 3000 });
    c.onClose(() => admin.close());
    await expect(admin.call('createJoinToken', { kind: 'admin', host: 'x' })).rejects.toMatchObject({ code: expect.stringMatching(/^RPC_(CONNECT|CONNECTION_LOST)$/) });
    // a minted SCM certificate claiming scm3's uuid gets no Raft connection either
    const scm3Uuid = readVersionFile(c.config('scm3').dirs.versionFile)!.scmUuid;
    const fakeScm = issueTestIdentity(subCa, 'scm', STRANGER, '999998', cid, scm3Uuid);
    const raftOpen = await new Promise<boolean>((resolve) => {
      const sock = tlsConnect({ host: self.host, port: self.ports.ratis, key: fakeScm.key, cert: fakeScm.certPem + scm2.certPem, ca: root, checkServerIdentity: () => undefined });
      sock.on('secureConnect', () => {
        sock.write(Buffer.from([0, 0, 0, 2, 1, 0x10]));
        setTimeout(() => resolve(!sock.destroyed), 700);
      });
      sock.on('error', () => resolve(false));
      sock.on('close', () => resolve(false));
    });
    expect(raftOpen).toBe(false); // closed: minted for a member's uuid, not recorded, although its chain is valid
  });

  it('a datanode certificate speaks only for its own host; an admin may not act as a datanode', async () => {
    const l = await leaderNode();
    const token = await c.mintToken({ kind: 'datanode', host: 'rack1-host' });
    const k = generateRsaKeyPair();
    const got = await (await anonymousSecurity()).call('issueCertificate', { token: token.token, csr: createCsr({ CN: '' }, k.publicKeyPem, k.privateKeyPem, { isCa: false }) });
    const dn = new RpcClient<UntypedProtocol>(l.host, l.ports.datanode, { tls: { key: k.privateKeyPem, cert: got.certPem + got.chain.map((x) => x.pem).join(''), ca: root, verifyServer: scmServerCheck({ clusterId: cid }) }, timeoutMs: 5000 });
    c.onClose(() => dn.close());
    const details = (hostName: string): unknown => ({ datanode: { uuid: '5e0c2d1a-0000-4000-8000-000000000001', hostName, ipAddress: '127.0.0.1' } });
    expect(await dn.call('register', details('rack1-host-dn1'))).toMatchObject({ clusterId: cid });
    await expect(dn.call('register', details('other-host'))).rejects.toMatchObject({ remoteCode: 'ACCESS_DENIED' });
    // another host's certificate cannot take over that datanode's uuid
    const t2 = await c.mintToken({ kind: 'datanode', host: 'rack2-host' });
    const k2 = generateRsaKeyPair();
    const got2 = await (await anonymousSecurity()).call('issueCertificate', { token: t2.token, csr: createCsr({ CN: '' }, k2.publicKeyPem, k2.privateKeyPem, { isCa: false }) });
    const dn2 = new RpcClient<UntypedProtocol>(l.host, l.ports.datanode, { tls: { key: k2.privateKeyPem, cert: got2.certPem + got2.chain.map((x) => x.pem).join(''), ca: root, verifyServer: scmServerCheck({ clusterId: cid }) }, timeoutMs: 5000 });
    c.onClose(() => dn2.close());
    await expect(dn2.call('heartbeat', details('rack2-host'))).rejects.toMatchObject({ remoteCode: 'ACCESS_DENIED', message: expect.stringMatching(/belongs to rack1-host-dn1/) });
    const asAdmin = new RpcClient<UntypedProtocol>(l.host, l.ports.datanode, { tls: c.adminTls(), timeoutMs: 5000 });
    c.onClose(() => asAdmin.close());
    await expect(asAdmin.call('heartbeat', details('x'))).rejects.toMatchObject({ remoteCode: 'ACCESS_DENIED' });
  });

  it('a man in the middle posing as the cluster gets no token: the joiner checks the pinned root first', async () => {
    const fake = issueTestIdentity(evil, 'scm', STRANGER, '79', cid, OTHER_UUID);
    const seen: string[] = [];
    const mitm = new RpcServer('mitm', looseProtocol(['getCaCertificate', 'getSCMCertChain']), {
      security: { tls: { key: fake.key, cert: fake.cert, ca: evil.root.certPem, clientCert: 'optional' }, identify: () => ({ kind: 'anonymous' }), authorize: () => undefined },
    }).serve({
      getCaCertificate: async () => {
        seen.push('getCaCertificate');
        return evil.root.certPem;
      },
      getSCMCertChain: async (p) => {
        seen.push(`getSCMCertChain ${JSON.stringify(p)}`);
        throw new Error('captured');
      },
    });
    const { port } = await mitm.listen(STRANGER, 0);
    c.onClose(() => mitm.close());
    await expect(fetchPinnedRoot([{ nodeId: 'scm1', host: STRANGER, port }], pin, { retryIntervalMs: 10, maxFailovers: 1, deadlineMs: 5000, callTimeoutMs: 3000 })).rejects.toMatchObject({ code: 'CA_PIN_MISMATCH' });
    expect(seen).toEqual(['getCaCertificate']);
    expect(root).not.toBe(evil.root.certPem);
  });
});
