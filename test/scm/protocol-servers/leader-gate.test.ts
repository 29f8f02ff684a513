/** The wire form of NotLeader: a follower names the leader's port of the same protocol; a leader that is not ready names itself. */
import { describe, expect, it } from 'vitest';
import { NotLeaderError } from '../../../src/scm/replication/replication-error.js';
import { notLeaderMapper } from '../../../src/scm/protocol-servers/leader-gate.js';
import type { ScmContext } from '../../../src/scm/protocol-servers/scm-context.js';

const ports = (block: number) => ({ client: 9860, block, datanode: 9861, security: 9961, ratis: 9894, grpc: 9895, http: 9876 });
const self = { nodeId: 'scm2', host: '127.0.4.2', ports: ports(9863) };
const other = { nodeId: 'scm1', host: '127.0.4.1', ports: ports(19863) };
const ctx = { config: { local: { self, nodes: [other, self] } }, version: { scmUuid: 'u2' } } as unknown as ScmContext;
const map = notLeaderMapper(ctx, 'block');

describe('notLeaderMapper', () => {
  it('a follower suggests the leader with the leader\'s configured port of this protocol', () => {
    expect(map(new NotLeaderError('FOLLOWER', { scmUuid: 'u1', host: '127.0.4.1', nodeId: 'scm1' }))).toEqual({
      code: 'NOT_LEADER',
      message: 'FOLLOWER Server:u2(127.0.4.2) is not the leader. Suggested leader is Server:127.0.4.1:19863.',
      leader: '127.0.4.1:19863',
    });
  });
  it('without a known leader there is no hint', () => {
    expect(map(new NotLeaderError('CANDIDATE', undefined))).toEqual({ code: 'NOT_LEADER', message: 'CANDIDATE Server:u2(127.0.4.2) is not the leader. Could not determine the leader node.' });
  });
  it('an elected leader that is not ready yet answers LeaderNotReady and names itself, so clients retry it', () => {
    expect(map(new NotLeaderError('LEADER', { scmUuid: 'u2', host: '127.0.4.2', nodeId: 'scm2' }))).toEqual({
      code: 'NOT_LEADER',
      message: 'Server:u2(127.0.4.2) is in LEADER state but not ready yet.',
      leader: '127.0.4.2:9863',
    });
  });
});
