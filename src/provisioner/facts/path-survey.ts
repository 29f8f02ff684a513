/**
 * One `stat` over a set of paths and all their ancestors, so directory and disk probes know, for each
 * path, whether it exists and its nearest existing ancestor.
 */
import { posix } from 'node:path';
import { sh } from '../hosts/shell-quote.js';
import { run, type ProbeContext } from './probe-context.js';

export interface SurveyedPath {
  readonly type: 'directory' | 'file' | 'symlink' | 'other';
  readonly owner: string;
  readonly group: string;
  readonly mode: number;
}

export function withAncestors(paths: readonly string[]): string[] {
  const all = new Set<string>();
  for (const p of paths) {
    let cur = posix.normalize(p);
    for (;;) {
      all.add(cur);
      const up = posix.dirname(cur);
      if (up === cur) break;
      cur = up;
    }
  }
  return [...all].sort();
}

export async function surveyPaths(ctx: ProbeContext, paths: readonly string[]): Promise<Map<string, SurveyedPath>> {
  const out = new Map<string, SurveyedPath>();
  if (paths.length === 0) return out;
  const all = withAncestors(paths);
  // the name goes last: it may contain '|'
  const r = await run(ctx, sh`LC_ALL=C stat -c '%F|%U|%G|%a|%n' -- ${all} 2>/dev/null`, { privileged: true });
  for (const line of r.stdout.split('\n')) {
    const parts = line.split('|');
    if (parts.length < 5) continue;
    const [f, owner, group, mode] = parts as [string, string, string, string];
    const name = parts.slice(4).join('|');
    const type = f === 'directory' ? 'directory' : f.includes('regular') ? 'file' : f === 'symbolic link' ? 'symlink' : 'other';
    out.set(name, { type, owner, group, mode: Number.parseInt(mode, 8) });
  }
  return out;
}

export function nearestExisting(survey: ReadonlyMap<string, SurveyedPath>, path: string): string | null {
  let cur = posix.normalize(path);
  for (;;) {
    if (survey.has(cur)) return cur;
    const up = posix.dirname(cur);
    if (up === cur) return null;
    cur = up;
  }
}
