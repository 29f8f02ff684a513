/**
 * `scmctl init`: the starter it writes validates as written (`scmctl validate FILE` exits 0) for every
 * combination of its flags — runtime × security × transport/host shape × host count × data dir — an
 * existing file is refused or moved aside, refusals carry codes, --output json is a summary (errors too),
 * and on a terminal the questions fill in what the flags left open.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandContext } from '../../../src/provisioner/command.js';
import { initCommand, type InitJson } from '../../../src/provisioner/commands/init.js';
import { validateCommand } from '../../../src/provisioner/commands/validate.js';
import { loadTopology } from '../../../src/provisioner/topology/load.js';
import { fakeContext } from './fake-context.js';

let dir: string;
let tarball: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'scmctl-init-'));
  // a stand-in release: any bytes, with the .sha512 beside it as Apache publishes it
  tarball = join(dir, 'ozone-2.2.0.tar.gz');
  const bytes = Buffer.from('not really ozone\n');
  writeFileSync(tarball, bytes);
  writeFileSync(`${tarball}.sha512`, `${createHash('sha512').update(bytes).digest('hex')}  ozone-2.2.0.tar.gz\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
const fresh = (): string => `t${++counter}.yaml`;

async function init(args: string[], options: Record<string, unknown>, ctx = fakeContext({ cwd: dir })): Promise<{ code: number; out: string; err: string }> {
  const code = await initCommand.run(args, { output: 'text', ...options }, ctx);
  return { code, out: ctx.out(), err: ctx.err() };
}

async function validates(file: string): Promise<{ code: number; out: string }> {
  const ctx = fakeContext({ cwd: dir });
  const code = await validateCommand.run([file], { output: 'text' }, ctx);
  return { code, out: ctx.out() };
}

describe('scmctl init: the starter validates as written', () => {
  it('with no flags: a local three-SCM quorum on 127.0.0.1-3 like examples/local-ha.yaml', async () => {
    const r = await init([], {});
    expect(r.code).toBe(0);
    expect(r.out).toContain('Wrote cluster.yaml');
    expect(await validates('cluster.yaml')).toEqual({ code: 0, out: 'cluster.yaml: valid\n' });
    const loaded = await loadTopology(join(dir, 'cluster.yaml'));
    const t = loaded.topology!;
    expect(t.hosts.map((h) => [h.address, h.transport.kind])).toEqual([
      ['127.0.0.1', 'local'],
      ['127.0.0.2', 'local'],
      ['127.0.0.3', 'local'],
    ]);
    expect(t.runtime.kind).toBe('embedded');
    expect(t.security.enabled).toBe(false);
    expect(t.services[0]!.nodes.map((n) => n.bindHost)).toEqual(['127.0.0.1', '127.0.0.2', '127.0.0.3']);
    expect(t.hosts[1]!.directories.metadata).toBe('/tmp/scmctl-scm-ha/scm2/metadata');
    // every field it writes carries a comment
    const text = readFileSync(join(dir, 'cluster.yaml'), 'utf8');
    expect(text).toMatch(/^# A starter topology written by `scmctl init`/);
    expect(text).toMatch(/transport: local +# run every command on this machine/);
  });

  const shapes: Array<{ what: string; flags: Record<string, unknown>; transport: string }> = [
    { what: 'loopback, local', flags: { hosts: '127.0.0.61,127.0.0.62,127.0.0.63' }, transport: 'local' },
    { what: 'one loopback SCM', flags: { hosts: '127.0.0.61' }, transport: 'local' },
    { what: 'loopback over ssh (sshd test hosts)', flags: { hosts: '127.0.1.1,127.0.1.2,127.0.1.3', transport: 'ssh' }, transport: 'ssh' },
    { what: 'remote names, ssh user and key', flags: { hosts: 'scm1.example.com,scm2.example.com,scm3.example.com', sshUser: 'ozone', sshKey: '~/.ssh/id_ed25519' }, transport: 'ssh' },
    { what: 'five remote IPs', flags: { hosts: '10.0.0.1 10.0.0.2 10.0.0.3 10.0.0.4 10.0.0.5' }, transport: 'ssh' },
    { what: 'one remote IPv6 SCM', flags: { hosts: 'fd00::1' }, transport: 'ssh' },
    { what: 'IPv6 loopback', flags: { hosts: '::1' }, transport: 'local' },
  ];
  const runtimes: Array<{ what: string; flags: () => Record<string, unknown> }> = [
    { what: 'embedded', flags: () => ({}) },
    { what: 'apache-ozone', flags: () => ({ runtime: 'apache-ozone', ozoneTarball: 'ozone-2.2.0.tar.gz' }) },
    { what: 'apache-ozone, absolute path, own java', flags: () => ({ runtime: 'apache-ozone', ozoneTarball: tarball, javaHome: '/opt/jdk17/' }) },
  ];
  const securities: Array<{ what: string; flags: Record<string, unknown> }> = [
    { what: 'security off', flags: { security: false } },
    { what: 'security on', flags: { security: true } },
    { what: 'security on, own Kerberos', flags: { security: true, kerberosPrincipal: 'scm/_HOST@CORP.LAN', kerberosKeytab: '/etc/krb/scm.keytab' } },
  ];
  const dataDirs: Array<{ what: string; flags: Record<string, unknown> }> = [
    { what: 'default dirs', flags: {} },
    { what: '--data-dir', flags: { dataDir: '/srv/scm' } },
  ];
  for (const shape of shapes) {
    for (const rt of runtimes) {
      for (const sec of securities) {
        if (sec.flags['kerberosPrincipal'] !== undefined && rt.what === 'embedded') continue; // refused: tested below
        for (const dd of dataDirs) {
          it(`${shape.what}; ${rt.what}; ${sec.what}; ${dd.what}`, async () => {
            const file = fresh();
            const flags = { name: `c${counter}`, ...shape.flags, ...rt.flags(), ...sec.flags, ...dd.flags };
            const r = await init([file], flags);
            expect(r.err).not.toContain('error[');
            expect(r.code).toBe(0);
            const v = await validates(file);
            expect(v.code, v.out).toBe(0);
            const t = (await loadTopology(join(dir, file)))!.topology!;
            expect(t.hosts.every((h) => h.transport.kind === shape.transport)).toBe(true);
            expect(t.runtime.kind).toBe(rt.what.startsWith('apache') ? 'apache-ozone' : 'embedded');
            expect(t.security.enabled).toBe(sec.flags['security']);
            if (t.runtime.kind === 'apache-ozone' && t.security.enabled) expect(t.security.kerberos).toBeDefined();
            if (dd.flags['dataDir']) expect(t.hosts[0]!.directories.metadata.startsWith('/srv/scm/')).toBe(true);
          });
        }
      }
    }
  }

  it('writes an --ozone-version the file name does not tell, and the starter validates', async () => {
    const odd = join(dir, 'release.tgz');
    writeFileSync(odd, readFileSync(tarball));
    writeFileSync(`${odd}.sha512`, readFileSync(`${tarball}.sha512`, 'utf8').replace('ozone-2.2.0.tar.gz', 'release.tgz'));
    const file = fresh();
    expect((await init([file], { runtime: 'apache-ozone', ozoneTarball: 'release.tgz' })).err).toContain('error[INIT_OZONE_VERSION_UNKNOWN]');
    expect((await init([file], { runtime: 'apache-ozone', ozoneTarball: 'release.tgz', ozoneVersion: '2.1.0' })).code).toBe(0);
    expect((await validates(file)).code).toBe(0);
    expect((await loadTopology(join(dir, file))).topology!.runtime.ozone!.version).toBe('2.1.0');
  });

  it('marks the Kerberos realm as a placeholder when no principal is given, and says so', async () => {
    const file = fresh();
    const r = await init([file], { runtime: 'apache-ozone', ozoneTarball: 'ozone-2.2.0.tar.gz', security: true, defaults: true });
    expect(r.code).toBe(0);
    expect(r.err).toContain('is a placeholder marked CHANGE ME');
    expect(readFileSync(join(dir, file), 'utf8')).toMatch(/principal: scm\/_HOST@EXAMPLE\.COM +# CHANGE ME/);
  });
});

describe('scmctl init: refusals carry codes and write nothing', () => {
  const refusals: Array<{ flags: Record<string, unknown>; code: string }> = [
    { flags: { runtime: 'apache-ozone' }, code: 'INIT_OZONE_TARBALL_REQUIRED' },
    { flags: { runtime: 'apache-ozone', ozoneTarball: 'missing-2.2.0.tar.gz' }, code: 'INIT_OZONE_TARBALL_INVALID' },
    { flags: { ozoneTarball: 'ozone-2.2.0.tar.gz' }, code: 'INIT_BAD_VALUE' },
    { flags: { hosts: '300.1.1.1' }, code: 'INIT_BAD_VALUE' },
    { flags: { hosts: '10.0.0.1,10.0.0.1' }, code: 'INIT_BAD_VALUE' },
    { flags: { hosts: ' , ' }, code: 'INIT_BAD_VALUE' },
    { flags: { name: 'has space' }, code: 'INIT_BAD_VALUE' },
    { flags: { dataDir: 'relative/dir' }, code: 'INIT_BAD_VALUE' },
    { flags: { dataDir: '/srv/$HOME' }, code: 'INIT_BAD_VALUE' },
    { flags: { transport: 'local', sshUser: 'ozone' }, code: 'INIT_BAD_VALUE' },
    { flags: { hosts: 'a.example.com', sshUser: 'bad user' }, code: 'INIT_BAD_VALUE' },
    { flags: { security: true, kerberosPrincipal: 'scm/_HOST@CORP.LAN' }, code: 'INIT_BAD_VALUE' },
    { flags: { runtime: 'apache-ozone', ozoneTarball: 'ozone-2.2.0.tar.gz', security: true, kerberosPrincipal: 'no realm' }, code: 'INIT_BAD_VALUE' },
  ];
  for (const { flags, code } of refusals) {
    it(`${JSON.stringify(flags)} → ${code}`, async () => {
      const file = fresh();
      const r = await init([file], flags);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(new RegExp(`^error\\[${code}\\]: .+\\n  hint: `));
      expect(existsSync(join(dir, file))).toBe(false);
    });
  }

  it('refuses an existing file without --force, and leaves it as it was', async () => {
    const file = fresh();
    writeFileSync(join(dir, file), 'mine\n');
    const r = await init([file], {});
    expect(r.code).toBe(1);
    expect(r.err).toContain('error[INIT_FILE_EXISTS]');
    expect(readFileSync(join(dir, file), 'utf8')).toBe('mine\n');
  });

  it('with --force moves the old file to FILE.bak-<timestamp> (never deletes it), twice in a row too', async () => {
    const file = fresh();
    writeFileSync(join(dir, file), 'first\n');
    const a = await init([file], { force: true, output: 'json' });
    expect(a.code).toBe(0);
    const docA = JSON.parse(a.out) as InitJson;
    expect(docA.backup).toMatch(new RegExp(`${file.replace('.', '\\.')}\\.bak-\\d{8}T\\d{6}Z$`));
    expect(readFileSync(docA.backup!, 'utf8')).toBe('first\n');
    const b = await init([file], { force: true, output: 'json' });
    const docB = JSON.parse(b.out) as InitJson;
    expect(docB.backup).not.toBe(docA.backup);
    expect(readFileSync(docB.backup!, 'utf8')).toBe(readFileSync(join(dir, file), 'utf8'));
    expect(readFileSync(docA.backup!, 'utf8')).toBe('first\n');
    expect((await validates(file)).code).toBe(0);
  });

  it('refuses a directory as FILE and a FILE in a missing directory', async () => {
    expect((await init(['.'], {})).err).toContain('error[INIT_WRITE_FAILED]');
    expect((await init(['no/such/dir/x.yaml'], {})).err).toContain('error[INIT_WRITE_FAILED]');
  });

  it('leaves no temporary file behind', () => {
    expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});

describe('scmctl init --output json', () => {
  it('summarises what was written', async () => {
    const file = fresh();
    const r = await init([file], { output: 'json', hosts: '127.0.0.61,127.0.0.62,127.0.0.63', name: 'first' });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as InitJson;
    expect(doc).toMatchObject({
      format_version: '1.0',
      ok: true,
      written: true,
      file,
      backup: null,
      cluster: 'first',
      transport: 'local',
      runtime: 'embedded',
      security: false,
      hosts: [
        { name: 'scm1', address: '127.0.0.61' },
        { name: 'scm2', address: '127.0.0.62' },
        { name: 'scm3', address: '127.0.0.63' },
      ],
      placeholders: [],
      diagnostics: [],
      next: [`scmctl validate ${file}`, `scmctl plan ${file}`, `scmctl apply ${file}`],
    });
  });

  it('prints the error as JSON on stdout too', async () => {
    const r = await init([fresh()], { output: 'json', runtime: 'apache-ozone' });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ format_version: '1.0', ok: false, error: { code: 'INIT_OZONE_TARBALL_REQUIRED' } });
    expect(r.err).toMatch(/^error\[INIT_OZONE_TARBALL_REQUIRED\]/);
  });
});

/** A context whose stdin and stdout are terminals: answers are written ahead into stdin. */
function ttyContext(answers: string[]): CommandContext & { out(): string; err(): string } {
  const base = fakeContext({ cwd: dir });
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  stdin.end(answers.map((a) => `${a}\n`).join(''));
  let out = '';
  return { ...base, stdin, stdout: { isTTY: true, write: (s: string) => (out += s) }, out: () => out };
}

