/**
 * A strict, recording RemoteHost for deterministic tests of facts, plan and apply (k0sctl's recording fake,
 * made strict): every call is recorded in order; an exec must match a scripted responder (first match in
 * order with uses left) or it FAILS; an optional command policy (e.g. `readOnlyViolation` from
 * read-only-commands.ts) is checked before any responder; `readOnly: true` makes writes and uploads fail.
 * Files live in a small in-memory filesystem used by readFile, stat, writeFileAtomic and upload.
 *
 * Failing means both: the call throws FakeHostViolation (not a HostError, so production code that handles
 * host errors cannot swallow it as a normal failure), and the reason is appended to `violations`, which
 * `assertNoViolations()` checks in case the code under test caught the throw anyway.
 */
import { Readable } from 'node:stream';
import type {
  ExecOptions,
  ExecResult,
  FileStat,
  HostInfo,
  ReadFileOptions,
  RemoteHost,
  StatOptions,
  UploadOptions,
  UploadResult,
  WriteFileOptions,
  WriteFileResult,
} from '../../src/provisioner/hosts/remote-host.js';
import type { ShellCommand } from '../../src/provisioner/hosts/shell-quote.js';

export class FakeHostViolation extends Error {
  override readonly name = 'FakeHostViolation';
}

export interface ExecCall {
  readonly kind: 'exec';
  readonly command: string;
  readonly sudo: boolean;
  readonly stdin?: string;
  readonly timeoutMs?: number;
}

export type RecordedCall =
  | ExecCall
  | { readonly kind: 'readFile'; readonly path: string; readonly sudo: boolean }
  | { readonly kind: 'stat'; readonly path: string; readonly sudo: boolean }
  | {
      readonly kind: 'writeFileAtomic';
      readonly path: string;
      readonly content: string;
      readonly mode: number;
      readonly sudo: boolean;
      readonly owner?: string;
      readonly backupSuffix?: string;
    }
  | { readonly kind: 'upload'; readonly path: string; readonly bytes: number; readonly mode: number; readonly sudo: boolean }
  | { readonly kind: 'close' };

export interface Responder {
  /** exact command text, a pattern, or a predicate */
  readonly match: string | RegExp | ((call: ExecCall) => boolean);
  /** when given, the call's sudo flag must equal it */
  readonly sudo?: boolean;
  readonly reply: Partial<ExecResult> | ((call: ExecCall) => Partial<ExecResult> | Promise<Partial<ExecResult>>);
  /** how many calls it answers; default unlimited */
  readonly times?: number;
}

export type FakeFile =
  | { readonly type: 'file'; content: Buffer; mode: number; owner: string; group: string; uid: number; gid: number }
  | { readonly type: 'directory'; mode: number; owner: string; group: string; uid: number; gid: number }
  | { readonly type: 'symlink'; target: string };

export type FakeFileInit = string | Buffer | FakeFile;

export interface FakeHostOptions {
  readonly name?: string;
  readonly info?: Partial<HostInfo>;
  readonly responders?: readonly Responder[];
  readonly files?: Readonly<Record<string, FakeFileInit>>;
  /** returns why a command is not allowed, or null; checked before responders */
  readonly commandPolicy?: (command: string, sudo: boolean) => string | null;
  /** writeFileAtomic and upload are violations */
  readonly readOnly?: boolean;
}

function toFile(init: FakeFileInit): FakeFile {
  if (typeof init === 'string' || Buffer.isBuffer(init)) {
    return { type: 'file', content: Buffer.from(init), mode: 0o644, owner: 'root', group: 'root', uid: 0, gid: 0 };
  }
  return init;
}

export class FakeHost implements RemoteHost {
  readonly info: HostInfo;
  readonly calls: RecordedCall[] = [];
  readonly violations: string[] = [];
  readonly files = new Map<string, FakeFile>();
  private readonly responders: Array<{ r: Responder; left: number }>;
  private readonly options: FakeHostOptions;
  private closed = false;

  constructor(options: FakeHostOptions = {}) {
    this.options = options;
    const name = options.name ?? 'fake1';
    this.info = { name, transport: 'ssh', address: '127.0.9.1', port: 22, user: 'root', ...options.info };
    this.responders = (options.responders ?? []).map((r) => ({ r, left: r.times ?? Number.POSITIVE_INFINITY }));
    for (const [p, f] of Object.entries(options.files ?? {})) this.files.set(p, toFile(f));
  }

  /** Adds responders after construction (they are tried after the existing ones). */
  respond(...responders: Responder[]): this {
    for (const r of responders) this.responders.push({ r, left: r.times ?? Number.POSITIVE_INFINITY });
    return this;
  }

  get execs(): readonly ExecCall[] {
    return this.calls.filter((c): c is ExecCall => c.kind === 'exec');
  }

  assertNoViolations(): void {
    if (this.violations.length > 0) throw new FakeHostViolation(`fake host ${this.info.name}:\n  ${this.violations.join('\n  ')}`);
  }

  private fail(reason: string): never {
    this.violations.push(reason);
    throw new FakeHostViolation(`fake host ${this.info.name}: ${reason}`);
  }

  private assertOpen(): void {
    if (this.closed) this.fail('used after close()');
  }

