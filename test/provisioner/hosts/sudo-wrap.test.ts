import { describe, expect, it } from 'vitest';
import { splitSudoStderr, sudoScript } from '../../../src/provisioner/hosts/sudo-wrap.js';

describe('sudoScript', () => {
  it('runs as is for root, with sudo -n without a password, sudo -k -S -p "" with one', () => {
    expect(sudoScript('id -u', 'root', 'M')).toBe('id -u');
    expect(sudoScript('id -u', 'nopasswd', 'M')).toMatch(/^sudo -n -- sh -c '/);
    expect(sudoScript('id -u', 'password', 'M')).toMatch(/^sudo -k -S -p '' -- sh -c '/);
  });

  it('never puts anything but the command and the marker in the arguments', () => {
    const s = sudoScript("echo 'x'", 'password', 'SCMCTL-SUDO-abc');
    expect(s).toContain('SCMCTL-SUDO-abc');
    expect(s).not.toMatch(/passw/i);
  });
});

describe('splitSudoStderr', () => {
  it('separates sudo chatter from the command stderr at the marker', () => {
    const r = splitSudoStderr(Buffer.from('lecture\nM\ncommand err\nM\n'), 'M');
    expect(r).toMatchObject({ started: true, sudoOutput: 'lecture\n' });
    expect(r.commandStderr.toString()).toBe('command err\nM\n');
  });

  it('reports that the command never started when the marker is missing', () => {
    const r = splitSudoStderr(Buffer.from('Sorry, try again.\nsudo: 1 incorrect password attempt\n'), 'M');
    expect(r.started).toBe(false);
    expect(r.sudoOutput).toContain('incorrect password');
  });
});
