/**
 * Join tokens on the leader: mint (`ozone admin scm token create`), list, revoke, and check-then-use when a
 * joiner presents one. The ring keeps each token's sha256 and its scope, expiry and uses left
 * (state/join-token-records.ts); minting and every use are replicated commands, so a token used on one
 * leader is spent on all of them, and a single-use token can be used once even when two joiners race
 * (the second `useJoinToken` is rejected when applied).
 *
 * Defaults: valid 1 hour, one use (SCM tokens: always one). An SCM token names the node id it is for and
 * that node's host (from the configuration when not given); the certificate it yields is for that host. Errors: SecurityError TOKEN_* (never quoting a secret).
 */
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { ScmConfig } from '../config/scm-config.js';
import type { CreatedJoinToken, JoinTokenInfo } from '../protocols/client-protocol.js';
import type { Replicator } from '../replication/replicator.js';
import { NotLeaderError } from '../replication/replication-error.js';
import { caCertHash } from '../security/ca-pin.js';
import { generateToken, parseToken, secretMatches } from '../security/join-token.js';
import { SecurityError } from '../security/security-error.js';
import { tokenUnusable, type JoinTokenRecord, type JoinTokens, type TokenScope } from '../state/join-token-records.js';
import type { StateView } from '../state/scm-state.js';
import { ScmManagerError } from './manager-error.js';

export const DEFAULT_TOKEN_TTL_SECONDS = 3600;

export interface TokenRequest {
  readonly kind: TokenScope['kind'];
  readonly host?: string;
  readonly nodeId?: string;
  readonly ttlSeconds?: number;
  readonly uses?: number;
  readonly description?: string;
}

const REJECTION_TEXT: Readonly<Record<string, string>> = {
  TOKEN_INVALID: 'is not a valid token of this cluster',
  TOKEN_EXPIRED: 'has expired',
  TOKEN_EXHAUSTED: 'was already used',
  TOKEN_REVOKED: 'was revoked',
};

