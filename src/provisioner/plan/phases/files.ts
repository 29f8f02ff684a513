/**
 * Phase `files`: per host, create missing directories (SCM data directories 0700, parents first), mark
 * running SCMs whose files change, install a changed Kerberos keytab, write changed files (with a backup
 * when the file replaced is not scmctl's; the diff leaves scmctl's managed-by line out). OM, datanode and
 * client hosts only get this phase. migrate: apply's tasks, except the existing SCM's files and marks when
 * the convert stage writes them (after its backup).
 */
import { posix } from 'node:path';
import { readManagedHeader, sha256Hex, type CommentStyle } from '../../render/managed-header.js';
import type { RenderedFile } from '../../render/render-host.js';
import type { Host, ScmNode, Topology } from '../../topology/model.js';
import { keytabOnHost, scmNodesOnHost } from '../../topology/queries.js';
import { unifiedDiff } from '../file-diff.js';
import type { Task } from '../plan-model.js';
import { hostSudo } from '../probe-specs.js';
import type { MigrationContext, PhaseSpec, PlanContext, ReadHost } from './phase-context.js';

const MANAGED_HEADER_LINE = /^(<!-- |# )Managed by scmctl; do not edit \(changes are overwritten\)\. sha256=[0-9a-f]{64}( -->)?$/;

/** The file without scmctl's managed-by line, so diffs show only what really changes. */
export function withoutManagedHeader(text: string): string {
  const lines = text.split('\n');
  const i = lines.findIndex((l, idx) => idx < 2 && MANAGED_HEADER_LINE.test(l));
  if (i >= 0) lines.splice(i, 1);
  return lines.join('\n');
}

function styleOf(f: RenderedFile): CommentStyle {
  return f.kind === 'ozone-site' ? 'xml' : 'hash';
}

function planFiles(ctx: PlanContext): void {
  for (const host of ctx.topology.hosts) {
    const obs = ctx.host(host.name)!;
    const files = ctx.input.rendered.get(host.name) ?? [];
    const onHost = scmNodesOnHost(ctx.topology, host.name);
    const changed = files.filter((f) => obs.facts.files[f.path] !== sha256Hex(f.content));
    const mkdir = directoriesTask(ctx.topology, host, obs, files, onHost);
    if (mkdir) ctx.add(mkdir);
    for (const n of onHost) {
      if (changed.some((f) => f.scm?.serviceId === n.serviceId && f.scm?.nodeId === n.nodeId)) ctx.markForRestart(n, 'config');
    }
    const keytab = keytabTask(ctx.topology, host, obs.facts.files);
    if (keytab) {
      ctx.add(keytab);
      // a running SCM logged in with the old key: it takes the new one at its restart
      for (const n of onHost) ctx.markForRestart(n, 'keytab');
    }
    for (const f of changed) writeFile(ctx, host, obs, f);
  }
}

/** The directories the host's SCMs, files and keytab need that do not exist yet. */
function directoriesTask(topology: Topology, host: Host, obs: ReadHost, files: readonly RenderedFile[], onHost: readonly ScmNode[]): Task | null {
  const keytabPath = keytabOnHost(topology, host.name)?.path;
  const wanted = [
    ...new Set([
      ...onHost.flatMap((n) => (['config', 'metadata', 'db', 'ratis', 'snapshot', 'logs'] as const).map((d) => n.directories[d])),
      ...files.map((f) => posix.dirname(f.path)),
      ...(keytabPath !== undefined ? [posix.dirname(keytabPath)] : []),
    ]),
  ];
  const missing = wanted.filter((d) => !obs.facts.directories.some((x) => x.path === d && x.exists && !x.notDirectory));
  if (missing.length === 0) return null;
  // SCM data directories are created 0700 (Ozone's ozone.metadata.dirs.permissions default), parents first
  const data = new Set(onHost.flatMap((n) => (['metadata', 'db', 'ratis', 'snapshot'] as const).map((d) => n.directories[d])));
  return {
    kind: 'create-directories',
    id: `mkdir:${host.name}`,
    title: `create ${missing.length} director${missing.length === 1 ? 'y' : 'ies'} on ${host.name}`,
    host: host.name,
    paths: missing,
    privatePaths: missing.filter((d) => data.has(d)).sort(),
    sudo: hostSudo(host),
  };
}

/** One changed file: its diff for people, its write-file task (keeping a file that is not scmctl's). */
function writeFile(ctx: PlanContext, host: Host, obs: ReadHost, f: RenderedFile): void {
  const hash = obs.facts.files[f.path] ?? null;
  const before = hash === null ? null : (obs.contents[f.path] ?? null);
  let backupSuffix: string | undefined;
  if (hash !== null) {
    const header = before === null ? null : readManagedHeader(before, styleOf(f));
    if (!header || !header.managed || !header.intact) backupSuffix = `.scmctl-backup-${hash.slice(0, 8)}`;
  }
  const d = unifiedDiff(f.path, before === null ? (hash === null ? null : '') : withoutManagedHeader(before), withoutManagedHeader(f.content));
  const action = hash === null ? 'create' : 'update';
  ctx.fileChanges.push({ host: host.name, path: f.path, action, diff: d.text, added: d.added, removed: d.removed, ...(backupSuffix ? { backupSuffix } : {}) });
  ctx.add({
    kind: 'write-file',
    id: `file:${host.name}:${f.path}`,
    title: `${action} ${f.path} on ${host.name}${backupSuffix ? ` (the current file is kept as ${posix.basename(f.path)}${backupSuffix})` : ''}`,
    host: host.name,
    path: f.path,
    content: f.content,
    mode: f.mode,
    sha256: sha256Hex(f.content),
    ...(backupSuffix ? { backupSuffix } : {}),
    sudo: hostSudo(host),
  });
}

/** The keytab for `host`, when the topology distributes one and the host's copy differs (by sha256 only). */
export function keytabTask(topology: Topology, host: Host, files: Readonly<Record<string, string | null>>): Task | null {
  const k = keytabOnHost(topology, host.name);
  const src = k?.source;
  if (!k || !src || src.sha256 === undefined || files[k.path] === src.sha256) return null;
  const owner = topology.runtime.user === undefined ? undefined : `${topology.runtime.user}${topology.runtime.group ? `:${topology.runtime.group}` : ''}`;
  return {
    kind: 'install-keytab',
    id: `keytab:${host.name}`,
    title: `${files[k.path] ? 'replace' : 'install'} the Kerberos keytab ${k.path} on ${host.name} (0400${owner ? `, ${owner}` : ''})`,
    host: host.name,
    path: k.path,
    source: src.source,
    sha256: src.sha256,
    ...(owner ? { owner } : {}),
    sudo: hostSudo(host),
  };
}

function migrateFiles(m: MigrationContext): readonly Task[] {
  return m.from('files').filter((t) => !(m.convert && m.existingFiles.includes(t)));
}

function filesRollback(m: MigrationContext): string {
  const newHosts = [...new Set(m.others.map((n) => n.host))].join(', ');
  return `only configuration on ${newHosts || 'the new hosts'} changed; ${m.existing.nodeId} still runs as before. A replaced file that was not scmctl's is kept next to it as *.scmctl-backup-*`;
}

export const filesPhase = {
  id: 'files',
  title: 'Push configuration files',
  mode: 'per-host',
  plan: planFiles,
  migrate: { tasks: migrateFiles, rollback: filesRollback },
} as const satisfies PhaseSpec;
