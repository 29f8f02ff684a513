/**
 * The joiner's side of the token flow (kubeadm's `join --token … --discovery-token-ca-cert-hash …`):
 *  1. `fetchPinnedRoot`: ask any configured SCM's security port for the root CA over TLS that verifies
 *     nothing yet, and accept the root only if its public key has the pinned `sha256:` hash — a man in
 *     the middle cannot produce that root, so it cannot pose as the cluster;
 *  2. `requestScmIdentity` / `requestIdentity`: connect again, now verifying the SCM's certificate against
 *     that root (and that it is an SCM of this cluster), and present the token with certificate requests
 *     to the leader (following not-leader hints); the answers are checked once more against the root.
 * The token never leaves memory except inside that verified TLS connection.
 */
import type { Clock } from '../../common/clock.js';
import { generateRsaKeyPair, type KeyPairPem } from '../ca/certificate-authority.js';
import { sansOf } from '../ca/certificate-profiles.js';
import { certificateInfo, createCsr, verifyChain } from '../ca/forge-x509.js';
import type { IssuedCertificate } from '../ca/identity-store.js';
import type { CertificateIssued, ScmCertificatesIssued, SecurityProtocol } from '../protocols/security-protocol.js';
import { leaderWait, type ScmTiming } from '../config/scm-config.js';
import { checkPinnedRoot } from '../security/ca-pin.js';
import { commonNameFor } from '../security/peer-identity.js';
import { SecurityError } from '../security/security-error.js';
import { scmServerCheck } from '../security/tls-identities.js';
import type { RpcEndpoint } from '../transport/rpc-endpoint.js';
import { FailoverRpcClient, type FailoverOptions } from '../transport/rpc-failover-client.js';
import type { ToolIo } from './tool-io.js';

export interface JoinClientOptions {
  readonly retryIntervalMs: number;
  readonly maxFailovers: number;
  readonly deadlineMs: number;
  readonly callTimeoutMs: number;
  readonly clock?: Clock;
  readonly signal?: AbortSignal;
  readonly onFailover?: FailoverOptions['onFailover'];
}

/** A joiner's client options: waits for a leader as --bootstrap does, reports each failover on stderr. */
export function joinClientOptions(timing: ScmTiming, io: ToolIo, extra: { clock?: Clock; signal?: AbortSignal } = {}): JoinClientOptions {
  return {
    ...leaderWait(timing),
    callTimeoutMs: Math.min(timing.requestTimeoutMs, 30_000),
    ...(extra.clock ? { clock: extra.clock } : {}),
    ...(extra.signal ? { signal: extra.signal } : {}),
    onFailover: (from, to, reason) => io.err(`Failing over from ${from.nodeId} (${from.host}:${from.port}) to ${to.nodeId}: ${reason.message}`),
  };
}

function failover(o: JoinClientOptions): FailoverOptions {
  return {
    retryIntervalMs: o.retryIntervalMs,
    maxFailovers: o.maxFailovers,
    deadlineMs: o.deadlineMs,
    callTimeoutMs: o.callTimeoutMs,
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.onFailover ? { onFailover: o.onFailover } : {}),
  };
}

/** The cluster's root CA, from any of `endpoints` (security ports), checked against the pin. */
export async function fetchPinnedRoot(endpoints: readonly RpcEndpoint[], pin: string, o: JoinClientOptions): Promise<string> {
  const client = new FailoverRpcClient<SecurityProtocol>(endpoints, { ...failover(o), tls: { insecure: true } });
  let root: string;
  try {
    root = await client.call('getCaCertificate', {}, o.signal ? { signal: o.signal } : {});
  } finally {
    await client.close();
  }
  checkPinnedRoot(root, pin);
  return root;
}

function checkIssued(issued: IssuedCertificate, rootPem: string, expect: { CN?: string; OU?: string; O?: string }): void {
  const info = certificateInfo(issued.certPem);
  if (issued.root.pem.trim() !== rootPem.trim() || !verifyChain([issued.certPem, ...issued.chain.map((c) => c.pem)], [rootPem])) {
    throw new SecurityError('CA_PIN_MISMATCH', 'the certificate returned by the SCM does not verify up to the pinned root CA');
  }
  for (const [k, v] of Object.entries(expect)) {
    if (v !== undefined && info.subject[k as 'CN' | 'OU' | 'O'] !== v) throw new SecurityError('CSR_SUBJECT_MISMATCH', `the SCM issued ${k}=${String(info.subject[k as 'CN'])}, not the requested ${v}`);
  }
}

/** A joining SCM: key pairs and requests for its sub-CA (OU = its new scmUuid) and its host's admin identity. */
export async function requestScmIdentity(
  endpoints: readonly RpcEndpoint[],
  rootPem: string,
  p: { token: string; host: string; scmUuid: string },
  o: JoinClientOptions,
): Promise<{ issued: ScmCertificatesIssued; scmKeys: KeyPairPem; adminKeys: KeyPairPem }> {
  const scmKeys = generateRsaKeyPair();
  const adminKeys = generateRsaKeyPair();
  const csr = createCsr({ CN: commonNameFor('scm', p.host), OU: p.scmUuid }, scmKeys.publicKeyPem, scmKeys.privateKeyPem, { isCa: true, sans: sansOf(p.host) });
  const adminCsr = createCsr({ CN: commonNameFor('admin', p.host), OU: p.scmUuid }, adminKeys.publicKeyPem, adminKeys.privateKeyPem, { isCa: false, sans: sansOf(p.host) });
  const client = new FailoverRpcClient<SecurityProtocol>(endpoints, { ...failover(o), tls: { ca: rootPem, verifyServer: scmServerCheck({ clusterId: undefined, sameHost: true }) } });
  let issued: ScmCertificatesIssued;
  try {
    issued = await client.call('getSCMCertChain', { token: p.token, csr, adminCsr }, o.signal ? { signal: o.signal } : {});
  } finally {
    await client.close();
  }
  checkIssued(issued.scm, rootPem, { CN: commonNameFor('scm', p.host), OU: p.scmUuid, O: issued.clusterId });
  checkIssued(issued.admin, rootPem, { CN: commonNameFor('admin', p.host), OU: p.scmUuid, O: issued.clusterId });
  return { issued, scmKeys, adminKeys };
}

/**
 * A datanode, OM or admin identity: the request carries no subject (the token's scope decides it; the SCM
 * refuses a subject that is not the token's). Returns the issued certificate and the key pair.
 */
export async function requestIdentity(endpoints: readonly RpcEndpoint[], rootPem: string, token: string, o: JoinClientOptions): Promise<{ issued: CertificateIssued; keys: KeyPairPem }> {
  const keys = generateRsaKeyPair();
  const csr = createCsr({ CN: '' }, keys.publicKeyPem, keys.privateKeyPem, { isCa: false });
  const client = new FailoverRpcClient<SecurityProtocol>(endpoints, { ...failover(o), tls: { ca: rootPem, verifyServer: scmServerCheck({ clusterId: undefined, sameHost: true }) } });
  let issued: CertificateIssued;
  try {
    issued = await client.call('issueCertificate', { token, csr }, o.signal ? { signal: o.signal } : {});
  } finally {
    await client.close();
  }
  checkIssued(issued, rootPem, { O: issued.clusterId });
  return { issued, keys };
}
