/**
 * RunnerHost's sudo protocol and file primitives against a scripted CommandRunner that plays `sudo`:
 * deterministic, no processes. The real thing is covered over sshd in test/e2e/ssh-sudo.test.ts.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CommandRunner, RunRequest, RunResult } from '../../../src/provisioner/hosts/command-runner.js';
import { HostError } from '../../../src/provisioner/hosts/host-error.js';
import type { HostInfo } from '../../../src/provisioner/hosts/remote-host.js';
import { RunnerHost } from '../../../src/provisioner/hosts/runner-host.js';
import { sh } from '../../../src/provisioner/hosts/shell-quote.js';

interface Seen {
  script: string;
  stdin: string;
}

/** Plays a host whose login user has uid `uid` and whose sudo behaves as told. */
class ScriptedRunner implements CommandRunner {
  readonly info: HostInfo = { name: 'scm1', transport: 'ssh', address: '127.0.9.1', user: 'op' };
  readonly seen: Seen[] = [];
  constructor(
    private readonly uid: number,
    private readonly sudo: 'nopasswd' | { password: string; echo?: boolean } | 'missing',
    private readonly command: (script: string, stdin: string) => Partial<RunResult> = () => ({}),
  ) {}

  async run(req: RunRequest): Promise<RunResult> {
    let stdin = '';
    if (req.stdin instanceof Uint8Array) stdin = Buffer.from(req.stdin).toString();
    else if (req.stdin instanceof Readable) stdin = Buffer.concat(await req.stdin.toArray()).toString();
    this.seen.push({ script: req.script, stdin });
    const res = (r: Partial<RunResult>): RunResult => ({ stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: 0, ...r });
    if (req.script === 'id -u') return res({ stdout: Buffer.from(`${this.uid}\n`) });
    if (req.script.includes('sudo -k -n true')) {
      if (this.sudo === 'missing') return res({ exitCode: 127 });
      return res({ exitCode: this.sudo === 'nopasswd' ? 0 : 1, stderr: Buffer.from('sudo: a password is required\n') });
    }
    if (req.script === "exec sudo -k -S -p '' -- true") {
      const ok = typeof this.sudo === 'object' && stdin === `${this.sudo.password}\n`;
      const echoed = typeof this.sudo === 'object' && this.sudo.echo ? stdin : '';
      return res({ exitCode: ok ? 0 : 1, stderr: Buffer.from(ok ? '' : `Sorry, try again. ${echoed}\nsudo: 1 incorrect password attempt\n`) });
    }
    const m = /^sudo (-n|-k -S -p '') -- sh -c '(?:printf '\\''%s\\n'\\'' )?(SCMCTL-SUDO-[0-9a-f]+)/.exec(req.script);
    if (m) {
      let rest = stdin;
      if (m[1] !== '-n' && typeof this.sudo === 'object') {
        const nl = stdin.indexOf('\n');
        if (stdin.slice(0, nl) !== this.sudo.password) return res({ exitCode: 1, stderr: Buffer.from('sudo: 1 incorrect password attempt\n') });
        rest = stdin.slice(nl + 1);
      }
      const r = this.command(req.script, rest);
      return res({ ...r, stderr: Buffer.concat([Buffer.from(`lecture\n${m[2]}\n`), r.stderr ?? Buffer.alloc(0)]) });
    }
    return res(this.command(req.script, stdin));
  }

  async close(): Promise<void> {}
}

describe('RunnerHost sudo', () => {
  it('runs as is when the login user is root', async () => {
    const runner = new ScriptedRunner(0, 'missing', () => ({ stdout: Buffer.from('ok') }));
    const host = new RunnerHost(runner, { secrets: { env: {} } });
    expect((await host.exec(sh`whoami`, { sudo: true })).stdout).toBe('ok');
    expect(runner.seen.map((s) => s.script)).toEqual(['id -u', 'whoami']);
  });

  it('uses sudo -n when no password is needed and strips sudo chatter from stderr', async () => {
    const runner = new ScriptedRunner(1000, 'nopasswd', () => ({ stderr: Buffer.from('cmd-err\n'), exitCode: 3 }));
    const host = new RunnerHost(runner, { secrets: { env: {} } });
    const r = await host.exec(sh`false`, { sudo: true });
    expect(r).toEqual({ stdout: '', stderr: 'cmd-err\n', exitCode: 3 });
    expect(runner.seen.at(-1)!.script).toMatch(/^sudo -n -- sh -c /);
  });

  it('feeds the password as the first stdin line, validated once, never in any script', async () => {
    const password = 's3cret pass';
    const runner = new ScriptedRunner(1000, { password }, (_s, stdin) => ({ stdout: Buffer.from(`got:${stdin}`) }));
    const host = new RunnerHost(runner, { secrets: { env: { SUDO_PW: password } }, sudo: { passwordEnv: 'SUDO_PW' } });
    expect((await host.exec(sh`cat`, { sudo: true, stdin: 'payload' })).stdout).toBe('got:payload');
    expect((await host.exec(sh`cat`, { sudo: true })).stdout).toBe('got:');
    const validations = runner.seen.filter((s) => s.script === "exec sudo -k -S -p '' -- true");
    expect(validations).toHaveLength(1);
    expect(runner.seen.every((s) => !s.script.includes(password))).toBe(true);
    expect(runner.seen.at(-2)!.stdin).toBe(`${password}\npayload`);
  });

  it('fails with SUDO_FAILED on a wrong password, once, without revealing it', async () => {
    const runner = new ScriptedRunner(1000, { password: 'right', echo: true });
    const host = new RunnerHost(runner, { secrets: { env: { SUDO_PW: 'wrong-pw' } }, sudo: { passwordEnv: 'SUDO_PW' } });
    const e1 = await host.exec(sh`id`, { sudo: true }).catch((e: unknown) => e);
    const e2 = await host.exec(sh`id`, { sudo: true }).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(HostError);
    expect((e1 as HostError).code).toBe('SUDO_FAILED');
    expect((e1 as HostError).message).toContain('scm1');
    expect((e1 as HostError).message).not.toContain('wrong-pw');
    expect(e2).toBe(e1); // cached: the password is not tried again
    expect(runner.seen.filter((s) => s.script.startsWith('exec sudo -k -S'))).toHaveLength(1);
  });

  it('names the missing environment variable, not a value', async () => {
    const host = new RunnerHost(new ScriptedRunner(1000, { password: 'x' }), { secrets: { env: {} }, sudo: { passwordEnv: 'SCM_SUDO_PASSWORD' } });
    const e = (await host.exec(sh`id`, { sudo: true }).catch((x: unknown) => x)) as HostError;
    expect(e.code).toBe('SUDO_FAILED');
    expect(e.message).toContain('SCM_SUDO_PASSWORD');
  });

  it('asks the prompt when there is no environment variable', async () => {
    const runner = new ScriptedRunner(1000, { password: 'typed' }, () => ({ stdout: Buffer.from('root') }));
    const asked: string[] = [];
    const host = new RunnerHost(runner, {
      secrets: {
        env: {},
        prompt: async (p) => {
          asked.push(`${p.kind}:${p.host}`);
          return 'typed';
        },
      },
    });
    expect((await host.exec(sh`whoami`, { sudo: true })).stdout).toBe('root');
    expect(asked).toEqual(['sudo-password:scm1']);
  });

  it('reports sudo missing on the host', async () => {
    const host = new RunnerHost(new ScriptedRunner(1000, 'missing'), { secrets: { env: {} } });
    await expect(host.exec(sh`id`, { sudo: true })).rejects.toMatchObject({ code: 'SUDO_FAILED' });
  });
});

