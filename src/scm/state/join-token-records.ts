/**
 * Join tokens as the ring stores them (security/join-token.ts mints and checks them): hashed secret, what
 * the token allows (its scope), expiry and uses left. Kept replicated in `statefulServiceConfig` under
 * `JoinTokens` (one record per token id), so every SCM that becomes leader honours the same tokens and a
 * token used on one leader cannot be used again on the next. Pure data and pure transitions: the time of
 * every transition (`at`) comes with the replicated command, chosen by the leader that proposed it.
 */

/** What a token lets its holder obtain: one kind of certificate for one host (an SCM: for one node id). */
export type TokenScope =
  | { readonly kind: 'scm'; readonly nodeId: string; readonly host: string }
  | { readonly kind: 'datanode' | 'om' | 'admin'; readonly host: string };

export interface JoinTokenRecord {
  /** public part of the token (`<id>.<secret>`) */
  readonly id: string;
  /** sha256 (hex) of the secret part; the secret itself is stored nowhere */
  readonly secretSha256: string;
  readonly scope: TokenScope;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly usesLeft: number;
  readonly used: number;
  readonly lastUsedAt: number | null;
  readonly revokedAt: number | null;
  /** who minted it (the admin identity or SCM that asked), for `token list` */
  readonly createdBy: string;
  readonly description: string;
}

export interface JoinTokens {
  readonly tokens: Readonly<Record<string, JoinTokenRecord>>;
}

export const JOIN_TOKENS_SERVICE = 'JoinTokens';
/** records of expired, used-up or revoked tokens are kept this long for `token list`, then dropped */
export const TOKEN_RECORD_RETENTION_MS = 24 * 3600 * 1000;

export type TokenRejection = 'TOKEN_INVALID' | 'TOKEN_EXPIRED' | 'TOKEN_EXHAUSTED' | 'TOKEN_REVOKED';

export function emptyJoinTokens(): JoinTokens {
  return { tokens: {} };
}

/** Why a token cannot be used at `at`, or undefined when it can. */
export function tokenUnusable(t: JoinTokenRecord | undefined, at: number): TokenRejection | undefined {
  if (!t) return 'TOKEN_INVALID';
  if (t.revokedAt !== null) return 'TOKEN_REVOKED';
  if (at >= t.expiresAt) return 'TOKEN_EXPIRED';
  if (t.usesLeft <= 0) return 'TOKEN_EXHAUSTED';
  return undefined;
}

function finishedAt(t: JoinTokenRecord): number | undefined {
  if (t.revokedAt !== null) return t.revokedAt;
  return t.usesLeft <= 0 ? (t.lastUsedAt ?? t.createdAt) : undefined;
}

/** Drops records that ended (expired, used up or revoked) more than the retention ago. */
export function pruneTokens(tokens: JoinTokens, at: number): JoinTokens {
  const kept: Record<string, JoinTokenRecord> = {};
  for (const [id, t] of Object.entries(tokens.tokens)) {
    const ended = Math.min(t.expiresAt, finishedAt(t) ?? Infinity);
    if (at - ended < TOKEN_RECORD_RETENTION_MS) kept[id] = t;
  }
  return { tokens: kept };
}
