/**
 * Bastion chains (ProxyJump through 127.0.1.1 → 127.0.1.2 → 127.0.1.3, each hop verified and authenticated
 * on its own) and the host pool across several real hosts: one connection per host per run, bounded
 * concurrency, per-host outcomes, retries that report each attempt.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostConnectionSpec } from '../../src/provisioner/hosts/connect-host.js';
import { HostError } from '../../src/provisioner/hosts/host-error.js';
import { HostPool, type PoolEvent } from '../../src/provisioner/hosts/host-pool.js';
import { sh } from '../../src/provisioner/hosts/shell-quote.js';
import { connectSsh } from '../../src/provisioner/hosts/ssh-host.js';
import type { SshEndpoint } from '../../src/provisioner/hosts/ssh-options.js';
import { startSshdHosts, type SshdHosts } from '../support/sshd-hosts.js';

let hosts: SshdHosts;
let work: string;

beforeAll(async () => {
  // DEBUG1 makes sshd log each direct-tcpip target: the proof that traffic went through the bastions
  hosts = await startSshdHosts({ count: 3, logLevel: 'DEBUG1' });
  work = mkdtempSync(join(tmpdir(), 'scmctl-bastion-'));
});

afterAll(async () => {
  await hosts?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function bastion(i: number, overrides: Partial<SshEndpoint> = {}): SshEndpoint {
  const o = hosts.sshOptions(i);
  return { name: `bastion${i + 1}`, address: o.address, port: 22, user: 'root', auth: o.auth, hostKey: o.hostKey!, ...overrides };
}

/** sshd (DEBUG1): `server_request_direct_tcpip: originator 127.0.0.1 port 0, target 127.0.1.2 port 22` */
const forwarded = (i: number, target: string): boolean =>
  hosts.hosts[i]!.log().split('\n').some((l) => l.includes('server_request_direct_tcpip') && l.includes(`, target ${target} port 22`));

describe('bastion chain', () => {
  it('reaches 127.0.1.3 through 127.0.1.1 then 127.0.1.2', async () => {
    const h = await connectSsh(hosts.sshOptions(2, { name: 'scm3', bastions: [bastion(0), bastion(1)] }));
    try {
      expect((await h.exec(sh`echo through`)).stdout).toBe('through\n');
      expect(h.info.hostKeyFingerprint).toBe(hosts.hosts[2]!.fingerprint);
    } finally {
      await h.close();
    }
    expect(forwarded(0, '127.0.1.2')).toBe(true);
    expect(forwarded(1, '127.0.1.3')).toBe(true);
    expect(forwarded(0, '127.0.1.3')).toBe(false);
  });

  it('verifies every hop: an unknown bastion key is refused, naming the bastion', async () => {
    const empty = join(work, 'kh-empty');
    writeFileSync(empty, '');
    const e = await connectSsh(
      hosts.sshOptions(2, { name: 'scm3', bastions: [bastion(0), bastion(1, { hostKey: { knownHostsFiles: [empty] } })] }),
    ).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(HostError);
    expect(e).toMatchObject({ code: 'SSH_HOST_KEY_UNKNOWN', host: 'scm3' });
    expect((e as HostError).message).toContain('bastion2');
  });

  it('reports a next hop the bastion cannot reach as SSH_UNREACHABLE naming both', async () => {
    const e = await connectSsh({ ...hosts.sshOptions(2), name: 'scm9', address: '127.0.1.9', bastions: [bastion(0)] }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'SSH_UNREACHABLE', host: 'scm9' });
    expect((e as HostError).message).toMatch(/bastion1 cannot open a connection to 127\.0\.1\.9:22/);
  });
});

describe('host pool over real hosts', () => {
  const spec = (i: number): HostConnectionSpec => ({ transport: 'ssh', ...hosts.sshOptions(i, { name: `scm${i + 1}` }) });

  it('keeps one connection per host across phases, bounded concurrency, per-host outcomes', async () => {
    const accepted = (): number[] => hosts.hosts.map((h) => (h.log().match(/Accepted publickey/g) ?? []).length);
    const before = accepted();
    const pool = new HostPool([spec(0), spec(1), spec(2)], { concurrency: 2 });
    try {
      let active = 0;
      let peak = 0;
      const phase = (): Promise<unknown> =>
        pool.forEach(async (h) => {
          active++;
          peak = Math.max(peak, active);
          const r = await h.exec(sh`hostname -I 2>/dev/null; echo ${h.info.address}`);
          active--;
          return r.stdout.trim().split('\n').at(-1);
        });
      const first = await phase();
      const second = await phase();
      expect(first).toEqual([
        { host: 'scm1', ok: true, value: '127.0.1.1' },
        { host: 'scm2', ok: true, value: '127.0.1.2' },
        { host: 'scm3', ok: true, value: '127.0.1.3' },
      ]);
      expect(second).toEqual(first);
      expect(peak).toBeLessThanOrEqual(2);
    } finally {
      await pool.close();
    }
    expect(accepted().map((n, i) => n - before[i]!)).toEqual([1, 1, 1]);
  });

  it('retries an unreachable host with backoff, says which attempt failed, and leaves the others done', async () => {
    const events: PoolEvent[] = [];
    const pool = new HostPool([spec(0), { transport: 'ssh', ...hosts.sshOptions(0, { name: 'scm9', address: '127.0.1.9' }) }], {
      retry: { attempts: 3, baseDelayMs: 20 },
      onEvent: (e) => events.push(e),
    });
    try {
      const out = await pool.forEach(async (h) => (await h.exec(sh`echo ok`)).stdout.trim());
      expect(out[0]).toEqual({ host: 'scm1', ok: true, value: 'ok' });
      expect(out[1]).toMatchObject({ host: 'scm9', ok: false, error: { code: 'SSH_UNREACHABLE', host: 'scm9' } });
      const err = (out[1] as { error: HostError }).error;
      expect(err.attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
      expect(err.message).toContain('attempt 3 of 3 failed');
      expect(events.filter((e) => e.type === 'connect-attempt-failed' && e.host === 'scm9')).toHaveLength(3);
    } finally {
      await pool.close();
    }
  });
});
