/**
 * `scmctl completion bash|zsh`, checked in the real shells: the script loads without a word on stderr and
 * TAB completes command names, options (every option of every command in the registry), option values
 * and files. bash is driven through its completion API (COMP_WORDS/COMP_CWORD → the function → COMPREPLY);
 * zsh through a real interactive zsh on a pseudo-terminal (zsh-capture.zsh). zsh must be installed (Debian:
 * apt-get install -y zsh): without it these tests fail, they do not skip.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCodedError } from '../../../src/common/coded-error.js';
import type { CommandSpec } from '../../../src/provisioner/command.js';
import { completionCommand } from '../../../src/provisioner/commands/completion.js';
import { COMMANDS } from '../../../src/provisioner/commands/index.js';
import { parseFlags } from '../../../src/provisioner/completion/completion-model.js';
import { fakeContext } from './fake-context.js';

const CAPTURE = resolve('test/provisioner/completion/zsh-capture.zsh');
let dir: string;
const script: Record<'bash' | 'zsh', string> = { bash: '', zsh: '' };
let specs: CommandSpec[];

async function generate(shell: string): Promise<string> {
  const ctx = fakeContext();
  expect(await completionCommand(COMMANDS).run([shell], {}, ctx)).toBe(0);
  return ctx.out();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'scmctl-completion-'));
  // files to complete: a topology, one with a space, a folder
  mkdirSync(join(dir, 'work', 'sub'), { recursive: true });
  writeFileSync(join(dir, 'work', 'cluster.yaml'), '');
  writeFileSync(join(dir, 'work', 'my cluster.yaml'), '');
  for (const shell of ['bash', 'zsh'] as const) {
    script[shell] = join(dir, `scmctl.${shell}`);
    writeFileSync(script[shell], await generate(shell));
  }
  specs = await Promise.all(COMMANDS.map((c) => c.load()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(cmd: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd: join(dir, 'work'), encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, LANG: 'C.UTF-8' } });
  if (r.error) throw new Error(`cannot run ${cmd}: ${r.error.message}${cmd === 'zsh' ? ' — install zsh (apt-get install -y zsh): the zsh completion tests need it' : ''}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** COMPREPLY for the words (the last one is where the cursor is), sorted */
