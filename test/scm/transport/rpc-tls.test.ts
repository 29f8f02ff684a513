/**
 * TLS on the SCM RPC layer with certificates issued like the SCM issues them (real TLS on 127.0.2.x):
 * mutual TLS refuses plain and foreign clients; a client refuses a server that is not an SCM; the
 * optional-client-certificate mode (security port) admits callers without a certificate as anonymous and
 * closes those presenting one of another CA; identities reach handlers and the access check.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { initPrimordialCa } from '../../../src/scm/ca/certificate-authority.js';
import { authorizer } from '../../../src/scm/security/access-policy.js';
import { identityOf, type PeerIdentity } from '../../../src/scm/security/peer-identity.js';
import { scmServerCheck } from '../../../src/scm/security/tls-identities.js';
import { RpcClient } from '../../../src/scm/transport/rpc-client.js';
import { DEFAULT_LIMITS } from '../../../src/scm/transport/connection-limits.js';
import { RpcServer } from '../../../src/scm/transport/rpc-server.js';
import type { UntypedProtocol } from '../../../src/scm/transport/protocol-definition.js';
import type { ClientTls, ServerTls, TlsMaterial } from '../../../src/scm/transport/tls-options.js';
import { looseProtocol } from '../support/loose-protocol.js';
import { issueTestIdentity } from '../support/test-identities.js';

const HOST = '127.0.2.21';
const CID = 'CID-3f1e6c87-8cf0-4cbf-b3b6-3b8f09b1462a';
const SCM_UUID = 'b316431d-9631-48ad-81d5-4bc87199a460';

describe('TLS on the SCM RPC layer', () => {
  const dirs = [mkdtempSync(join(tmpdir(), 'tls-a-')), mkdtempSync(join(tmpdir(), 'tls-b-'))];
  const caA = initPrimordialCa({ metadataDir: dirs[0]!, host: 'scm1', clusterId: CID, scmUuid: SCM_UUID });
  const caB = initPrimordialCa({ metadataDir: dirs[1]!, host: 'evil', clusterId: CID, scmUuid: SCM_UUID });
  const scmCert = issueTestIdentity(caA, 'scm', HOST, '10', CID, SCM_UUID);
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  const serverTls = (clientCert: 'required' | 'optional'): ServerTls => ({ key: scmCert.key, cert: scmCert.cert, ca: scmCert.ca, clientCert });
  const start = async (clientCert: 'required' | 'optional', seen: PeerIdentity[] = []): Promise<number> => {
    const server = new RpcServer('secure', looseProtocol(['ping', 'whoami']), {
      security: {
        tls: serverTls(clientCert),
        identify: (s: TLSSocket) => identityOf(s.getPeerCertificate(), CID),
        // 'ping' is for anyone; 'whoami' (here: the client port's getScmInfo rule) for admin/scm/om only
        authorize: (method, id) => (method === 'ping' ? undefined : authorizer('client', () => false)('getScmInfo', id)),
      },
    }).serve({
      ping: async () => 'pong',
      whoami: async (_p, ctx) => {
        seen.push(ctx.identity);
        return ctx.identity.kind;
      },
    });
    const { port } = await server.listen(HOST, 0);
    closers.push(() => server.close());
    return port;
  };
  const client = (port: number, tls: ClientTls): RpcClient<UntypedProtocol> => {
    const c = new RpcClient<UntypedProtocol>(HOST, port, { tls, timeoutMs: 5000, connectTimeoutMs: 3000 });
    closers.push(() => c.close());
    return c;
  };
  const withCert = (m: TlsMaterial): ClientTls => ({ key: m.key, cert: m.cert, ca: m.ca, verifyServer: scmServerCheck({ clusterId: CID }) });

  it('mutual TLS: serves certificates of this CA with their identity; refuses foreign, plain and certificate-less clients', async () => {
    const seen: PeerIdentity[] = [];
    const port = await start('required', seen);
    expect(await client(port, withCert(issueTestIdentity(caA, 'admin', '127.0.0.9', '11', CID))).call('whoami', {})).toBe('admin');
    expect(seen[0]).toMatchObject({ kind: 'admin', host: '127.0.0.9', serial: '11' });

    const stranger = client(port, withCert(issueTestIdentity(caB, 'admin', 'evil', '12', CID)));
    await expect(stranger.call('ping', {})).rejects.toMatchObject({ code: expect.stringMatching(/^RPC_(CONNECT|CONNECTION_LOST)$/) });
    const noCert = client(port, { ca: scmCert.ca, verifyServer: scmServerCheck({ clusterId: CID }) });
    await expect(noCert.call('ping', {})).rejects.toMatchObject({ code: expect.stringMatching(/^RPC_(CONNECT|CONNECTION_LOST)$/) });
    const plain = new RpcClient<UntypedProtocol>(HOST, port, { timeoutMs: 2000 });
    closers.push(() => plain.close());
    await expect(plain.call('ping', {})).rejects.toMatchObject({ code: expect.stringMatching(/^RPC_(CONNECT|CONNECTION_LOST|TIMEOUT)$/) });
  });

  it('a datanode certificate is denied an admin method (ACCESS_DENIED), one of another cluster proves nothing', async () => {
    const port = await start('required');
    const dn = client(port, withCert(issueTestIdentity(caA, 'datanode', 'dn1', '13', CID)));
    await expect(dn.call('whoami', {})).rejects.toMatchObject({ code: 'RPC_REMOTE', remoteCode: 'ACCESS_DENIED' });
    expect(await dn.call('ping', {})).toBe('pong');
    // same CA, but the certificate names another cluster: no identity, the connection is closed
    const other = client(port, withCert(issueTestIdentity(caA, 'admin', 'x', '14', 'CID-00000000-0000-4000-8000-000000000000')));
    await expect(other.call('ping', {})).rejects.toMatchObject({ code: expect.stringMatching(/^RPC_(CONNECT|CONNECTION_LOST)$/) });
  });

  it('optional client certificates: anonymous callers get in as anonymous; a foreign certificate is closed', async () => {
    const seen: PeerIdentity[] = [];
    const port = await start('optional', seen);
    const anon = client(port, { ca: scmCert.ca, verifyServer: scmServerCheck({ clusterId: CID }) });
    expect(await anon.call('ping', {})).toBe('pong');
    await expect(anon.call('whoami', {})).rejects.toMatchObject({ remoteCode: 'ACCESS_DENIED' });
    const stranger = client(port, withCert(issueTestIdentity(caB, 'admin', 'evil', '15', CID)));
    await expect(stranger.call('ping', {})).rejects.toMatchObject({ code: expect.stringMatching(/^RPC_(CONNECT|CONNECTION_LOST)$/) });
  });

  it('a client refuses a server whose certificate is not an SCM of the cluster, and one of another CA', async () => {
    const notScm = issueTestIdentity(caA, 'datanode', HOST, '16', CID);
    const impostor = new RpcServer('impostor', looseProtocol(['ping']), {
      security: { tls: { key: notScm.key, cert: notScm.cert, ca: notScm.ca, clientCert: 'optional' }, identify: () => ({ kind: 'anonymous' }), authorize: () => undefined },
    }).serve({ ping: async () => 'pong' });
    const { port } = await impostor.listen(HOST, 0);
    closers.push(() => impostor.close());
    await expect(client(port, { ca: scmCert.ca, verifyServer: scmServerCheck({ clusterId: CID }) }).call('ping', {})).rejects.toMatchObject({ code: 'RPC_CONNECT' });
    const realPort = await start('optional');
    await expect(client(realPort, { ca: caB.root.certPem, verifyServer: scmServerCheck({ clusterId: CID }) }).call('ping', {})).rejects.toMatchObject({ code: 'RPC_CONNECT' });
  });

  it('connections still in the TLS handshake count against the caps: raw TCP sockets that never say hello are refused beyond them', async () => {
    const server = new RpcServer('capped', looseProtocol(['ping']), {
      limits: { ...DEFAULT_LIMITS, maxConnectionsPerAddress: 3, maxConnections: 5 },
      security: { tls: serverTls('optional'), identify: () => ({ kind: 'anonymous' }), authorize: () => undefined },
    }).serve({ ping: async () => 'pong' });
    const { port } = await server.listen(HOST, 0);
    closers.push(() => server.close());
    const open = (localAddress: string): Promise<Socket & { gone: Promise<boolean> }> =>
      new Promise((resolve, reject) => {
        const s = connect({ host: HOST, port, localAddress }) as Socket & { gone: Promise<boolean> };
        s.gone = new Promise((r) => s.once('close', () => r(true)));
        s.on('error', () => {});
        s.once('connect', () => resolve(s));
        s.once('error', reject);
        closers.push(async () => void s.destroy());
      });
    const closedWithin = (s: { gone: Promise<boolean> }, ms: number): Promise<boolean> => Promise.race([s.gone, new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
    const silent = [await open('127.0.2.22'), await open('127.0.2.22'), await open('127.0.2.22')];
    expect(await closedWithin(await open('127.0.2.22'), 2000)).toBe(true);
    for (const s of silent) expect(await closedWithin(s, 10)).toBe(false);
    const more = [await open('127.0.2.23'), await open('127.0.2.23')];
    expect(await closedWithin(await open('127.0.2.23'), 2000)).toBe(true);
    for (const s of more) expect(await closedWithin(s, 10)).toBe(false);
    expect(server.governor.stats.refusedConnections).toBe(2);
    // closing the silent ones frees the port for a real client
    for (const s of [...silent, ...more]) s.destroy();
    await expect.poll(() => server.governor.connections).toBe(0);
    expect(await client(port, { ca: scmCert.ca, verifyServer: scmServerCheck({ clusterId: CID }) }).call('ping', {})).toBe('pong');
  });
});
