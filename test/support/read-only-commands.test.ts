import { describe, expect, it } from 'vitest';
import { sh } from '../../src/provisioner/hosts/shell-quote.js';
import { readOnlyViolation } from './read-only-commands.js';

describe('readOnlyViolation', () => {
  it('accepts reading commands, pipes, lists and harmless redirections', () => {
    const ok = [
      'uname -s -n -r -m',
      sh`sha256sum -- ${['/etc/ozone/ozone-site.xml', "/tmp/it's"]}`.text,
      'ls -A -- /var/lib/ozone | head -n 1',
      "LC_ALL=C find /var/lib/ozone '/tmp/a b' -maxdepth 0 -empty",
      'test -w /a && echo 0; test -w /b && echo 1',
      'date -u +%s%N',
      'df -Pk -- / 2>/dev/null',
      'node --version 2>&1',
      sh`env ${'OZONE_CONF_DIR=/etc/ozone'} /opt/scmctl/current/bin/ozone admin scm roles --json`.text,
      sh`sh -c ${sh`exec /opt/x/bin/ozone --daemon status scm`.text}`.text,
      'systemctl is-active -- ozone-scm.service',
      'getent ahosts scm1.example.org',
      '# a comment\nid',
      'cat /proc/net/tcp < /dev/null',
    ];
    for (const c of ok) expect(readOnlyViolation(c), c).toBeNull();
  });

  it('refuses anything that may write, run arbitrary code or cannot be analysed', () => {
    const bad = [
      'rm -rf /var/lib/ozone',
      'find /var/lib/ozone -delete',
      'find /tmp -maxdepth 1 -exec rm {} +',
      'mv a b',
      'cp a b',
      'mkdir -p /x',
      'echo x > /etc/passwd',
      'echo x >> /tmp/f',
      'cat a | tee /tmp/b',
      'echo $(rm -rf /)',
      'echo `id`',
      'echo "$HOME"',
      'sleep 1 &',
      '(rm x)',
      'cat <<EOF\nx\nEOF',
      'ozone scm --init',
      '/opt/scmctl/current/bin/ozone --daemon start scm',
      'ozone debug ldb --db=/x scan --out=/tmp/y',
      'systemctl start ozone-scm',
      'date -s 2020-01-01',
      'hostname evil',
      'node -e "require(1)"',
      "sh -c 'rm x'",
      'env A=1 rm x',
      'exec rm x',
      'timeout 5 dd if=/dev/zero of=/x',
      'sudo id',
      'command rm x',
      'A=1',
      "echo 'unterminated",
    ];
    for (const c of bad) expect(readOnlyViolation(c), c).not.toBeNull();
  });
});
