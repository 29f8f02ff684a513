/**
 * Safe mode on a secure SCM (in process, real TLS on 127.0.4.76): reading it needs an identity of the
 * cluster; forcing it out (`ozone admin safemode exit`, Ozone's checkAdminAccess) only an admin identity — a
 * caller without a certificate cannot even connect, and SCM, datanode and OM identities are refused with
 * ACCESS_DENIED while the SCM stays in safe mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRsaKeyPair } from '../../../src/scm/ca/certificate-authority.js';
import { createCsr } from '../../../src/scm/ca/forge-x509.js';
import { loadScmCertificates } from '../../../src/scm/ca/scm-certificates.js';
import type { ClientProtocol } from '../../../src/scm/protocols/client-protocol.js';
import type { SecurityProtocol } from '../../../src/scm/protocols/security-protocol.js';
import { clientTls, scmServerCheck } from '../../../src/scm/security/tls-identities.js';
import { readVersionFile } from '../../../src/scm/storage/version-file.js';
import { RpcClient } from '../../../src/scm/transport/rpc-client.js';
import type { ClientTls } from '../../../src/scm/transport/tls-options.js';
import { SecureScmCluster } from '../../support/secure-scm-cluster.js';

const c = new SecureScmCluster(['127.0.4.76'], {}, 1);

describe('safe mode on a secure SCM (127.0.4.76)', () => {
  let cid = '';
  let root = '';

  beforeAll(async () => {
    await c.setup();
    await c.init();
    await c.start('scm1');
    await c.leader();
    cid = readVersionFile(c.config('scm1').dirs.versionFile)!.clusterId;
    root = c.admin().rootPem;
  });
  afterAll(() => c.close());

  const self = (): ReturnType<typeof c.config>['local']['self'] => c.config('scm1').local.self;
  const clientAs = (tls: ClientTls): RpcClient<ClientProtocol> => {
    const r = new RpcClient<ClientProtocol>(self().host, self().ports.client, { tls: { ...tls, verifyServer: scmServerCheck({ clusterId: cid }) }, timeoutMs: 5000, connectTimeoutMs: 3000 });
    c.onClose(() => r.close());
    return r;
  };
  /** a datanode or OM identity the cluster issued (and recorded) with a join token */
  const issued = async (kind: 'datanode' | 'om', host: string): Promise<ClientTls> => {
    const token = await c.mintToken({ kind, host });
    const sec = new RpcClient<SecurityProtocol>(self().host, self().ports.security, { tls: { ca: root, verifyServer: scmServerCheck({ clusterId: cid }) }, timeoutMs: 10_000 });
    c.onClose(() => sec.close());
    const k = generateRsaKeyPair();
    const cert = await sec.call('issueCertificate', { token: token.token, csr: createCsr({ CN: '' }, k.publicKeyPem, k.privateKeyPem, { isCa: false }) });
    return { key: k.privateKeyPem, cert: cert.certPem + cert.chain.map((x) => x.pem).join(''), ca: root };
  };
  const inSafeMode = (): boolean => c.servers.get('scm1')!.context.safeMode.inSafeMode();

  it('no datanode registered: the SCM is in safe mode; an OM identity may read it, an anonymous caller not even connect', async () => {
    expect(inSafeMode()).toBe(true);
    const om = clientAs(await issued('om', 'om1'));
    expect(await om.call('inSafeMode', {})).toEqual({ inSafeMode: true, preCheckComplete: false });
    expect((await om.call('getSafeModeRuleStatuses', {})).map((r) => r.ruleName)).toContain('StateMachineReadyRule');
    const anonymous = clientAs({ ca: root });
    await expect(anonymous.call('forceExitSafeMode', {})).rejects.toMatchObject({ code: expect.stringMatching(/^RPC_(CONNECT|CONNECTION_LOST|TIMEOUT)$/) });
    await expect(anonymous.call('inSafeMode', {})).rejects.toMatchObject({ code: expect.stringMatching(/^RPC_(CONNECT|CONNECTION_LOST|TIMEOUT)$/) });
  });

  it('SCM, datanode and OM identities may not force it out (ACCESS_DENIED); it stays in safe mode', async () => {
    const scm = loadScmCertificates(c.config('scm1'));
    for (const tls of [clientTls(scm, scm.rootPem, { clusterId: cid }), await issued('datanode', 'dn1'), await issued('om', 'om2')]) {
      await expect(clientAs(tls).call('forceExitSafeMode', {})).rejects.toMatchObject({ remoteCode: 'ACCESS_DENIED', message: expect.stringMatching(/may not call forceExitSafeMode on the client port/) });
    }
    expect(inSafeMode()).toBe(true);
  });

  it('an admin identity forces it out', async () => {
    expect(await clientAs(c.adminTls()).call('forceExitSafeMode', {})).toEqual({ exitedSafeMode: true });
    expect(inSafeMode()).toBe(false);
    expect(await clientAs(c.adminTls()).call('inSafeMode', {})).toEqual({ inSafeMode: false, preCheckComplete: true });
  });
});
