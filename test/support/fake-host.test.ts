import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { sh } from '../../src/provisioner/hosts/shell-quote.js';
import { FakeHost, FakeHostViolation } from './fake-host.js';
import { readOnlyPolicy } from './read-only-commands.js';

describe('FakeHost (strict recording fake)', () => {
  it('answers scripted commands in order, honouring sudo and use counts, and records everything', async () => {
    const h = new FakeHost({
      responders: [
        { match: 'id -u', sudo: true, reply: { stdout: '0\n' } },
        { match: 'id -u', reply: { stdout: '1000\n' }, times: 1 },
        { match: /^echo /, reply: (c) => ({ stdout: c.command.slice(5) + '\n' }) },
      ],
    });
    expect((await h.exec(sh`id -u`, { sudo: true })).stdout).toBe('0\n');
    expect((await h.exec(sh`id -u`)).stdout).toBe('1000\n');
    await expect(h.exec(sh`id -u`)).rejects.toBeInstanceOf(FakeHostViolation);
    expect((await h.exec(sh`echo hi`, { stdin: 'in' })).stdout).toBe('hi\n');
    expect(h.execs.map((c) => [c.command, c.sudo, c.stdin])).toEqual([
      ['id -u', true, undefined],
      ['id -u', false, undefined],
      ['id -u', false, undefined],
      ['echo hi', false, 'in'],
    ]);
    expect(() => h.assertNoViolations()).toThrow(/unexpected command: id -u/);
  });

  it('applies its command policy before any responder', async () => {
    const h = new FakeHost({ commandPolicy: readOnlyPolicy, responders: [{ match: () => true, reply: {} }] });
    await h.exec(sh`cat /etc/hostname`);
    await expect(h.exec(sh`rm -rf ${'/var/lib/ozone'}`)).rejects.toThrow(/refused by policy/);
    expect(h.violations).toHaveLength(1);
  });

  it('keeps an in-memory filesystem, refuses writes when read-only, fails after close', async () => {
    const h = new FakeHost({ files: { '/etc/a': 'A', '/opt/x/current': { type: 'symlink', target: 'releases/1' }, '/opt/x/releases/1/v': 'one' } });
    expect((await h.readFile('/etc/a'))!.toString()).toBe('A');
    expect((await h.readFile('/opt/x/current/v'))!.toString()).toBe('one');
    expect(await h.stat('/opt/x')).toMatchObject({ exists: true, type: 'directory' });
    expect(await h.stat('/opt/x/current')).toMatchObject({ type: 'symlink', linkTarget: 'releases/1' });
    expect(await h.writeFileAtomic('/etc/a', 'B', { mode: 0o600, backupSuffix: '.bak' })).toEqual({ backupPath: '/etc/a.bak' });
    expect((await h.readFile('/etc/a.bak'))!.toString()).toBe('A');
    expect((await h.upload(Readable.from([Buffer.from('zz')]), '/tmp/u', { mode: 0o600 })).bytes).toBe(2);
    const ro = new FakeHost({ readOnly: true });
    await expect(ro.writeFileAtomic('/x', 'y', { mode: 0o600 })).rejects.toBeInstanceOf(FakeHostViolation);
    await h.close();
    await expect(h.exec(sh`true`)).rejects.toBeInstanceOf(FakeHostViolation);
  });
});
