/**
 * What shell completion needs from the command registry, read off the command specs (command.ts) so the
 * scripts follow every command, option and argument as it is declared: command names and summaries, each
 * option's spellings, whether it takes a value and what that value is (its `choices`, a file, a directory,
 * anything), and what each positional argument is. A value or argument is a file when its commander name
 * says so (`<file>`, `<file...>`, `[file]`, `<manifest>`, `<plan.json>`), a directory for `<dir>`, one of
 * some words when its name lists them (`<bash|zsh>`), else anything (no completion). The program's own
 * options are help, version and the ones given (options cli.ts accepts before and after a command's name,
 * such as -q/-v/--log-level), offered before the command and after it. Pure.
 */
import type { CommandSpec, OptionSpec } from '../command.js';

export type ValueKind =
  | { readonly kind: 'file' }
  | { readonly kind: 'dir' }
  | { readonly kind: 'words'; readonly words: readonly string[] }
  | { readonly kind: 'any' };

export interface CompletionOption {
  /** spellings, e.g. ['-o', '--output'] */
  readonly names: readonly string[];
  readonly description: string;
  /** the value's name as declared (`format` of `<format>`); null: a flag without a value */
  readonly label: string | null;
  readonly value: ValueKind | null;
}

export interface CompletionArgument {
  readonly label: string;
  readonly value: ValueKind;
  readonly optional: boolean;
  /** the last argument takes any number of words */
  readonly variadic: boolean;
}

export interface CompletionCommand {
  readonly name: string;
  readonly summary: string;
  readonly options: readonly CompletionOption[];
  readonly args: readonly CompletionArgument[];
}

export interface CompletionModel {
  readonly program: string;
  readonly commands: readonly CompletionCommand[];
  /** the options of the program itself (before a command) */
  readonly options: readonly CompletionOption[];
}

const HELP: CompletionOption = { names: ['-h', '--help'], description: 'display help for command', label: null, value: null };
const VERSION: CompletionOption = { names: ['-V', '--version'], description: 'output the version number', label: null, value: null };

/** `<plan.json>` → its kind; choices win over the name */
export function valueKind(label: string, choices?: readonly string[]): ValueKind {
  if (choices && choices.length > 0) return { kind: 'words', words: [...choices] };
  if (label.includes('|')) return { kind: 'words', words: label.split('|').filter((w) => w !== '') };
  if (/dir/i.test(label)) return { kind: 'dir' };
  if (/file|manifest|\.json$|\.ya?ml$/i.test(label)) return { kind: 'file' };
  return { kind: 'any' };
}

/** commander's `-o, --output <format>` → spellings and the value's name (null for a flag) */
export function parseFlags(flags: string): { names: string[]; label: string | null } {
  const names = flags.split(/[\s,|]+/).filter((t) => t.startsWith('-'));
  const m = /[<[]([^>\]]+?)(?:\.\.\.)?[>\]]/.exec(flags);
  return { names, label: m ? m[1]! : null };
}

function option(o: OptionSpec): CompletionOption {
  const { names, label } = parseFlags(o.flags);
  return { names, description: o.description, label, value: label === null ? null : valueKind(label, o.choices) };
}

function argument(a: string): CompletionArgument {
  const m = /^([<[])(.+?)(\.\.\.)?[>\]]$/.exec(a.trim());
  const label = m ? m[2]! : a;
  return { label, value: valueKind(label), optional: m?.[1] === '[', variadic: m?.[3] !== undefined };
}

/** `programOptions`: options of the program that every command accepts too (besides help and version) */
export function completionModel(specs: readonly CommandSpec[], programOptions: readonly OptionSpec[] = [], program = 'scmctl'): CompletionModel {
  const verbosity = programOptions.map(option);
  const commands: CompletionCommand[] = specs.map((s) => ({
    name: s.name,
    summary: s.summary,
    options: [...s.options.map(option), ...verbosity, HELP],
    args: s.args.map(argument),
  }));
  // commander's own `help [command]`
  commands.push({
    name: 'help',
    summary: 'display help for command',
    options: [HELP],
    args: [{ label: 'command', value: { kind: 'words', words: specs.map((s) => s.name) }, optional: true, variadic: false }],
  });
  return { program, commands, options: [...verbosity, HELP, VERSION] };
}
