/**
 * The questions `scmctl init` asks on a terminal for what the flags left open: cluster name, SCM hosts, the
 * SSH user (when the hosts are reached over SSH), security on/off, the runtime, and for apache-ozone the
 * release tarball (and the Kerberos principal and keytab when security is on). Each shows its default in
 * brackets (Enter takes it); an answer that fails its check (answer-checks.ts) is explained and asked again.
 * At the end of input the remaining answers are left to the defaults — except the tarball, which has none
 * (the caller then refuses with INIT_OZONE_TARBALL_REQUIRED).
 *
 * Lines are read with node:readline/promises from the given streams (an async iterator, so answers typed
 * ahead or piped in by a test are not lost between questions); prompts go to `output`.
 */
import { createInterface } from 'node:readline/promises';
import { isCodedError } from '../../common/coded-error.js';
import type { OutputStream } from '../command.js';
import { checkName, checkOzoneTarball, checkPrincipal, checkAbsolute, checkRuntime, checkSshUser, parseHosts, parseYesNo } from './answer-checks.js';
import { impliedTransport, INIT_DEFAULTS, type InitInput } from './starter-settings.js';

export interface LineSource {
  /** the next line, or null at the end of input (or when aborted) */
  next(): Promise<string | null>;
  close(): void;
}

export function readLines(input: NodeJS.ReadableStream, signal: AbortSignal): LineSource {
  const rl = createInterface({ input, terminal: false, crlfDelay: Infinity });
  const lines = rl[Symbol.asyncIterator]();
  const aborted = new Promise<null>((resolve) => {
    if (signal.aborted) resolve(null);
    signal.addEventListener('abort', () => resolve(null), { once: true });
  });
  return {
    next: async () => {
      const r = await Promise.race([lines.next(), aborted]);
      return r === null || r.done ? null : r.value;
    },
    close: () => rl.close(),
  };
}

type Check<T> = (answer: string) => T | Promise<T>;

/**
 * Asks until the answer passes `check`; '' (Enter) → undefined (the default applies); end of input → undefined.
 */
async function ask<T>(lines: LineSource, out: OutputStream, question: string, fallback: string | undefined, check: Check<T>): Promise<T | undefined> {
  for (;;) {
    out.write(`${question}${fallback === undefined ? '' : ` [${fallback}]`}: `);
    const line = await lines.next();
    if (line === null) {
      out.write('\n');
      return undefined;
    }
    if (line.trim() === '') return undefined;
    try {
      return await check(line.trim());
    } catch (err) {
      if (!isCodedError(err)) throw err;
      out.write(`  ${err.message}${err.hint ? ` (${err.hint})` : ''}\n`);
    }
  }
}

/** The input with every open question answered (or left to its default). */
export async function askMissing(input: InitInput, lines: LineSource, out: OutputStream, cwd: string): Promise<InitInput> {
  const got: { -readonly [K in keyof InitInput]: InitInput[K] } = { ...input };
  const open = (v: unknown): boolean => v === undefined || v === '';
  if (open(got.name)) got.name = await ask(lines, out, 'Cluster name', INIT_DEFAULTS.name, checkName);
  if (open(got.hosts)) got.hosts = (await ask(lines, out, 'SCM hosts, comma-separated (3 or 5 for a quorum)', INIT_DEFAULTS.hosts, parseHosts))?.join(',');
  if (open(got.sshUser) && impliedTransport(got, (got.hosts ?? INIT_DEFAULTS.hosts).split(/[\s,]+/).filter((h) => h !== '')) === 'ssh') {
    got.sshUser = await ask(lines, out, 'SSH user on the hosts', INIT_DEFAULTS.sshUser, checkSshUser);
  }
  if (got.security === undefined) got.security = await ask(lines, out, 'Turn on Ozone security (certificates, TLS)? (y/n)', 'n', parseYesNo);
  if (open(got.runtime)) got.runtime = await ask(lines, out, "Runtime: embedded (scmctl's own SCM) or apache-ozone (a real Ozone release)", INIT_DEFAULTS.runtime, checkRuntime);
  if ((got.runtime ?? INIT_DEFAULTS.runtime) !== 'apache-ozone') return got;
  if (open(got.ozoneTarball)) {
    const release = await ask(lines, out, 'Path of the Ozone release tarball (ozone-X.Y.Z.tar.gz, its .sha512 beside it)', undefined, async (a) => {
      try {
        return { path: a, ...(await checkOzoneTarball(a, cwd, got.ozoneVersion)) };
      } catch (err) {
        if (!isCodedError(err, 'INIT_OZONE_VERSION_UNKNOWN')) throw err;
        const version = await ask(lines, out, 'Its Ozone version (the file name does not say; X.Y.Z)', undefined, (v) => checkOzoneTarball(a, cwd, v));
        if (version === undefined) throw err;
        return { path: a, ...version };
      }
    });
    if (release) {
      got.ozoneTarball = release.path;
      if (!release.versionFromName) got.ozoneVersion = release.version;
    }
  }
  if (got.security === true) {
    if (open(got.kerberosPrincipal)) got.kerberosPrincipal = await ask(lines, out, 'Kerberos principal of the SCMs', INIT_DEFAULTS.kerberosPrincipal, checkPrincipal);
    if (open(got.kerberosKeytab)) got.kerberosKeytab = await ask(lines, out, 'Keytab path on the SCM hosts', INIT_DEFAULTS.kerberosKeytab, (a) => checkAbsolute('the keytab path on the hosts', a));
  }
  return got;
}
