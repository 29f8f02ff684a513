/** Mutual TLS on the SCM RPC layer with certificates from the SCM CA (real TLS on 127.0.2.x). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { generateRsaKeyPair, initPrimordialCa, signCsr, type CaMaterial } from '../../../src/scm/ca/certificate-authority.js';
import { createCsr } from '../../../src/scm/ca/forge-x509.js';
import { RpcClient } from '../../../src/scm/transport/rpc-client.js';
import { RpcServer } from '../../../src/scm/transport/rpc-server.js';
import type { TlsMaterial } from '../../../src/scm/transport/tls-options.js';

const HOST = '127.0.2.21';

function leaf(ca: { root: CaMaterial; sub: CaMaterial }, cn: string, serial: string): TlsMaterial {
  const k = generateRsaKeyPair();
  const cert = signCsr(ca.sub, createCsr({ CN: cn }, k.publicKeyPem, k.privateKeyPem, { isCa: false, sans: { ips: [HOST] } }), { serial, clusterId: 'CID-t' });
  return { key: k.privateKeyPem, cert: cert + ca.sub.certPem, ca: ca.root.certPem };
}

describe('mutual TLS RPC', () => {
  const dirs = [mkdtempSync(join(tmpdir(), 'tls-a-')), mkdtempSync(join(tmpdir(), 'tls-b-'))];
  const caA = initPrimordialCa({ metadataDir: dirs[0]!, host: 'scm1', clusterId: 'CID-t', scmUuid: 'a' });
  const caB = initPrimordialCa({ metadataDir: dirs[1]!, host: 'evil', clusterId: 'CID-t', scmUuid: 'b' });
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('serves clients holding a certificate of the same CA and refuses others', async () => {
    const server = new RpcServer('secure', { tls: leaf(caA, `scm@${HOST}`, '10') }).handle('ping', async () => 'pong');
    const { port } = await server.listen(HOST, 0);
    closers.push(() => server.close());
    const good = new RpcClient(HOST, port, { tls: leaf(caA, 'om@client', '11'), timeoutMs: 5000 });
    closers.push(() => good.close());
    expect(await good.call('ping', {})).toBe('pong');

    const stranger = new RpcClient(HOST, port, { tls: leaf(caB, 'om@evil', '12'), timeoutMs: 5000 });
    closers.push(() => stranger.close());
    await expect(stranger.call('ping', {})).rejects.toMatchObject({ code: expect.stringMatching(/^RPC_(CONNECT|CONNECTION_LOST)$/) });

    const plain = new RpcClient(HOST, port, { timeoutMs: 2000 });
    closers.push(() => plain.close());
    await expect(plain.call('ping', {})).rejects.toMatchObject({ code: expect.stringMatching(/^RPC_(CONNECT|CONNECTION_LOST|TIMEOUT)$/) });
  });
});
