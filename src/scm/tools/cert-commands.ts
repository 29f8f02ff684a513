/**
 * `ozone admin cert list|revoke|request` (secure mode):
 *  - `list [--role R] [-c N] [-s SERIAL] [--json]`: the certificates the cluster issued (validCerts), in
 *    Ozone's format (formatCertificates); `--json` (this build's) adds the revocations;
 *  - `revoke --serial N [--reason R]`: the certificate proves nothing any more, on every port (admin);
 *  - `request --type datanode|om|admin --token-file F --ca-cert-hash H --out DIR`: obtain an identity with
 *    a join token (tools/secure-join.ts), saved under DIR in the identity layout (0700, key 0600). The
 *    token decides the subject; this command only generates the key and proves possession.
 */
import { saveIdentity } from '../ca/identity-store.js';
import type { CertificateListing, ClientProtocol } from '../protocols/client-protocol.js';
import { parseCaCertHash } from '../security/ca-pin.js';
import { javaDateString } from '../storage/java-properties.js';
import type { RpcEndpoint } from '../transport/rpc-endpoint.js';
import type { FailoverRpcClient } from '../transport/rpc-failover-client.js';
import { fetchPinnedRoot, requestIdentity, type JoinClientOptions } from './secure-join.js';
import type { ToolIo } from './tool-io.js';

/** X500Name.toString of Java: the RDNs in reverse encoding order (the listing keeps encoding order). */
function javaDn(dn: string): string {
  return dn.split(/, (?=(?:CN|OU|O|SERIALNUMBER)=)/).reverse().join(', ');
}

/**
 * Ozone's CertCommands `list` (hadoop-ozone/cli-admin org/apache/hadoop/hdds/scm/cli/cert/ListSubcommand.java
 * and ScmCertSubcommand#printCertList): a `Certificate list:(BatchSize=N, CertCount=M)` line, then
 * `%-17s %-30s %-30s %-110s %-110s` rows of serial, `Date.toString()` of notBefore and notAfter (UTC here),
 * subject and issuer DN as Java prints them — or `No certificates to list`. Revocations show in `--json`.
 */
export function formatCertificates(certs: readonly CertificateListing[], batchSize: number): string {
  const row = (cells: readonly [string, string, string, string, string]): string =>
    `${cells[0].padEnd(17)} ${cells[1].padEnd(30)} ${cells[2].padEnd(30)} ${cells[3].padEnd(110)} ${cells[4].padEnd(110)}`;
  const head = `Certificate list:(BatchSize=${batchSize}, CertCount=${certs.length})`;
  if (certs.length === 0) return `${head}\nNo certificates to list`;
  const date = (iso: string): string => javaDateString(new Date(iso));
  return [head, row(['SerialNumber', 'Valid From', 'Expiry', 'Subject', 'Issuer']), ...certs.map((c) => row([c.serial, date(c.notBefore), date(c.notAfter), javaDn(c.subject), javaDn(c.issuer)]))].join('\n');
}

export interface CertListOptions {
  readonly role?: 'SCM' | 'OM' | 'DATANODE' | 'ADMIN';
  readonly json: boolean;
  /** `-c/--count` (Ozone's batch size, default 20) */
  readonly count?: number;
  /** `-s/--start`: the first serial listed (default 0) */
  readonly start?: string;
}

export async function runCertList(client: FailoverRpcClient<ClientProtocol>, o: CertListOptions, io: ToolIo): Promise<void> {
  const count = o.count ?? 20;
  const start = BigInt(o.start ?? '0');
  const certs = (await client.call('listCertificates', o.role ? { role: o.role } : {})).filter((c) => BigInt(c.serial) >= start).slice(0, count);
  if (certs.length === count) io.err(`The certificate list could be longer than the batch size: ${count}. Please use the "-c" option to see more certificates.`);
  if (o.json) {
    io.err(`Certificate list:(BatchSize=${count}, CertCount=${certs.length})`);
    io.out(JSON.stringify(certs, null, 2));
    return;
  }
  io.out(formatCertificates(certs, count));
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