export class JoinTokenManager {
  constructor(
    private readonly replicator: Replicator,
    private readonly state: () => StateView,
    private readonly config: ScmConfig,
    private readonly rootPem: string,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  private tokens(): JoinTokens {
    return this.state().joinTokens();
  }

  private requireLeader(): void {
    if (!this.replicator.isLeaderReady()) throw new NotLeaderError(this.replicator.role(), this.replicator.leaderHint());
  }

  private scopeOf(req: TokenRequest): TokenScope {
    if (req.kind === 'scm') {
      // an SCM token is a sub-CA certificate: one use, always
      if ((req.uses ?? 1) !== 1) throw new ScmManagerError('SCM_INVALID_ARGUMENT', 'an SCM token is single-use (--uses 1): each one lets one SCM in');
      if (!req.nodeId) throw new ScmManagerError('SCM_INVALID_ARGUMENT', 'an SCM token needs the node id of the SCM that will use it (--node-id)');
      const configured = this.config.topology.services.get(this.config.local.serviceId ?? '')?.find((n) => n.nodeId === req.nodeId);
      const host = req.host ?? configured?.host;
      if (!host) throw new ScmManagerError('SCM_INVALID_ARGUMENT', `node ${req.nodeId} is not in this SCM's configuration; give its host (--host)`);
      return { kind: 'scm', nodeId: req.nodeId, host };
    }
    if (!req.host) throw new ScmManagerError('SCM_INVALID_ARGUMENT', `a ${req.kind} token needs the host it is for (--host)`);
    return { kind: req.kind, host: req.host };
  }

  async create(req: TokenRequest, createdBy: string, options: { signal?: AbortSignal } = {}): Promise<CreatedJoinToken> {
    this.requireLeader();
    const scope = this.scopeOf(req);
    const now = this.clock.wallTime().getTime();
    const fresh = generateToken();
    const record: JoinTokenRecord = {
      id: fresh.id,
      secretSha256: fresh.secretSha256,
      scope,
      createdAt: now,
      expiresAt: now + (req.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS) * 1000,
      usesLeft: req.uses ?? 1,
      used: 0,
      lastUsedAt: null,
      revokedAt: null,
      createdBy,
      description: req.description ?? '',
    };
    const r = await this.replicator.submit({ type: 'addJoinToken', token: record }, options);
    if (!r.ok) throw new ScmManagerError('SCM_ALLOCATION_FAILED', `could not record the new token: ${r.message}`, { hint: 'try again' });
    this.logger.info('join token created', { token: record.id, scope: describeScope(scope), expiresAt: new Date(record.expiresAt).toISOString(), uses: record.usesLeft, by: createdBy });
    return { token: fresh.token, info: info(record, now), caCertHash: caCertHash(this.rootPem) };
  }

  list(): JoinTokenInfo[] {
    const now = this.clock.wallTime().getTime();
    return Object.values(this.tokens().tokens)
      .map((t) => info(t, now))
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  async revoke(id: string, by: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    this.requireLeader();
    const r = await this.replicator.submit({ type: 'revokeJoinToken', id, at: this.clock.wallTime().getTime() }, options);
    if (!r.ok) throw new SecurityError('TOKEN_INVALID', `no token with id ${id}`, { hint: 'ozone admin scm token list shows the tokens' });
    this.logger.info('join token revoked', { token: id, by });
  }

  /**
   * Checks a presented token (format, secret, state, kind) without using it; the caller then checks the
   * request against the scope and calls `use`. Throws SecurityError naming at most the token's id.
   */
  check(token: string, kinds: readonly TokenScope['kind'][]): JoinTokenRecord {
    this.requireLeader();
    const parsed = parseToken(token);
    const record = parsed ? this.tokens().tokens[parsed.id] : undefined;
    if (!parsed || !record || !secretMatches(parsed.secret, record.secretSha256)) {
      throw new SecurityError('TOKEN_INVALID', `the token ${parsed ? `${parsed.id}.…` : '(malformed)'} ${REJECTION_TEXT.TOKEN_INVALID}`, {
        hint: 'mint a token on the cluster: ozone admin scm token create',
      });
    }
    const why = tokenUnusable(record, this.clock.wallTime().getTime());
    if (why) throw new SecurityError(why, `the token ${record.id} ${REJECTION_TEXT[why]}`, { hint: 'mint a new token: ozone admin scm token create' });
    if (!kinds.includes(record.scope.kind)) {
      throw new SecurityError('TOKEN_SCOPE', `the token ${record.id} is for ${describeScope(record.scope)}, not for ${kinds.join('/')} certificates`, {
        hint: 'mint a token of the right kind (--type)',
      });
    }
    return record;
  }

  /** Spends one use (replicated); a concurrent use that won the race makes this one fail. */
  async use(record: JoinTokenRecord, options: { signal?: AbortSignal } = {}): Promise<void> {
    const r = await this.replicator.submit({ type: 'useJoinToken', id: record.id, at: this.clock.wallTime().getTime() }, options);
    if (!r.ok) {
      const code = (['TOKEN_INVALID', 'TOKEN_EXPIRED', 'TOKEN_EXHAUSTED', 'TOKEN_REVOKED'] as const).find((c) => c === r.code) ?? 'TOKEN_INVALID';
      throw new SecurityError(code, `the token ${record.id} ${REJECTION_TEXT[code]}`, { hint: 'mint a new token: ozone admin scm token create' });
    }
  }
}

export function describeScope(s: TokenScope): string {
  return s.kind === 'scm' ? `SCM ${s.nodeId} on ${s.host}` : `${s.kind} on ${s.host}`;
}

function info(t: JoinTokenRecord, now: number): JoinTokenInfo {
  const state = t.revokedAt !== null ? 'revoked' : now >= t.expiresAt ? 'expired' : t.usesLeft <= 0 ? 'used' : 'valid';
  return {
    id: t.id,
    scope: t.scope,
    createdAt: t.createdAt,
    expiresAt: t.expiresAt,
    usesLeft: t.usesLeft,
    used: t.used,
    revokedAt: t.revokedAt,
    createdBy: t.createdBy,
    description: t.description,
    state,
  };
}
