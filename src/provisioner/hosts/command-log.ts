/**
 * Every remote operation of a host, logged at debug level with its host, what it was and how long it took
 * (`scmctl … --verbose`): a decorator over any RemoteHost, so both transports and their batched() views
 * log the same way. Only names are logged — the first line of a command (shortened), a path — never stdin
 * (file contents, tokens, passwords travel there) nor output.
 *
 *   2026-12-07T10:00:01.234Z DEBUG remote command host=scm2 ran="ozone admin scm roles --json" ms=412 exit=0
 */
import type { Readable } from 'node:stream';
import { systemClock, type Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { ExecOptions, ExecResult, RemoteHost } from './remote-host.js';
import type { ShellCommand } from './shell-quote.js';

const MAX_SHOWN = 100;

/** The first non-empty line of a script, at most MAX_SHOWN characters. */
export function commandName(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  return line.length > MAX_SHOWN ? `${line.slice(0, MAX_SHOWN)}…` : line;
}

export function withCommandLog(host: RemoteHost, logger: Logger, clock: Clock = systemClock): RemoteHost {
  const name = host.info.name;
  async function timed<T>(what: Record<string, unknown>, op: () => Promise<T>, outcome: (r: T) => Record<string, unknown>): Promise<T> {
    const t0 = clock.now();
    try {
      const r = await op();
      logger.debug('remote command', { host: name, ...what, ms: Math.round(clock.now() - t0), ...outcome(r) });
      return r;
    } catch (err) {
      logger.debug('remote command', { host: name, ...what, ms: Math.round(clock.now() - t0), failed: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  }
  const logged: RemoteHost = {
    get info() {
      return host.info;
    },
    exec: (cmd: ShellCommand, options?: ExecOptions): Promise<ExecResult> =>
      timed({ ran: commandName(cmd.text), ...(options?.sudo ? { sudo: true } : {}) }, () => host.exec(cmd, options), (r) => ({ exit: r.exitCode })),
    readFile: (path, options) => timed({ read: path }, () => host.readFile(path, options), (r) => ({ bytes: r === null ? 'absent' : r.length })),
    writeFileAtomic: (path, content, options) => timed({ wrote: path }, () => host.writeFileAtomic(path, content, options), () => ({})),
    upload: (source: string | Readable, remotePath, options) => timed({ uploaded: remotePath }, () => host.upload(source, remotePath, options), (r) => ({ bytes: r.bytes })),
    stat: (path, options) => timed({ stat: path }, () => host.stat(path, options), (r) => ({ exists: r.exists })),
    close: () => host.close(),
  };
  const batched = host.batched?.bind(host);
  if (batched) logged.batched = () => withCommandLog(batched(), logger, clock);
  return logged;
}
