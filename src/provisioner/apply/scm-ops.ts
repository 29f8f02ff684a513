/**
 * One SCM node's operations over its host's RemoteHost: run a `bin/ozone` command (with scm.env), read the
 * ring (`admin scm roles --json`), read VERSION. Non-zero exits become coded errors carrying the command's
 * last output lines and the host name.
 */
import type { ExecResult, RemoteHost } from '../hosts/remote-host.js';
import { sh } from '../hosts/shell-quote.js';
import type { RolePeer, ScmVersionFile } from '../facts/host-facts.js';
import { parseRolesJson } from '../facts/roles-json.js';
import { toVersionFile, versionFilePath } from '../facts/scm-probe.js';
import type { PlanNode } from '../plan/plan-model.js';
import { ApplyError, type ApplyErrorCode } from './apply-error.js';
import { ozoneCommand, ROLES_JSON } from './scm-commands.js';

export interface OpOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  /** written to the command's stdin (a join token: never argv) */
  readonly stdin?: string;
}

export function tail(r: ExecResult, lines = 6): string {
  const text = `${r.stdout}\n${r.stderr}`
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l !== '');
  return text.slice(-lines).join(' | ');
}

export class ScmOps {
  constructor(
    readonly host: RemoteHost,
    readonly node: PlanNode,
  ) {}

  async ozone(args: readonly string[], o: OpOptions = {}): Promise<ExecResult> {
    return this.host.exec(ozoneCommand(this.node, args), {
      ...(this.node.sudo ? { sudo: true } : {}),
      ...(o.stdin !== undefined ? { stdin: o.stdin } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
    });
  }

  /** runs the command; a non-zero exit throws `code` naming the host and quoting the output */
  async ozoneOk(args: readonly string[], code: ApplyErrorCode, what: string, o: OpOptions = {}, hint?: string): Promise<ExecResult> {
    const r = await this.ozone(args, o);
    if (r.exitCode !== 0) {
      throw new ApplyError(code, `${what} failed for ${this.node.key} (exit ${r.exitCode}): ${tail(r)}`, { host: this.node.host, ...(hint ? { hint } : {}) });
    }
    return r;
  }

  /** the ring as this node's client sees it (it follows not-leader hints to the leader); null when it cannot tell */
  async roles(o: OpOptions = {}): Promise<{ peers: RolePeer[] } | { error: string }> {
    const r = await this.ozone(ROLES_JSON, o);
    if (r.exitCode !== 0) return { error: `roles: exit ${r.exitCode}: ${tail(r, 2)}` };
    const peers = parseRolesJson(r.stdout);
    return peers ? { peers } : { error: `roles: unexpected output ${r.stdout.trim().slice(0, 120)}` };
  }

  async version(o: OpOptions = {}): Promise<ScmVersionFile | null> {
    const path = versionFilePath(this.node.dbDir);
    const raw = await this.host.readFile(path, { ...(this.node.sudo ? { sudo: true } : {}), ...(o.signal ? { signal: o.signal } : {}) });
    return raw ? toVersionFile(path, raw.toString('utf8')) : null;
  }

  async clearRestartMarker(o: OpOptions = {}): Promise<void> {
    const r = await this.host.exec(sh`rm -f -- ${this.node.restartMarker}`, { ...(this.node.sudo ? { sudo: true } : {}), ...(o.signal ? { signal: o.signal } : {}) });
    if (r.exitCode !== 0) throw new ApplyError('APPLY_SCM_START_FAILED', `cannot remove ${this.node.restartMarker}: ${tail(r, 2)}`, { host: this.node.host });
  }
}