describe('RunnerHost files', () => {
  it('reads: null when missing, bytes when present, HOST_READ_FAILED otherwise', async () => {
    const runner = new ScriptedRunner(0, 'missing', (script) => {
      if (script.includes('/missing')) return { exitCode: 1, stderr: Buffer.from('cat: /missing: No such file or directory\n') };
      if (script.includes('/denied')) return { exitCode: 1, stderr: Buffer.from('cat: /denied: Permission denied\n') };
      return { stdout: Buffer.from([0, 1, 2]) };
    });
    const host = new RunnerHost(runner, { secrets: { env: {} } });
    expect(await host.readFile('/missing')).toBeNull();
    expect([...(await host.readFile('/bin'))!]).toEqual([0, 1, 2]);
    await expect(host.readFile('/denied')).rejects.toMatchObject({ code: 'HOST_READ_FAILED' });
    await expect(host.readFile('relative/path')).rejects.toMatchObject({ code: 'HOST_INVALID_PATH' });
  });

  it('writes atomically through a temp file and reports a backup', async () => {
    const runner = new ScriptedRunner(0, 'missing', () => ({ stdout: Buffer.from('backup\n') }));
    const host = new RunnerHost(runner, { secrets: { env: {} } });
    const r = await host.writeFileAtomic('/etc/ozone/ozone-site.xml', '<configuration/>', { mode: 0o640, backupSuffix: '.scmctl-backup' });
    expect(r.backupPath).toBe('/etc/ozone/ozone-site.xml.scmctl-backup');
    const { script, stdin } = runner.seen.at(-1)!;
    expect(stdin).toBe('<configuration/>');
    expect(script).toMatch(/t=\/etc\/ozone\/\.ozone-site\.xml\.scmctl-[0-9a-f]+\.tmp/);
    expect(script).toContain('chmod 0640 "$t"');
    expect(script).toContain('mv -f -- "$t" /etc/ozone/ozone-site.xml');
  });

  it('parses stat, symlinks included', async () => {
    const runner = new ScriptedRunner(0, 'missing', (script) =>
      script.includes('/nope') ? { exitCode: 1, stderr: Buffer.from("stat: cannot statx '/nope': No such file or directory\n") } : { stdout: Buffer.from('symbolic link|21|777|0|0|root|root|1700000000\nreleases/0.1.0-1a2b3c4d\n') },
    );
    const host = new RunnerHost(runner, { secrets: { env: {} } });
    expect(await host.stat('/nope')).toEqual({ exists: false, path: '/nope' });
    expect(await host.stat('/opt/scmctl/current')).toMatchObject({ type: 'symlink', linkTarget: 'releases/0.1.0-1a2b3c4d', mode: 0o777, mtimeMs: 1_700_000_000_000 });
  });

  it('puts a host-side timeout around commands that have a timeoutMs, inside sudo', async () => {
    const runner = new ScriptedRunner(1000, 'nopasswd', () => ({}));
    const host = new RunnerHost(runner, { secrets: { env: {} } });
    await host.exec(sh`sleep 5`, { timeoutMs: 1500, sudo: true });
    const script = runner.seen.at(-1)!.script;
    expect(script).toMatch(/^sudo -n -- sh -c /);
    expect(script).toContain('exec timeout -s KILL 3 sh -c');
    await host.exec(sh`true`);
    expect(runner.seen.at(-1)!.script).toBe('true');
  });

  it('fails every call after close', async () => {
    const host = new RunnerHost(new ScriptedRunner(0, 'missing'), { secrets: { env: {} } });
    await host.close();
    await host.close();
    await expect(host.exec(sh`true`)).rejects.toMatchObject({ code: 'HOST_CLOSED' });
  });
});
