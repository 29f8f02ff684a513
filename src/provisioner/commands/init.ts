/**
 * `scmctl init [FILE]`: writes a commented starter topology (default FILE: cluster.yaml) from flags, or by
 * asking on a terminal for what the flags leave open (stdin and stdout both a TTY, no --defaults, text
 * output). Whatever is still open takes the documented default: a local quorum of three SCMs on
 * 127.0.0.1-3 like examples/local-ha.yaml. The file validates as written (write-starter.ts checks it
 * before it takes FILE's place); an existing FILE is refused, or with --force moved to FILE.bak-<timestamp>.
 * `--output json` prints a summary document on stdout ({ok: true, written: true, …}); a refusal prints the
 * failure document every command prints (json-output.ts: {ok: false, error: {code, message, hint}, …}), and
 * the error's text goes to stderr as without JSON.
 * Exit 0 when written, 1 otherwise.
 */
import { isAbsolute, resolve } from 'node:path';
import { isCodedError } from '../../common/coded-error.js';
import type { CommandContext, CommandSpec } from '../command.js';
import type { Diagnostic } from '../topology/diagnostic.js';
import { formatDiagnostics } from '../topology/diagnostic-text.js';
import { askMissing, readLines } from '../init/init-questions.js';
import { INIT_DEFAULTS, resolveStarterSettings, type InitInput, type StarterSettings } from '../init/starter-settings.js';
import { hostName, starterYaml } from '../init/starter-yaml.js';
import { checkTarget, writeStarter } from '../init/write-starter.js';
import { writeFailureJson } from './json-output.js';
import { shows } from '../verbosity.js';

export const DEFAULT_INIT_FILE = 'cluster.yaml';

