import { describe, expect, it } from 'vitest';
import type { HostConnectionSpec } from '../../../src/provisioner/hosts/connect-host.js';
import { HostError } from '../../../src/provisioner/hosts/host-error.js';
import { HostPool, type PoolEvent } from '../../../src/provisioner/hosts/host-pool.js';
import type { RemoteHost } from '../../../src/provisioner/hosts/remote-host.js';
import { sh } from '../../../src/provisioner/hosts/shell-quote.js';
import { driveClock, FakeClock } from '../../support/fake-clock.js';
import { FakeHost } from '../../support/fake-host.js';

const spec = (name: string): HostConnectionSpec => ({ transport: 'local', name, secrets: { env: {} } });

describe('HostPool', () => {
  it('opens one connection per host for the whole run and closes them all', async () => {
    const made: FakeHost[] = [];
    const pool = new HostPool([spec('a'), spec('b')], {
      connect: async (s) => {
        const h = new FakeHost({ name: s.name, responders: [{ match: 'hostname', reply: { stdout: `${s.name}\n` } }] });
        made.push(h);
        return h;
      },
    });
    const first = await pool.forEach((h) => h.exec(sh`hostname`).then((r) => r.stdout.trim()));
    const second = await pool.forEach((h) => h.exec(sh`hostname`).then((r) => r.stdout.trim()));
    expect(first).toEqual([
      { host: 'a', ok: true, value: 'a' },
      { host: 'b', ok: true, value: 'b' },
    ]);
    expect(second).toEqual(first);
    expect(made).toHaveLength(2);
    expect(await pool.get('a')).toBe(made[0]);
    await pool.close();
    expect(made.every((h) => h.calls.at(-1)?.kind === 'close')).toBe(true);
    await expect(pool.get('a')).rejects.toMatchObject({ code: 'HOST_CLOSED' });
  });

  it('bounds how many hosts are worked on at once', async () => {
    let active = 0;
    let peak = 0;
    const pool = new HostPool(['a', 'b', 'c', 'd', 'e'].map(spec), { connect: async (s) => new FakeHost({ name: s.name }), concurrency: 2 });
    await pool.forEach(async () => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setImmediate(r));
      active--;
    });
    expect(peak).toBe(2);
  });

  it('retries a transient connect failure with backoff, reporting each failed attempt', async () => {
    const clock = new FakeClock(0);
    const events: PoolEvent[] = [];
    let attempts = 0;
    const pool = new HostPool([spec('a')], {
      retry: { clock, attempts: 3 },
      onEvent: (e) => events.push(e),
      connect: async (s): Promise<RemoteHost> => {
        if (++attempts < 3) throw new HostError('SSH_UNREACHABLE', s.name, 'connection refused');
        return new FakeHost({ name: s.name });
      },
    });
    await driveClock(clock, pool.get('a'));
    expect(events.map((e) => (e.type === 'connected' ? `connected@${e.attempt}` : `failed@${e.failure.attempt}:${e.failure.code}`))).toEqual([
      'failed@1:SSH_UNREACHABLE',
      'failed@2:SSH_UNREACHABLE',
      'connected@3',
    ]);
  });

  it('reports each host separately: one failing host does not hide the others', async () => {
    const pool = new HostPool([spec('good'), spec('bad')], {
      connect: async (s) => {
        if (s.name === 'bad') throw new HostError('SSH_AUTH_FAILED', 'bad', 'refused');
        return new FakeHost({ name: s.name });
      },
    });
    const out = await pool.forEach(async (_h, name) => name);
    expect(out[0]).toEqual({ host: 'good', ok: true, value: 'good' });
    expect(out[1]).toMatchObject({ host: 'bad', ok: false, error: { code: 'SSH_AUTH_FAILED', host: 'bad' } });
    // a failed connection is not cached: a later phase may try again
    await expect(pool.get('bad')).rejects.toMatchObject({ code: 'SSH_AUTH_FAILED' });
    await pool.close();
  });

  it('refuses duplicate host names', () => {
    expect(() => new HostPool([spec('a'), spec('a')])).toThrow(TypeError);
  });
});
