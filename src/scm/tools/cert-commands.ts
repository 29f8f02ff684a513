/**
 * `ozone admin cert list|revoke|request` (secure mode):
 *  - `list [--role R] [--json]`: the certificates the cluster issued (validCerts), with revocations;
 *  - `revoke --serial N [--reason R]`: the certificate proves nothing any more, on every port (admin);
 *  - `request --type datanode|om|admin --token-file F --ca-cert-hash H --out DIR`: obtain an identity with
 *    a join token (tools/secure-join.ts), saved under DIR in the identity layout (0700, key 0600). The
 *    token decides the subject; this command only generates the key and proves possession.
 */
import { formatColumns } from '../../common/text-columns.js';
import { saveIdentity } from '../ca/identity-store.js';
import type { CertificateListing, ClientProtocol } from '../protocols/client-protocol.js';
import { parseCaCertHash } from '../security/ca-pin.js';
import type { RpcEndpoint } from '../transport/rpc-endpoint.js';
import type { FailoverRpcClient } from '../transport/rpc-failover-client.js';
import { fetchPinnedRoot, requestIdentity, type JoinClientOptions } from './secure-join.js';
import type { ToolIo } from './tool-io.js';

export function formatCertificates(certs: readonly CertificateListing[]): string {
  const head = ['SERIAL', 'ROLE', 'SUBJECT', 'ISSUER', 'VALID UNTIL', 'REVOKED'];
  const rows = certs.map((c) => [c.serial, c.role, c.subject, c.issuer, c.notAfter.replace(/\.\d+Z$/, 'Z'), c.revoked ? `${new Date(c.revoked.at).toISOString().replace(/\.\d+Z$/, 'Z')} (${c.revoked.reason})` : '-']);
  return formatColumns([head, ...rows]);
}

export async function runCertList(client: FailoverRpcClient<ClientProtocol>, o: { role?: 'SCM' | 'OM' | 'DATANODE' | 'ADMIN'; json: boolean }, io: ToolIo): Promise<void> {
  const certs = await client.call('listCertificates', o.role ? { role: o.role } : {});
  io.out(o.json ? JSON.stringify(certs, null, 2) : formatCertificates(certs));
}

export async function runCertRevoke(client: FailoverRpcClient<ClientProtocol>, o: { serial: string; reason?: string }, io: ToolIo): Promise<void> {
  await client.call('revokeCertificate', { serial: o.serial, ...(o.reason ? { reason: o.reason } : {}) });
  io.out(`Certificate ${o.serial} is revoked.`);
}

/**
 * Obtains an identity with a join token: the root CA fetched and checked against the pinned hash, a key
 * pair made here, the certificate requested and saved under `dir` (key 0600). Returns the serial.
 */
export async function obtainIdentity(securityEndpoints: readonly RpcEndpoint[], o: { token: string; caCertHash: string; dir: string }, join: JoinClientOptions): Promise<string> {
  const root = await fetchPinnedRoot(securityEndpoints, parseCaCertHash(o.caCertHash), join);
  const { issued, keys } = await requestIdentity(securityEndpoints, root, o.token, join);
  saveIdentity(o.dir, keys, issued);
  return issued.serial;
}

export async function runCertRequest(
  securityEndpoints: readonly RpcEndpoint[],
  o: { token: string; caCertHash: string; out: string },
  join: JoinClientOptions,
  io: ToolIo,
): Promise<void> {
  const serial = await obtainIdentity(securityEndpoints, { token: o.token, caCertHash: o.caCertHash, dir: o.out }, join);
  io.out(`Certificate ${serial} saved under ${o.out} (key 0600).`);
}
