import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initPrimordialCa } from '../../../src/scm/ca/certificate-authority.js';
import { caCertHash, checkPinnedRoot, parseCaCertHash } from '../../../src/scm/security/ca-pin.js';
import { generateToken, parseToken, redactTokens, secretMatches, TOKEN_FORMAT } from '../../../src/scm/security/join-token.js';

describe('join tokens', () => {
  it('are <6>.<32> of [a-z0-9], different every time; only the hash of the secret is kept', () => {
    const a = generateToken();
    const b = generateToken();
    expect(a.token).toMatch(TOKEN_FORMAT);
    expect(a.token).not.toBe(b.token);
    const p = parseToken(a.token)!;
    expect(p.id).toBe(a.id);
    expect(a.secretSha256).not.toContain(p.secret);
    expect(secretMatches(p.secret, a.secretSha256)).toBe(true);
    expect(secretMatches(parseToken(b.token)!.secret, a.secretSha256)).toBe(false);
    expect(parseToken('abc.def')).toBeUndefined();
    expect(parseToken(`${a.id}.${p.secret.toUpperCase()}`)).toBeUndefined();
  });

  it('redacts token-shaped strings from text', () => {
    const t = generateToken();
    expect(redactTokens(`failed with ${t.token} here`)).toBe(`failed with ${t.id}.<redacted> here`);
  });
});

describe('root CA pinning', () => {
  const dirs = [mkdtempSync(join(tmpdir(), 'pin-a-')), mkdtempSync(join(tmpdir(), 'pin-b-'))];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const a = initPrimordialCa({ metadataDir: dirs[0]!, host: 'scm1', clusterId: 'CID-1', scmUuid: 'u' });
  const b = initPrimordialCa({ metadataDir: dirs[1]!, host: 'scm1', clusterId: 'CID-1', scmUuid: 'u' });

  it('accepts the pinned root and refuses another root, a non-root and a malformed hash', () => {
    const pin = caCertHash(a.root.certPem);
    expect(pin).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(() => checkPinnedRoot(a.root.certPem, pin)).not.toThrow();
    expect(() => checkPinnedRoot(b.root.certPem, pin)).toThrow(expect.objectContaining({ code: 'CA_PIN_MISMATCH' }));
    expect(() => checkPinnedRoot(a.sub.certPem, caCertHash(a.sub.certPem))).toThrow(expect.objectContaining({ code: 'CA_PIN_MISMATCH' }));
    expect(() => checkPinnedRoot('junk', pin)).toThrow(expect.objectContaining({ code: 'CA_PIN_MISMATCH' }));
    expect(() => parseCaCertHash('md5:abc')).toThrow(expect.objectContaining({ code: 'CA_PIN_INVALID' }));
    expect(parseCaCertHash(pin.toUpperCase().replace('SHA256', 'sha256'))).toBe(pin);
  });
});
