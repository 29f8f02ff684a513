/**
 * The `tar` package adapter: the only file of the provisioner that imports it. Writes deterministic
 * gzip'd archives (sorted entries, fixed mtime, portable headers: no uid/gid/user names) and reads them
 * back entry by entry, hashing each file's content and collecting the few files asked for.
 *
 * Known bug guarded against (isaacs/node-tar#458, #460, open in 7.5.x): packing hard-linked files can
 * deadlock, and `create({file})` then never settles while the event loop drains, so Node exits 0 with a
 * truncated archive. createTarGz refuses inputs with more than one link, and a watchdog (which also keeps
 * the process alive) rejects if the output stops growing before the promise settles.
 */
import { createHash } from 'node:crypto';
import { lstat, stat } from 'node:fs/promises';
import { join } from 'node:path';
// tar is loaded when an archive is made or read, not when the CLI starts (issue 13: start-up time)
let tarModule: Promise<typeof import('tar')> | undefined;
const loadTar = (): Promise<typeof import('tar')> => (tarModule ??= import('tar'));

const STALL_MS = 60_000;

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'other';

export interface TarEntryInfo {
  readonly path: string;
  readonly type: TarEntryType;
  readonly size: number;
  readonly mode: number;
  readonly linkTarget?: string;
  /** sha256 hex of the content, for files */
  readonly sha256?: string;
}

/** Archives `files` (paths relative to `cwd`, in the given order) into `out` as .tar.gz. */
export async function createTarGz(out: string, cwd: string, files: readonly string[], options: { mtime: Date; gzipLevel?: number }): Promise<void> {
  for (const f of files) {
    const s = await lstat(join(cwd, f));
    if (s.isFile() && s.nlink > 1) throw new TypeError(`createTarGz: ${f} is hard-linked; pack a staging copy instead`);
  }
  let lastSize = -1;
  let lastChange = Date.now();
  let watchdog: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    watchdog = setInterval(() => {
      void stat(out).then(
        (s) => {
          if (s.size !== lastSize) {
            lastSize = s.size;
            lastChange = Date.now();
          } else if (Date.now() - lastChange > STALL_MS) reject(new Error(`tar stopped writing ${out} (node-tar stall)`));
        },
        () => undefined,
      );
    }, 1_000);
  });
  const { create } = await loadTar();
  const packed = create(
    {
      file: out,
      cwd,
      gzip: { level: options.gzipLevel ?? 6 },
      portable: true,
      mtime: options.mtime,
      noDirRecurse: true,
      strict: true,
    },
    [...files],
  );
  try {
    await Promise.race([packed, stalled]);
  } finally {
    clearInterval(watchdog);
  }
}

function typeOf(t: string): TarEntryType {
  if (t === 'File' || t === 'OldFile' || t === 'ContiguousFile') return 'file';
  if (t === 'Directory') return 'directory';
  if (t === 'SymbolicLink') return 'symlink';
  return 'other';
}

/** Every entry of a .tar.gz with content hashes; the content of the entries named in `collect` too. */
export async function inspectTarGz(
  file: string,
  options: { collect?: ReadonlySet<string>; maxCollectBytes?: number } = {},
): Promise<{ entries: TarEntryInfo[]; collected: Map<string, Buffer> }> {
  const entries: TarEntryInfo[] = [];
  const collected = new Map<string, Buffer>();
  const max = options.maxCollectBytes ?? 16 * 1024 * 1024;
  const { list } = await loadTar();
  await list({
    file,
    strict: true,
    onReadEntry: (entry) => {
      const type = typeOf(entry.type);
      const base = {
        path: entry.path,
        type,
        size: entry.size ?? 0,
        mode: entry.mode ?? 0,
        ...(entry.linkpath ? { linkTarget: entry.linkpath } : {}),
      };
      if (type !== 'file') {
        entries.push(base);
        entry.resume();
        return;
      }
      const hash = createHash('sha256');
      const keep = options.collect?.has(entry.path) ? ([] as Buffer[]) : null;
      let kept = 0;
      entry.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        if (keep && kept + chunk.length <= max) {
          keep.push(chunk);
          kept += chunk.length;
        }
      });
      entry.on('end', () => {
        entries.push({ ...base, sha256: hash.digest('hex') });
        if (keep) collected.set(entry.path, Buffer.concat(keep));
      });
    },
  });
  return { entries, collected };
}

/**
 * Unpacks a .tar.gz into `dir` (which must exist), dropping `strip` leading path components (a release's
 * `ozone-2.2.0/`). node-tar refuses absolute paths and `..` and does not write through symlinks.
 */
export async function extractTarGz(file: string, dir: string, options: { strip?: number } = {}): Promise<void> {
  const { extract } = await loadTar();
  await extract({ file, cwd: dir, strict: true, ...(options.strip ? { strip: options.strip } : {}) });
}
