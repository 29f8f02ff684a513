/** Matching roles output to nodes: by host:ratisPort, voters only as members. */
import { describe, expect, it } from 'vitest';
import { peerOf, ratisAddress, ringHealth, strangers } from '../../../src/provisioner/plan/ring-view.js';

const nodes = [1, 2, 3].map((i) => ({ key: `s/scm${i}`, address: `10.0.0.${i}`, ratisPort: 9894 }));
const peer = (i: number, role: string) => ({ host: `10.0.0.${i}`, address: `10.0.0.${i}:9894`, role, id: `u${i}`, inetAddress: `10.0.0.${i}` });

describe('ring view', () => {
  it('one leader, two followers: everyone is a member', () => {
    expect(ringHealth(nodes, [peer(1, 'FOLLOWER'), peer(2, 'LEADER'), peer(3, 'FOLLOWER')])).toEqual({ leader: 's/scm2', leaderCount: 1, members: ['s/scm1', 's/scm2', 's/scm3'], joining: [], missing: [] });
  });
  it('a learner still catching up is not a member yet; an absent node is missing', () => {
    expect(ringHealth(nodes, [peer(1, 'LEADER'), peer(2, 'LEARNER')])).toEqual({ leader: 's/scm1', leaderCount: 1, members: ['s/scm1'], joining: [{ key: 's/scm2', role: 'LEARNER' }], missing: ['s/scm3'] });
  });
  it('matches by host:port, not by host alone when a port is printed; brackets IPv6', () => {
    expect(peerOf(nodes[0]!, [{ ...peer(1, 'LEADER'), address: '10.0.0.1:9999' }])).toBeUndefined();
    expect(ratisAddress('fd00::1', 9894)).toBe('[fd00::1]:9894');
  });
  it('strangers: members that are no declared node — never one whose id is a declared node\'s scmUuid', () => {
    const other = { host: '10.0.0.9', address: '10.0.0.9:9894', role: 'FOLLOWER', id: 'u9', inetAddress: '10.0.0.9' };
    const renamed = { ...peer(3, 'FOLLOWER'), host: 'scm3.example', address: 'scm3.example:9894' };
    expect(strangers(nodes, [peer(1, 'LEADER'), peer(2, 'FOLLOWER'), renamed, other]).map((p) => p.id)).toEqual(['u3', 'u9']);
    expect(strangers(nodes, [peer(1, 'LEADER'), peer(2, 'FOLLOWER'), renamed, other], new Set(['u3'])).map((p) => p.id)).toEqual(['u9']);
  });
});