  async exec(cmd: ShellCommand, options: ExecOptions = {}): Promise<ExecResult> {
    this.assertOpen();
    let stdin: string | undefined;
    if (typeof options.stdin === 'string') stdin = options.stdin;
    else if (options.stdin instanceof Uint8Array) stdin = Buffer.from(options.stdin).toString('utf8');
    else if (options.stdin instanceof Readable) stdin = Buffer.concat(await options.stdin.toArray()).toString('utf8');
    const call: ExecCall = {
      kind: 'exec',
      command: cmd.text,
      sudo: options.sudo === true,
      ...(stdin !== undefined ? { stdin } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    };
    this.calls.push(call);
    const policy = this.options.commandPolicy?.(call.command, call.sudo) ?? null;
    if (policy !== null) this.fail(`command refused by policy (${policy}): ${call.command}`);
    const found = this.responders.find(({ r, left }) => {
      if (left <= 0) return false;
      if (r.sudo !== undefined && r.sudo !== call.sudo) return false;
      if (typeof r.match === 'string') return r.match === call.command;
      if (r.match instanceof RegExp) return r.match.test(call.command);
      return r.match(call);
    });
    if (!found) this.fail(`unexpected command${call.sudo ? ' (sudo)' : ''}: ${call.command}`);
    found.left--;
    const reply = typeof found.r.reply === 'function' ? await found.r.reply(call) : found.r.reply;
    return { stdout: '', stderr: '', exitCode: 0, ...reply };
  }

  async readFile(path: string, options: ReadFileOptions = {}): Promise<Buffer | null> {
    this.assertOpen();
    this.calls.push({ kind: 'readFile', path, sudo: options.sudo === true });
    const f = this.resolve(path);
    if (!f) return null;
    if (f.type !== 'file') this.fail(`readFile of a ${f.type}: ${path}`);
    return Buffer.from(f.content);
  }

  async stat(path: string, options: StatOptions = {}): Promise<FileStat> {
    this.assertOpen();
    this.calls.push({ kind: 'stat', path, sudo: options.sudo === true });
    const f = this.files.get(path) ?? (this.isImpliedDir(path) ? toFile({ type: 'directory', mode: 0o755, owner: 'root', group: 'root', uid: 0, gid: 0 }) : undefined);
    if (!f) return { exists: false, path };
    if (f.type === 'symlink') {
      return { exists: true, path, type: 'symlink', size: f.target.length, mode: 0o777, uid: 0, gid: 0, owner: 'root', group: 'root', mtimeMs: 0, linkTarget: f.target };
    }
    return {
      exists: true,
      path,
      type: f.type,
      size: f.type === 'file' ? f.content.length : 4096,
      mode: f.mode,
      uid: f.uid,
      gid: f.gid,
      owner: f.owner,
      group: f.group,
      mtimeMs: 0,
    };
  }

  async writeFileAtomic(path: string, content: string | Uint8Array, options: WriteFileOptions): Promise<WriteFileResult> {
    this.assertOpen();
    const text = typeof content === 'string' ? content : Buffer.from(content).toString('utf8');
    this.calls.push({
      kind: 'writeFileAtomic',
      path,
      content: text,
      mode: options.mode,
      sudo: options.sudo === true,
      ...(options.owner !== undefined ? { owner: options.owner } : {}),
      ...(options.backupSuffix !== undefined ? { backupSuffix: options.backupSuffix } : {}),
    });
    if (this.options.readOnly) this.fail(`write in a read-only phase: ${path}`);
    let backupPath: string | null = null;
    const existing = this.files.get(path);
    if (options.backupSuffix !== undefined && existing?.type === 'file') {
      backupPath = path + options.backupSuffix;
      this.files.set(backupPath, { ...existing, content: Buffer.from(existing.content) });
    }
    this.files.set(path, { type: 'file', content: Buffer.from(text), mode: options.mode, owner: 'root', group: 'root', uid: 0, gid: 0 });
    return { backupPath };
  }

  async upload(source: string | Readable, remotePath: string, options: UploadOptions): Promise<UploadResult> {
    this.assertOpen();
    if (typeof source === 'string') this.fail(`upload from a local path is not supported by the fake: ${source}`);
    const content = Buffer.concat(await source.toArray());
    this.calls.push({ kind: 'upload', path: remotePath, bytes: content.length, mode: options.mode, sudo: options.sudo === true });
    if (this.options.readOnly) this.fail(`upload in a read-only phase: ${remotePath}`);
    this.files.set(remotePath, { type: 'file', content, mode: options.mode, owner: 'root', group: 'root', uid: 0, gid: 0 });
    return { bytes: content.length };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.calls.push({ kind: 'close' });
  }

  /** Follows symlinks in every component of the path (like the kernel does for open). */
  private resolve(path: string): FakeFile | undefined {
    let parts = path.split('/').filter(Boolean);
    for (let hops = 0, i = 0; i < parts.length; i++) {
      const prefix = '/' + parts.slice(0, i + 1).join('/');
      const f = this.files.get(prefix);
      if (f?.type !== 'symlink') continue;
      if (++hops > 16) return undefined;
      const base = f.target.startsWith('/') ? [] : parts.slice(0, i);
      parts = [...base, ...f.target.split('/').filter(Boolean), ...parts.slice(i + 1)];
      i = -1;
    }
    return this.files.get('/' + parts.join('/'));
  }

  private isImpliedDir(path: string): boolean {
    const prefix = path.endsWith('/') ? path : `${path}/`;
    for (const p of this.files.keys()) if (p.startsWith(prefix)) return true;
    return false;
  }
}
