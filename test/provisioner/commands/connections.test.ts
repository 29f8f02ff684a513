/**
 * SCMCTL_SSH_PERSIST as the commands read it, and `scmctl connections` with no keeper running (the keeper
 * itself: test/provisioner/hosts/ssh-keeper/, over sshd: test/e2e/ssh-keeper.test.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sshPersistMs } from '../../../src/provisioner/commands/cluster-input.js';
import { runConnections } from '../../../src/provisioner/commands/connections.js';
import { fakeContext } from './fake-context.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('SCMCTL_SSH_PERSIST', () => {
  it('unset, empty, 0, no and off keep nothing; durations up to a day are kept that long', () => {
    for (const v of [undefined, '', '0', 'no', 'off', ' off ']) expect(sshPersistMs({ SCMCTL_SSH_PERSIST: v })).toBe(0);
    expect(sshPersistMs({ SCMCTL_SSH_PERSIST: '60s' })).toBe(60_000);
    expect(sshPersistMs({ SCMCTL_SSH_PERSIST: '10m' })).toBe(600_000);
    expect(sshPersistMs({ SCMCTL_SSH_PERSIST: '1d' })).toBe(86_400_000);
  });

  it('anything else is PLAN_INVALID_OPTION, naming the value', () => {
    for (const v of ['yes', '60', '2d', '-1s', '1.5m']) {
      expect(() => sshPersistMs({ SCMCTL_SSH_PERSIST: v })).toThrow(expect.objectContaining({ code: 'PLAN_INVALID_OPTION', message: expect.stringContaining(JSON.stringify(v)) }));
    }
  });
});

describe('scmctl connections without a keeper', () => {
  it('lists nothing, says how to keep connections, and --close says none was running', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scmctl-conn-'));
    dirs.push(dir);
    const env = { SCMCTL_STATE_DIR: join(dir, 'state') };
    const list = fakeContext({ env });
    expect(await runConnections({ output: 'text' }, list)).toBe(0);
    expect(list.out()).toBe('no SSH connections are kept (set SCMCTL_SSH_PERSIST=60s to keep them between runs)\n');
    const json = fakeContext({ env });
    expect(await runConnections({ output: 'json' }, json)).toBe(0);
    expect(JSON.parse(json.out())).toEqual({ socket: join(dir, 'state', 'ssh', 'ssh-keeper-1.sock'), connections: [] });
    const close = fakeContext({ env });
    expect(await runConnections({ close: true, output: 'text' }, close)).toBe(0);
    expect(close.out()).toBe('no SSH connection keeper was running\n');
  });
});