export interface InitJson {
  readonly format_version: '1.0';
  readonly ok: true;
  readonly written: true;
  readonly file: string;
  /** where an existing FILE was moved (--force) */
  readonly backup: string | null;
  readonly cluster: string;
  readonly transport: string;
  readonly runtime: string;
  readonly security: boolean;
  readonly hosts: ReadonlyArray<{ readonly name: string; readonly address: string }>;
  /** JSON pointers of placeholder values the operator must replace (the Kerberos principal's realm) */
  readonly placeholders: readonly string[];
  /** the warnings of the written file (it has no errors) */
  readonly diagnostics: readonly Diagnostic[];
  readonly next: readonly string[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function inputFrom(options: Readonly<Record<string, unknown>>): InitInput {
  const pick = {
    name: str(options['name']),
    hosts: str(options['hosts']),
    transport: str(options['transport']),
    sshUser: str(options['sshUser']),
    sshKey: str(options['sshKey']),
    security: typeof options['security'] === 'boolean' ? options['security'] : undefined,
    runtime: str(options['runtime']),
    ozoneTarball: str(options['ozoneTarball']),
    ozoneVersion: str(options['ozoneVersion']),
    javaHome: str(options['javaHome']),
    kerberosPrincipal: str(options['kerberosPrincipal']),
    kerberosKeytab: str(options['kerberosKeytab']),
    dataDir: str(options['dataDir']),
  };
  return Object.fromEntries(Object.entries(pick).filter(([, v]) => v !== undefined)) as InitInput;
}

function interactive(ctx: CommandContext, options: Readonly<Record<string, unknown>>): boolean {
  const stdinTty = (ctx.stdin as { isTTY?: boolean }).isTTY === true;
  return stdinTty && ctx.stdout.isTTY === true && options['defaults'] !== true && options['output'] !== 'json';
}

function placeholders(s: StarterSettings): string[] {
  return s.kerberos?.placeholder ? ['/spec/security/kerberos/principal'] : [];
}

function nextSteps(file: string): string[] {
  return [`scmctl validate ${file}`, `scmctl plan ${file}`, `scmctl apply ${file}`];
}

function printText(ctx: CommandContext, file: string, s: StarterSettings, backup: string | null, diagnostics: readonly Diagnostic[]): void {
  if (diagnostics.length > 0 && shows(ctx, 'warn')) ctx.stderr.write(formatDiagnostics(diagnostics));
  if (s.kerberos?.placeholder && shows(ctx, 'warn')) {
    ctx.stderr.write(`warning: the Kerberos principal in ${file} (${s.kerberos.principal}) is a placeholder marked CHANGE ME: write your realm before apply, or give --kerberos-principal\n`);
  }
  const n = s.hosts.length;
  ctx.stdout.write(
    `Wrote ${file}: ${n} SCM${n === 1 ? '' : 's'} (${s.hosts.join(', ')}), ${s.transport} transport, ${s.runtime.kind} runtime, security ${s.security ? 'on' : 'off'}.\n` +
      (backup ? `The previous ${file} is now ${backup}.\n` : '') +
      `Next:\n${nextSteps(file)
        .map((c) => `  ${c}\n`)
        .join('')}`,
  );
}

async function init(args: readonly string[], options: Readonly<Record<string, unknown>>, ctx: CommandContext): Promise<InitJson> {
  const file = args[0] ?? DEFAULT_INIT_FILE;
  const path = isAbsolute(file) ? file : resolve(ctx.cwd, file);
  const force = options['force'] === true;
  // refuse before asking anything
  await checkTarget(path, file, force);
  let input = inputFrom(options);
  if (interactive(ctx, options)) {
    const lines = readLines(ctx.stdin, ctx.signal);
    try {
      input = await askMissing(input, lines, ctx.stdout, ctx.cwd);
    } finally {
      lines.close();
    }
  }
  const settings = await resolveStarterSettings(input, ctx.cwd);
  const { backup, diagnostics } = await writeStarter(path, starterYaml(settings, file), { displayName: file, force, env: ctx.env, cwd: ctx.cwd, now: new Date() });
  if (options['output'] !== 'json') printText(ctx, file, settings, backup, diagnostics);
  return {
    format_version: '1.0',
    ok: true,
    written: true,
    file,
    backup,
    cluster: settings.name,
    transport: settings.transport,
    runtime: settings.runtime.kind,
    security: settings.security,
    hosts: settings.hosts.map((address, i) => ({ name: hostName(i), address })),
    placeholders: placeholders(settings),
    diagnostics,
    next: nextSteps(file),
  };
}

export const initCommand: CommandSpec = {
  name: 'init',
  summary: 'write a commented starter topology (from flags, or questions on a terminal)',
  description:
    'Writes FILE (default cluster.yaml), a commented topology that `scmctl validate` accepts as written. ' +
    'On a terminal, init asks for what the flags leave open (cluster name, SCM hosts, SSH user, security, runtime, ' +
    'and for apache-ozone the release tarball); with --defaults, --output json or without a terminal it asks nothing. ' +
    `Defaults: name ${INIT_DEFAULTS.name}; hosts ${INIT_DEFAULTS.hosts} (three SCMs on this machine, like ` +
    'examples/local-ha.yaml); transport local when every host is a loopback address and no SSH flag is given, else ssh ' +
    `(user ${INIT_DEFAULTS.sshUser}); security off; runtime embedded; data under ${INIT_DEFAULTS.dataDir}/<host>/ when the ` +
    'SCMs share this machine, else the built-in directories. --runtime apache-ozone needs --ozone-tarball (with its .sha512 ' +
    `beside it) and uses --java-home (default ${INIT_DEFAULTS.javaHome}); with --security it also writes Kerberos settings ` +
    `(default principal ${INIT_DEFAULTS.kerberosPrincipal}, marked CHANGE ME, and keytab ${INIT_DEFAULTS.kerberosKeytab}). ` +
    'An existing FILE is refused; with --force it is moved to FILE.bak-<timestamp>, never deleted.',
  args: ['[file]'],
  options: [
    { flags: '--name <name>', description: `cluster name (metadata.name; default ${INIT_DEFAULTS.name})` },
    { flags: '--hosts <list>', description: `SCM host addresses, comma-separated (default ${INIT_DEFAULTS.hosts})` },
    { flags: '--transport <kind>', description: 'how scmctl reaches the hosts (default: local for loopback hosts, else ssh)', choices: ['local', 'ssh'] },
    { flags: '--ssh-user <user>', description: `SSH login on the hosts (default ${INIT_DEFAULTS.sshUser})` },
    { flags: '--ssh-key <file>', description: 'SSH private key (default: the keys of your SSH agent)' },
    { flags: '--security', description: 'turn Ozone security on (certificates, TLS; Kerberos with apache-ozone)' },
    { flags: '--no-security', description: 'leave Ozone security off (the default)' },
    { flags: '--runtime <kind>', description: 'embedded (default) or apache-ozone (a real Ozone release)', choices: ['embedded', 'apache-ozone'] },
    { flags: '--ozone-tarball <file>', description: 'apache-ozone: the release ozone-X.Y.Z.tar.gz (its .sha512 beside it)' },
    { flags: '--ozone-version <version>', description: 'apache-ozone: the release version when the file name does not tell' },
    { flags: '--java-home <dir>', description: `apache-ozone: JAVA_HOME on the hosts (default ${INIT_DEFAULTS.javaHome})` },
    { flags: '--kerberos-principal <principal>', description: 'apache-ozone with --security: the SCM principal, e.g. scm/_HOST@YOUR.REALM' },
    { flags: '--kerberos-keytab <path>', description: 'apache-ozone with --security: the keytab path on the hosts' },
    { flags: '--data-dir <dir>', description: `where the SCMs keep their files (default ${INIT_DEFAULTS.dataDir} on this machine)` },
    { flags: '--defaults', description: 'ask nothing: the defaults for every flag not given' },
    { flags: '--force', description: 'replace an existing FILE (moved to FILE.bak-<timestamp>)' },
    { flags: '-o, --output <format>', description: 'text or json (a summary on stdout)', defaultValue: 'text', choices: ['text', 'json'] },
  ],
  examples: [
    'scmctl init',
    'scmctl init local.yaml --hosts 127.0.0.61,127.0.0.62,127.0.0.63 --defaults',
    'scmctl init prod.yaml --hosts scm1.example.com,scm2.example.com,scm3.example.com --ssh-user ozone --security',
    'scmctl init ozone.yaml --runtime apache-ozone --ozone-tarball ozone-2.2.0.tar.gz --hosts 10.0.0.1,10.0.0.2,10.0.0.3',
  ],
  async run(args, options, ctx) {
    const json = options['output'] === 'json';
    try {
      const doc = await init(args, options, ctx);
      if (json) ctx.stdout.write(JSON.stringify(doc, null, 2) + '\n');
      return 0;
    } catch (err) {
      if (!isCodedError(err)) throw err;
      if (json) writeFailureJson(ctx.stdout, 'document', err);
      ctx.stderr.write(`error[${err.code}]: ${err.message}\n${err.hint ? `  hint: ${err.hint}\n` : ''}`);
      return 1;
    }
  },
};
