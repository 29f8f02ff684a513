/**
 * OpenSSH known_hosts format, pure (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"):
 *   [@revoked|@cert-authority] patterns keytype base64-key [comment]
 * patterns: comma-separated names with `*`/`?` wildcards and `!` negation, `[host]:port` for a port other
 * than 22, or one hashed name `|1|base64(salt)|base64(HMAC-SHA1(salt, name))` (HashKnownHosts).
 * Lines that do not parse are skipped (as OpenSSH does) and reported in `skipped`.
 * `@cert-authority` lines are kept but never match a plain host key (host certificates are not supported).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type KnownHostsMarker = 'none' | 'revoked' | 'cert-authority';

export interface KnownHostsEntry {
  readonly marker: KnownHostsMarker;
  /** the raw host field (patterns or a hashed name) */
  readonly hosts: string;
  readonly keyType: string;
  readonly key: Buffer;
  readonly source: string;
  readonly line: number;
}

export interface ParsedKnownHosts {
  readonly entries: readonly KnownHostsEntry[];
  readonly skipped: readonly { readonly source: string; readonly line: number; readonly reason: string }[];
}

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise; lower case. */
export function knownHostsName(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

/** The algorithm name at the start of an SSH public key blob (`ssh-ed25519`, `ssh-rsa`, …). */
export function keyTypeOf(blob: Buffer): string | null {
  if (blob.length < 4) return null;
  const len = blob.readUInt32BE(0);
  if (len === 0 || len > 64 || 4 + len > blob.length) return null;
  return blob.subarray(4, 4 + len).toString('latin1');
}

/** `SHA256:<base64 without padding>`, as `ssh-keygen -l` prints. */
export function fingerprintSha256(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Compares fingerprints, tolerating a missing `SHA256:` prefix and `=` padding. */
export function sameFingerprint(a: string, b: string): boolean {
  const norm = (s: string): string => s.trim().replace(/^SHA256:/i, '').replace(/=+$/, '');
  return norm(a) === norm(b);
}

export function parseKnownHosts(text: string, source: string): ParsedKnownHosts {
  const entries: KnownHostsEntry[] = [];
  const skipped: { source: string; line: number; reason: string }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const lineNo = i + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostsMarker = 'none';
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift();
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else {
        skipped.push({ source, line: lineNo, reason: `unknown marker ${m}` });
        return;
      }
    }
    const [hosts, keyType, b64] = fields;
    if (!hosts || !keyType || !b64) {
      skipped.push({ source, line: lineNo, reason: 'expected: hosts keytype key' });
      return;
    }
    const key = Buffer.from(b64, 'base64');
    if (key.length === 0 || keyTypeOf(key) !== keyType) {
      skipped.push({ source, line: lineNo, reason: 'key does not decode to its declared type' });
      return;
    }
    entries.push({ marker, hosts, keyType, key, source, line: lineNo });
  });
  return { entries, skipped };
}

/** OpenSSH wildcard match: `*` any run, `?` one character; whole string, case-insensitive. */
export function wildcardMatch(pattern: string, name: string): boolean {
  const p = pattern.toLowerCase();
  const s = name.toLowerCase();
  let pi = 0;
  let si = 0;
  let star = -1;
  let mark = 0;
  while (si < s.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === s[si])) {
      pi++;
      si++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = si;
    } else if (star >= 0) {
      pi = star + 1;
      si = ++mark;
    } else return false;
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

function hashedMatch(field: string, name: string): boolean {
  const parts = field.split('|');
  // ['', '1', salt, hash]
  if (parts.length !== 4 || parts[1] !== '1') return false;
  const salt = Buffer.from(parts[2]!, 'base64');
  const expected = Buffer.from(parts[3]!, 'base64');
  const actual = createHmac('sha1', salt).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Whether an entry's host field names `host` on `port`. */
export function entryMatches(entry: Pick<KnownHostsEntry, 'hosts'>, host: string, port: number): boolean {
  const name = knownHostsName(host, port);
  if (entry.hosts.startsWith('|')) return hashedMatch(entry.hosts, name);
  let positive = false;
  for (const raw of entry.hosts.split(',')) {
    if (raw === '') continue;
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    if (wildcardMatch(pattern, name)) {
      if (negated) return false;
      positive = true;
    }
  }
  return positive;
}

export interface HostKeyLookup {
  /** plain entries (no marker) naming the host */
  readonly known: readonly KnownHostsEntry[];
  /** @revoked entries naming the host */
  readonly revoked: readonly KnownHostsEntry[];
}

export function lookupHost(entries: readonly KnownHostsEntry[], host: string, port: number): HostKeyLookup {
  const known: KnownHostsEntry[] = [];
  const revoked: KnownHostsEntry[] = [];
  for (const e of entries) {
    if (e.marker === 'cert-authority' || !entryMatches(e, host, port)) continue;
    (e.marker === 'revoked' ? revoked : known).push(e);
  }
  return { known, revoked };
}

/** One known_hosts line for a host key; hashed like `HashKnownHosts yes` when asked. */
export function formatKnownHostsLine(host: string, port: number, key: Buffer, options: { hashed?: boolean; salt?: Buffer } = {}): string {
  const type = keyTypeOf(key);
  if (!type) throw new TypeError('formatKnownHostsLine: not an SSH public key blob');
  const name = knownHostsName(host, port);
  let field = name;
  if (options.hashed) {
    const salt = options.salt ?? randomBytes(20);
    field = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
  }
  return `${field} ${type} ${key.toString('base64')}`;
}