function bashComplete(...words: string[]): string[] {
  const prog = `source <(cat "$1") || exit 9; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMPREPLY=(); _scmctl; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = run('bash', ['--norc', '--noprofile', '-c', prog, 'bash', script.bash, ...words]);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').filter((l) => l !== '').sort();
}

/** the matches a real zsh offers when LINE is typed and TAB pressed, sorted and de-duplicated */
function zshComplete(line: string): string[] {
  const out = join(dir, 'zsh-matches.txt');
  const r = run('zsh', ['-f', CAPTURE, script.zsh, out, line]);
  expect(r.status, r.stderr).toBe(0);
  return [...new Set(readFileSync(out, 'utf8').split('\n').filter((l) => l !== '' && l !== '<done>'))].sort();
}

describe('scmctl completion bash', () => {
  it('loads in bash with nothing on stderr and registers the function for scmctl', () => {
    const r = run('bash', ['--norc', '--noprofile', '-c', 'source <(cat "$1") && complete -p scmctl', 'bash', script.bash]);
    expect(r).toEqual({ status: 0, stdout: 'complete -F _scmctl scmctl\n', stderr: '' });
  });

  it('completes command names', () => {
    expect(bashComplete('scmctl', 'pl')).toEqual(['plan']);
    expect(bashComplete('scmctl', 're')).toEqual(['render', 'repair', 'restore']);
    expect(bashComplete('scmctl', '')).toEqual([...COMMANDS.map((c) => c.name), 'help'].sort());
    expect(bashComplete('scmctl', '--')).toEqual(['--help', '--log-level', '--quiet', '--verbose', '--version']);
    // the program's own options may come first, --log-level with its value
    expect(bashComplete('scmctl', '--log-level', '')).toEqual(['debug', 'error', 'info', 'warn']);
    expect(bashComplete('scmctl', '--log-level', 'debug', 'pl')).toEqual(['plan']);
    expect(bashComplete('scmctl', '-q', 'st')).toEqual(['status']);
  });

  it('completes every option of every command in the registry', () => {
    for (const spec of specs) {
      const names = spec.options.flatMap((o) => parseFlags(o.flags).names).filter((n) => n.startsWith('--'));
      expect(bashComplete('scmctl', spec.name, '--')).toEqual([...names, '--quiet', '--verbose', '--log-level', '--help'].sort());
    }
  });

  it('completes option values: choices, after a space or an = (which bash splits off)', () => {
    expect(bashComplete('scmctl', 'validate', '-o', '')).toEqual(['json', 'text']);
    expect(bashComplete('scmctl', 'validate', '--output', '=', 'j')).toEqual(['json']);
    expect(bashComplete('scmctl', 'validate', '--output', '=')).toEqual(['json', 'text']);
    expect(bashComplete('scmctl', 'init', '--runtime', '')).toEqual(['apache-ozone', 'embedded']);
    expect(bashComplete('scmctl', 'completion', '')).toEqual(['bash', 'zsh']);
    expect(bashComplete('scmctl', 'help', 'ap')).toEqual(['apply']);
  });

  it('completes files where a command takes a file, directories for a directory, nothing for other values', () => {
    expect(bashComplete('scmctl', 'validate', '')).toEqual(['cluster.yaml', 'my cluster.yaml', 'sub']);
    expect(bashComplete('scmctl', 'apply', '--yes', '--concurrency', '3', 'c')).toEqual(['cluster.yaml']);
    expect(bashComplete('scmctl', 'init', '--data-dir', '')).toEqual(['sub']);
    expect(bashComplete('scmctl', 'init', '--hosts', '')).toEqual([]);
    // repair FILE NODE: the second argument is a node id, not a file
    expect(bashComplete('scmctl', 'repair', 'cluster.yaml', '')).toEqual([]);
    // a value taken by an option is not counted as an argument
    expect(bashComplete('scmctl', 'validate', '--output', 'json', 'cl')).toEqual(['cluster.yaml']);
  });
});

describe('scmctl completion zsh', () => {
  it('zsh is installed (apt-get install -y zsh): these tests need it and do not skip', () => {
    expect(run('zsh', ['-f', '-c', 'zmodload zsh/zpty && print ok']).stdout).toBe('ok\n');
  });

  it('loads after compinit with nothing on stderr and registers _scmctl for scmctl', () => {
    const r = run('zsh', ['-f', '-c', 'autoload -U compinit && compinit -u -D && source <(cat "$1") && print -r -- $_comps[scmctl]', 'zsh', script.zsh]);
    expect(r).toEqual({ status: 0, stdout: '_scmctl\n', stderr: '' });
  });

  it('completes command names, options, values and files in a real zsh', () => {
    expect(zshComplete('scmctl pl')).toEqual(['plan']);
    expect(zshComplete('scmctl ')).toEqual([...COMMANDS.map((c) => c.name), 'help'].sort());
    expect(zshComplete('scmctl validate --o')).toEqual(['--output']);
    expect(zshComplete('scmctl --log-level ')).toEqual(['debug', 'error', 'info', 'warn']);
    expect(zshComplete('scmctl validate --output ')).toEqual(['json', 'text']);
    expect(zshComplete('scmctl completion ')).toEqual(['bash', 'zsh']);
    expect(zshComplete('scmctl init --runtime ')).toEqual(['apache-ozone', 'embedded']);
    expect(zshComplete('scmctl apply c')).toEqual(['cluster.yaml']);
  });
});

describe('scmctl completion', () => {
  it('refuses another shell with a code', async () => {
    const err = await completionCommand(COMMANDS)
      .run(['fish'], {}, fakeContext())
      .catch((e: unknown) => e);
    expect(isCodedError(err, 'COMPLETION_UNKNOWN_SHELL')).toBe(true);
  });
});
