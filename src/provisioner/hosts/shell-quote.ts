/**
 * The only way scmctl builds a command for a host (docs/design.md §2.5).
 *
 *   sh`sha256sum -- ${paths}`            // each path quoted, array joined by spaces
 *   sh`cd ${dir} && ${sh`tar -xzf ${f}`}` // a ShellCommand built by this tag is embedded as is
 *
 * Contract: the template's literal parts are trusted code written in this repository; every interpolated
 * value is data and comes out as exactly one POSIX `sh` word (arrays: one word per element). Strings
 * containing NUL are refused (they cannot reach argv). The result is a branded `ShellCommand`, so RemoteHost
 * APIs accept nothing else and an unquoted string cannot slip through. Secrets never go into commands:
 * they travel on stdin.
 */
declare const shellCommandBrand: unique symbol;

export interface ShellCommand {
  readonly text: string;
  readonly [shellCommandBrand]: true;
}

export type ShellScalar = string | number | bigint | ShellCommand;
export type ShellValue = ShellScalar | readonly ShellScalar[];

/** Characters that never need quoting in any position of a POSIX sh word (no `=`, `~`, globs, braces). */
const SAFE = /^[A-Za-z0-9_\-+.,/:@%]+$/;

/** Quotes one string as a single sh word. */
export function quote(value: string): string {
  if (value.includes('\0')) throw new TypeError('shell-quote: a NUL character cannot be passed to a command');
  if (value === '') return "''";
  if (SAFE.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function isShellCommand(value: unknown): value is ShellCommand {
  return typeof value === 'object' && value !== null && commands.has(value as ShellCommand);
}

/** Commands created by this module; a structurally similar object made elsewhere is not trusted. */
const commands = new WeakSet<ShellCommand>();

function make(text: string): ShellCommand {
  const cmd = Object.freeze({ text }) as ShellCommand;
  commands.add(cmd);
  return cmd;
}

function render(value: ShellScalar): string {
  if (isShellCommand(value)) return value.text;
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`shell-quote: ${value} is not a finite number`);
    return quote(String(value));
  }
  throw new TypeError(`shell-quote: cannot interpolate a value of type ${typeof value}`);
}

export function sh(strings: TemplateStringsArray, ...values: readonly ShellValue[]): ShellCommand {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    const rendered = Array.isArray(v) ? (v as readonly ShellScalar[]).map(render).join(' ') : render(v as ShellScalar);
    out += rendered + (strings[i + 1] ?? '');
  });
  return make(out);
}

/** Joins commands with a trusted separator (`; `, ` && `, ` || `, ` | ` or a newline). */
export function shJoin(parts: readonly ShellCommand[], separator: '; ' | ' && ' | ' || ' | ' | ' | '\n'): ShellCommand {
  for (const p of parts) if (!isShellCommand(p)) throw new TypeError('shJoin: only commands built with sh`` can be joined');
  return make(parts.map((p) => p.text).join(separator));
}

/** `sh -c '<cmd>'`: runs a command under POSIX sh whatever the login shell is. */
export function shInShell(cmd: ShellCommand): ShellCommand {
  if (!isShellCommand(cmd)) throw new TypeError('shInShell: only commands built with sh`` can be wrapped');
  return make(`sh -c ${quote(cmd.text)}`);
}
