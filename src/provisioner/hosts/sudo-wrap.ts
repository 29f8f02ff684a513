/**
 * How a command is run as root (pure; used by both transports through runner-host.ts).
 *
 * - `root`: the login user is root; the command runs as is.
 * - `nopasswd`: `sudo -n -- sh -c …` (sudoers NOPASSWD; detected with `sudo -k -n true`).
 * - `password`: `sudo -k -S -p '' -- sh -c …` with `<password>\n` written to stdin before the caller's
 *   stdin. `-k` makes sudo ignore cached credentials so it always reads exactly one line, and never leaves
 *   the password for the command to read; sudo reads that line byte by byte, so the rest of stdin reaches
 *   the command intact. The password is validated once per host first, so a wrong one cannot make sudo
 *   consume the caller's stdin as further attempts.
 *
 * The wrapped command first prints a per-host marker line to stderr. No marker means sudo itself refused
 * (SUDO_FAILED); text before the marker is sudo's own (lecture, "Sorry, try again") and is dropped.
 */
import { quote } from './shell-quote.js';

export type SudoMode = 'root' | 'nopasswd' | 'password';

export function sudoScript(script: string, mode: SudoMode, marker: string): string {
  if (mode === 'root') return script;
  const inner = `printf '%s\\n' ${quote(marker)} >&2\n${script}`;
  const sudo = mode === 'nopasswd' ? 'sudo -n' : "sudo -k -S -p ''";
  return `${sudo} -- sh -c ${quote(inner)}`;
}

export interface SudoStderr {
  /** whether the command started (sudo accepted) */
  readonly started: boolean;
  /** what sudo printed before the command started (never contains the password: sudo does not echo it) */
  readonly sudoOutput: string;
  /** the command's own stderr */
  readonly commandStderr: Buffer;
}

export function splitSudoStderr(stderr: Buffer, marker: string): SudoStderr {
  const line = Buffer.from(`${marker}\n`);
  const at = stderr.indexOf(line);
  if (at < 0) return { started: false, sudoOutput: stderr.toString('utf8'), commandStderr: Buffer.alloc(0) };
  return {
    started: true,
    sudoOutput: stderr.subarray(0, at).toString('utf8'),
    commandStderr: stderr.subarray(at + line.length),
  };
}
