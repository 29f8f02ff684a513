/**
 * `ozone admin scm token create|list|revoke` (secure mode; admin identity): join tokens for SCMs,
 * datanodes, OMs and admin identities (managers/join-token-manager.ts). `create` prints the token once —
 * on stdout, or with `--out FILE` only into a new 0600 file — together with the root CA hash the joiner
 * pins, and the command to run on the joining host; `--json` prints one JSON object (for scmctl, over SSH).
 * Nothing here logs the token.
 */
import { writeFileSync } from 'node:fs';
import { formatColumns } from '../../common/text-columns.js';
import type { ClientProtocol, CreatedJoinToken, JoinTokenInfo } from '../protocols/client-protocol.js';
import type { TokenScope } from '../state/join-token-records.js';
import type { FailoverRpcClient } from '../transport/rpc-failover-client.js';
import type { ToolIo } from './tool-io.js';

export interface TokenCreateOptions {
  readonly kind: TokenScope['kind'];
  readonly nodeId?: string;
  readonly host?: string;
  readonly ttlSeconds?: number;
  readonly uses?: number;
  readonly description?: string;
  readonly json: boolean;
  /** write the token to this new file (mode 0600) instead of stdout */
  readonly out?: string;
}

function scopeText(s: TokenScope): string {
  return s.kind === 'scm' ? `SCM ${s.nodeId} on ${s.host}` : `${s.kind} identity for ${s.host}`;
}

function joinCommand(s: TokenScope, tokenFile: string, hash: string): string {
  switch (s.kind) {
    case 'scm':
      return `ozone scm --bootstrap --token-file ${tokenFile} --ca-cert-hash ${hash}`;
    case 'datanode':
      return `ozone datanode --prefix ${s.host} --token-file ${tokenFile} --ca-cert-hash ${hash}`;
    default:
      return `ozone admin cert request --type ${s.kind} --token-file ${tokenFile} --ca-cert-hash ${hash} --out <dir>`;
  }
}

export async function runTokenCreate(client: FailoverRpcClient<ClientProtocol>, o: TokenCreateOptions, io: ToolIo): Promise<CreatedJoinToken> {
  const created = await client.call('createJoinToken', {
    kind: o.kind,
    ...(o.nodeId ? { nodeId: o.nodeId } : {}),
    ...(o.host ? { host: o.host } : {}),
    ...(o.ttlSeconds ? { ttlSeconds: o.ttlSeconds } : {}),
    ...(o.uses ? { uses: o.uses } : {}),
    ...(o.description ? { description: o.description } : {}),
  });
  if (o.out) writeFileSync(o.out, `${created.token}\n`, { mode: 0o600, flag: 'wx' });
  if (o.json) {
    io.out(JSON.stringify({ ...(o.out ? { tokenFile: o.out } : { token: created.token }), caCertHash: created.caCertHash, ...created.info }, null, 2));
    return created;
  }
  const i = created.info;
  io.out(`Join token ${i.id} for ${scopeText(i.scope)}: ${i.usesLeft} use${i.usesLeft === 1 ? '' : 's'}, valid until ${new Date(i.expiresAt).toISOString()}.`);
  io.out(o.out ? `The token is in ${o.out} (mode 0600).` : `Token: ${created.token}`);
  io.out(`Root CA hash: ${created.caCertHash}`);
  io.out(`On the joining host, with the token in a file only you can read (mode 0600), or on stdin (-):`);
  io.out(`  ${joinCommand(i.scope, o.out ?? '<token file>', created.caCertHash)}`);
  return created;
}

function when(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

export function formatTokenList(tokens: readonly JoinTokenInfo[]): string {
  const head = ['ID', 'SCOPE', 'STATE', 'USES LEFT', 'EXPIRES', 'CREATED BY'];
  const rows = tokens.map((t) => [t.id, scopeText(t.scope), t.state, String(t.usesLeft), when(t.expiresAt), t.createdBy]);
  return formatColumns([head, ...rows]);
}

export async function runTokenList(client: FailoverRpcClient<ClientProtocol>, json: boolean, io: ToolIo): Promise<void> {
  const tokens = await client.call('listJoinTokens', {});
  io.out(json ? JSON.stringify(tokens, null, 2) : tokens.length === 0 ? 'No join tokens.' : formatTokenList(tokens));
}

export async function runTokenRevoke(client: FailoverRpcClient<ClientProtocol>, id: string, io: ToolIo): Promise<void> {
  await client.call('revokeJoinToken', { id });
  io.out(`Join token ${id} is revoked.`);
}
