/** Join tokens and certificate revocations in the replicated state: every transition decided by the command alone. */
import { describe, expect, it } from 'vitest';
import type { ScmCommand } from '../../../src/scm/state/commands.js';
import { JOIN_TOKENS_SERVICE, TOKEN_RECORD_RETENTION_MS, type JoinTokenRecord, type JoinTokens } from '../../../src/scm/state/join-token-records.js';
import { CERT_REVOCATIONS_SERVICE } from '../../../src/scm/state/records.js';
import { reduce } from '../../../src/scm/state/reducer.js';
import { ScmState } from '../../../src/scm/state/scm-state.js';

const token = (id: string, o: Partial<JoinTokenRecord> = {}): JoinTokenRecord => ({
  id, secretSha256: 'ab'.repeat(32), scope: { kind: 'scm', nodeId: 'scm2', host: 'h2' }, createdAt: 1000, expiresAt: 1000 + 3600_000, usesLeft: 1, used: 0, lastUsedAt: null, revokedAt: null, createdBy: 'admin', description: '', ...o,
});

function apply(state: ScmState, c: ScmCommand): ReturnType<typeof reduce>['result'] {
  const e = reduce(state, c, { term: 1, index: 1 });
  state.apply(e.changes);
  return e.result;
}
const tokens = (s: ScmState): JoinTokens['tokens'] => (s.serviceConfig(JOIN_TOKENS_SERVICE) as JoinTokens).tokens;

describe('join tokens in the reducer', () => {
  it('a single-use token is used once; the second use, an expired, a revoked or an unknown token is rejected', () => {
    const s = new ScmState();
    expect(apply(s, { type: 'addJoinToken', token: token('aaaaaa') })).toEqual({ ok: true });
    expect(apply(s, { type: 'addJoinToken', token: token('aaaaaa') })).toMatchObject({ ok: false, code: 'TOKEN_EXISTS' });
    expect(apply(s, { type: 'useJoinToken', id: 'aaaaaa', at: 2000 })).toEqual({ ok: true, value: { usesLeft: 0 } });
    expect(tokens(s)['aaaaaa']).toMatchObject({ usesLeft: 0, used: 1, lastUsedAt: 2000 });
    expect(apply(s, { type: 'useJoinToken', id: 'aaaaaa', at: 2001 })).toMatchObject({ ok: false, code: 'TOKEN_EXHAUSTED' });
    apply(s, { type: 'addJoinToken', token: token('bbbbbb', { usesLeft: 3 }) });
    expect(apply(s, { type: 'useJoinToken', id: 'bbbbbb', at: 1000 + 3600_000 })).toMatchObject({ ok: false, code: 'TOKEN_EXPIRED' });
    apply(s, { type: 'addJoinToken', token: token('cccccc') });
    expect(apply(s, { type: 'revokeJoinToken', id: 'cccccc', at: 1500 })).toEqual({ ok: true });
    expect(apply(s, { type: 'useJoinToken', id: 'cccccc', at: 1600 })).toMatchObject({ ok: false, code: 'TOKEN_REVOKED' });
    expect(apply(s, { type: 'useJoinToken', id: 'zzzzzz', at: 1600 })).toMatchObject({ ok: false, code: 'TOKEN_INVALID' });
    expect(apply(s, { type: 'revokeJoinToken', id: 'zzzzzz', at: 1600 })).toMatchObject({ ok: false, code: 'TOKEN_INVALID' });
  });

  it('drops records that ended more than a day before a new token; keeps valid ones', () => {
    const s = new ScmState();
    apply(s, { type: 'addJoinToken', token: token('old111', { expiresAt: 5000 }) });
    apply(s, { type: 'addJoinToken', token: token('live11', { expiresAt: 10 ** 12 }) });
    apply(s, { type: 'addJoinToken', token: token('new111', { createdAt: 5000 + TOKEN_RECORD_RETENTION_MS, expiresAt: 10 ** 12 }) });
    expect(Object.keys(tokens(s)).sort()).toEqual(['live11', 'new111']);
  });

  it('token and revocation records cannot be overwritten through saveConfiguration/deleteConfiguration', () => {
    const s = new ScmState();
    apply(s, { type: 'addJoinToken', token: token('aaaaaa') });
    expect(apply(s, { type: 'saveConfiguration', serviceName: JOIN_TOKENS_SERVICE, config: { tokens: {} } })).toMatchObject({ ok: false, code: 'INVALID_COMMAND' });
    expect(apply(s, { type: 'deleteConfiguration', serviceName: CERT_REVOCATIONS_SERVICE })).toMatchObject({ ok: false, code: 'INVALID_COMMAND' });
    expect(tokens(s)['aaaaaa']).toBeDefined();
  });

  it('revokes only issued certificates, idempotently', () => {
    const s = new ScmState();
    expect(apply(s, { type: 'revokeCertificate', serial: '9', reason: 'x', at: 1 })).toMatchObject({ ok: false, code: 'CERT_NOT_FOUND' });
    apply(s, { type: 'storeValidCertificate', serial: '9', pem: 'PEM', role: 'DATANODE' });
    expect(apply(s, { type: 'revokeCertificate', serial: '9', reason: 'lost', at: 7 })).toEqual({ ok: true });
    expect(apply(s, { type: 'revokeCertificate', serial: '9', reason: 'again', at: 8 })).toEqual({ ok: true });
    expect(s.serviceConfig(CERT_REVOCATIONS_SERVICE)).toEqual({ serials: { '9': { reason: 'lost', at: 7 } } });
  });
});
