/**
 * A host whose SSH port is closed (127.0.0.1, a port nothing listens on): the run's error says
 * ECONNREFUSED once — not once per retry plus Node's own "connect ECONNREFUSED <addr>" — with its code,
 * the host, the address, and how many attempts were made.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { HostError } from '../../../src/provisioner/hosts/host-error.js';
import { HostPool } from '../../../src/provisioner/hosts/host-pool.js';
import { socketReason } from '../../../src/provisioner/hosts/ssh-host.js';
import { printError } from '../../../src/provisioner/commands/cluster-input.js';
import { connectionSpec } from '../../../src/provisioner/plan/host-connection.js';
import { loadTopologyText } from '../../../src/provisioner/topology/load.js';
import { driveClock, FakeClock } from '../../support/fake-clock.js';

/** A port on 127.0.0.1 that was free a moment ago and that nothing listens on now. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const count = (text: string, word: string): number => text.split(word).length - 1;

describe('a refused SSH connection', () => {
  it('names ECONNREFUSED once in the error after three attempts (SSH_UNREACHABLE)', async () => {
    const port = await closedPort();
    const text = `apiVersion: scmctl.io/v1alpha1
kind: ScmCluster
metadata: { name: closed }
spec:
  transport: ssh
  ssh: { user: ops, port: ${port}, knownHosts: off, agent: false }
  services:
    - serviceId: s
      nodes: [{ nodeId: scm1, host: scm1 }]
  hosts:
    - { name: scm1, address: 127.0.0.1 }
`;
    const t = loadTopologyText(text, 'closed.yaml').topology!;
    const clock = new FakeClock(0);
    const pool = new HostPool([connectionSpec(t.hosts[0]!, t.timeouts, { env: {} })], { retry: { clock, attempts: 3 } });
    const err = await driveClock(clock, pool.get('scm1')).catch((e: unknown) => e);
    await pool.close();
    expect(err).toBeInstanceOf(HostError);
    const he = err as HostError;
    expect(he.code).toBe('SSH_UNREACHABLE');
    expect(he.attempts.map((a) => a.code)).toEqual(['SSH_UNREACHABLE', 'SSH_UNREACHABLE', 'SSH_UNREACHABLE']);
    expect(he.message).toBe(`host scm1: cannot connect to ops@127.0.0.1:${port}: connection refused (ECONNREFUSED) (attempt 3 of 3 failed, as did the 2 before)`);
    let printed = '';
    printError({ write: (s: string) => (printed += s) }, he);
    expect(count(printed, 'ECONNREFUSED')).toBe(1);
    expect(count(printed, `127.0.0.1:${port}`)).toBe(1);
  });

  it('keeps the reason of an error it has no words for', () => {
    expect(socketReason({ code: 'EWHATEVER', message: 'odd failure' })).toBe('odd failure');
    expect(socketReason({ message: 'no code' })).toBe('no code');
  });
});
