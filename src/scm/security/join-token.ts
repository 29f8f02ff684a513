/**
 * Join tokens, in the shape of kubeadm's bootstrap tokens: `<id>.<secret>`, id 6 and secret 32 characters
 * of [a-z0-9] (~165 bits of secret). The id is public (listed, logged, revoked by); the secret is shown
 * once, to whoever minted the token, and travels only out of band (a 0600 file or stdin — never argv,
 * never a log line). The ring stores its sha256 (state/join-token-records.ts) and compares in constant time.
 */
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
export const TOKEN_FORMAT = /^([a-z0-9]{6})\.([a-z0-9]{32})$/;
/** finds token-shaped strings in text that is about to be shown or logged (redaction) */
export const TOKEN_ANYWHERE = /\b[a-z0-9]{6}\.[a-z0-9]{32}\b/g;

function randomString(n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

export interface NewToken {
  readonly id: string;
  readonly token: string;
  readonly secretSha256: string;
}

export function generateToken(): NewToken {
  const id = randomString(6);
  const secret = randomString(32);
  return { id, token: `${id}.${secret}`, secretSha256: secretHash(secret) };
}

export function parseToken(token: string): { id: string; secret: string } | undefined {
  const m = TOKEN_FORMAT.exec(token.trim());
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}

export function secretHash(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function secretMatches(secret: string, expectedSha256: string): boolean {
  const a = Buffer.from(secretHash(secret), 'hex');
  const b = Buffer.from(expectedSha256, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

export function redactTokens(text: string): string {
  return text.replace(TOKEN_ANYWHERE, (t) => `${t.slice(0, 6)}.<redacted>`);
}
