/**
 * known_hosts files on the operator machine: loading, and appending keys accepted by `accept-new`.
 * Appends are serialised per file inside this process and re-check the file first, so parallel
 * connections (the pool) neither duplicate a line nor record two different keys for one host.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { formatKnownHostsLine, lookupHost, parseKnownHosts, type KnownHostsEntry, type ParsedKnownHosts } from './known-hosts.js';

export function defaultKnownHostsFiles(home: string = homedir()): string[] {
  return [join(home, '.ssh', 'known_hosts'), '/etc/ssh/ssh_known_hosts'];
}

export class KnownHostsFileError extends Error {
  readonly file: string;
  constructor(file: string, message: string, cause: unknown) {
    super(message, { cause });
    this.file = file;
  }
}

/** Reads and parses the files in order; a missing file counts as empty. */
export async function loadKnownHosts(files: readonly string[]): Promise<ParsedKnownHosts> {
  const entries: KnownHostsEntry[] = [];
  const skipped: ParsedKnownHosts['skipped'][number][] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new KnownHostsFileError(file, `cannot read ${file}: ${(err as Error).message}`, err);
    }
    const parsed = parseKnownHosts(text, file);
    entries.push(...parsed.entries);
    skipped.push(...parsed.skipped);
  }
  return { entries, skipped };
}

const queues = new Map<string, Promise<unknown>>();

export type RecordOutcome = { readonly kind: 'added' | 'present' } | { readonly kind: 'conflict'; readonly entries: readonly KnownHostsEntry[] };

/** Appends `host key` to `file` unless already there; reports a conflicting key recorded meanwhile. */
export function recordKnownHost(file: string, host: string, port: number, key: Buffer, options: { hashed?: boolean } = {}): Promise<RecordOutcome> {
  const previous = queues.get(file) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(async (): Promise<RecordOutcome> => {
    const current = await loadKnownHosts([file]);
    const { known } = lookupHost(current.entries, host, port);
    if (known.some((e) => e.key.equals(key))) return { kind: 'present' };
    if (known.length > 0) return { kind: 'conflict', entries: known };
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    let prefix = '';
    try {
      const text = await readFile(file, 'utf8');
      if (text.length > 0 && !text.endsWith('\n')) prefix = '\n';
    } catch {
      // a new file
    }
    await appendFile(file, `${prefix}${formatKnownHostsLine(host, port, key, { hashed: options.hashed ?? false })}\n`, { mode: 0o600 });
    return { kind: 'added' };
  });
  queues.set(file, next);
  void next.finally(() => {
    if (queues.get(file) === next) queues.delete(file);
  }).catch(() => undefined);
  return next;
}