describe('scmctl init on a terminal: questions for what the flags left open', () => {
  it('asks name, hosts, SSH user (remote hosts), security and runtime; re-asks a bad answer', async () => {
    const file = fresh();
    const ctx = ttyContext(['prod', '10.0.0.1,10.0.0.2,999.0.0.1', '10.0.0.1,10.0.0.2,10.0.0.3', 'ozone', 'y', '']);
    expect(await initCommand.run([file], { output: 'text' }, ctx)).toBe(0);
    const out = ctx.out();
    expect(out).toContain('Cluster name [scm-ha]: ');
    expect(out).toContain('SCM hosts, comma-separated (3 or 5 for a quorum) [127.0.0.1,127.0.0.2,127.0.0.3]: ');
    expect(out).toContain('  the host "999.0.0.1" is not a valid IPv4 address');
    expect(out).toContain('SSH user on the hosts [root]: ');
    expect(out).toContain('Turn on Ozone security (certificates, TLS)? (y/n) [n]: ');
    expect(out).toContain('Runtime: embedded');
    expect(out).toContain(`Wrote ${file}`);
    const t = (await loadTopology(join(dir, file))).topology!;
    expect(t.name).toBe('prod');
    expect(t.hosts.map((h) => h.address)).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
    expect(t.hosts[0]!.transport).toMatchObject({ kind: 'ssh', ssh: { user: 'ozone' } });
    expect(t.security.enabled).toBe(true);
    expect(t.runtime.kind).toBe('embedded');
  });

  it('asks only what the flags did not say; loopback hosts need no SSH user', async () => {
    const file = fresh();
    const ctx = ttyContext(['', 'n', 'apache-ozone', 'missing.tar.gz', 'ozone-2.2.0.tar.gz']);
    expect(await initCommand.run([file], { output: 'text', name: 'given' }, ctx)).toBe(0);
    const out = ctx.out();
    expect(out).not.toContain('Cluster name');
    expect(out).not.toContain('SSH user');
    expect(out).toContain('Path of the Ozone release tarball');
    expect(out).toContain('missing.tar.gz does not exist');
    const t = (await loadTopology(join(dir, file))).topology!;
    expect(t.runtime.kind).toBe('apache-ozone');
    expect(t.hosts.map((h) => h.address)).toEqual(['127.0.0.1', '127.0.0.2', '127.0.0.3']);
    expect((await validates(file)).code).toBe(0);
  });

  it('at the end of input keeps the defaults, but refuses apache-ozone without a tarball', async () => {
    const ok = fresh();
    const a = ttyContext([]);
    expect(await initCommand.run([ok], { output: 'text' }, a)).toBe(0);
    expect((await loadTopology(join(dir, ok))).topology!.name).toBe('scm-ha');
    const b = ttyContext(['', '', 'n', 'apache-ozone']);
    expect(await initCommand.run([fresh()], { output: 'text' }, b)).toBe(1);
    expect(b.err()).toContain('error[INIT_OZONE_TARBALL_REQUIRED]');
  });

  it('asks nothing with --defaults or --output json, nor when stdin is not a terminal', async () => {
    const a = ttyContext(['should-not-be-read']);
    expect(await initCommand.run([fresh()], { output: 'text', defaults: true }, a)).toBe(0);
    expect(a.out()).not.toContain('Cluster name');
    const b = ttyContext(['should-not-be-read']);
    expect(await initCommand.run([fresh()], { output: 'json' }, b)).toBe(0);
    expect(JSON.parse(b.out()).cluster).toBe('scm-ha');
    const c = fakeContext({ cwd: dir });
    expect(await initCommand.run([fresh()], { output: 'text' }, c)).toBe(0);
    expect(c.out()).not.toContain('?');
  });
});
