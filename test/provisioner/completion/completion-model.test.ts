import { describe, expect, it } from 'vitest';
import type { CommandSpec } from '../../../src/provisioner/command.js';
import { completionModel, parseFlags, valueKind } from '../../../src/provisioner/completion/completion-model.js';

const spec = (over: Partial<CommandSpec>): CommandSpec => ({ name: 'x', summary: 's', args: [], options: [], examples: [], run: async () => 0, ...over });

describe('completion model', () => {
  it('reads commander flag syntax', () => {
    expect(parseFlags('-o, --output <format>')).toEqual({ names: ['-o', '--output'], label: 'format' });
    expect(parseFlags('--host <name...>')).toEqual({ names: ['--host'], label: 'name' });
    expect(parseFlags('-y, --yes')).toEqual({ names: ['-y', '--yes'], label: null });
    expect(parseFlags('--out [dir]')).toEqual({ names: ['--out'], label: 'dir' });
  });

  it('tells files, directories, words and anything else apart by the value name; choices win', () => {
    expect(valueKind('file')).toEqual({ kind: 'file' });
    expect(valueKind('plan.json')).toEqual({ kind: 'file' });
    expect(valueKind('manifest')).toEqual({ kind: 'file' });
    expect(valueKind('dir')).toEqual({ kind: 'dir' });
    expect(valueKind('bash|zsh')).toEqual({ kind: 'words', words: ['bash', 'zsh'] });
    expect(valueKind('file', ['a', 'b'])).toEqual({ kind: 'words', words: ['a', 'b'] });
    expect(valueKind('node')).toEqual({ kind: 'any' });
  });

  it('lists each command with its options (+ --help), its arguments in order, and commander\'s help command', () => {
    const m = completionModel([
      spec({ name: 'repair', args: ['<file>', '<node>'], options: [{ flags: '--force', description: 'f' }] }),
      spec({ name: 'validate', args: ['<file...>'], options: [{ flags: '-o, --output <format>', description: 'o', choices: ['text', 'json'] }] }),
      spec({ name: 'init', args: ['[file]'] }),
    ], [{ flags: '-q, --quiet', description: 'q' }, { flags: '--log-level <level>', description: 'l', choices: ['error', 'info'] }]);
    expect(m.commands.map((c) => c.name)).toEqual(['repair', 'validate', 'init', 'help']);
    const [repair, validate, init, help] = m.commands;
    expect(repair!.options.map((o) => o.names)).toEqual([['--force'], ['-q', '--quiet'], ['--log-level'], ['-h', '--help']]);
    expect(m.options.map((o) => o.names[0])).toEqual(['-q', '--log-level', '-h', '-V']);
    expect(repair!.args.map((a) => [a.label, a.value.kind, a.optional, a.variadic])).toEqual([
      ['file', 'file', false, false],
      ['node', 'any', false, false],
    ]);
    expect(validate!.options[0]).toMatchObject({ names: ['-o', '--output'], label: 'format', value: { kind: 'words', words: ['text', 'json'] } });
    expect(validate!.args[0]).toMatchObject({ value: { kind: 'file' }, variadic: true });
    expect(init!.args[0]).toMatchObject({ optional: true, variadic: false });
    expect(help!.args[0]!.value).toEqual({ kind: 'words', words: ['repair', 'validate', 'init'] });
  });
});
