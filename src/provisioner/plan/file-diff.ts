/**
 * Unified diffs of managed files: the only user of the `diff` package in the provisioner (the adapter).
 * Output is `diff -u` shaped: `--- <path> (on host)`, `+++ <path> (rendered)`, hunks with 3 lines of
 * context; a file that does not exist yet diffs against the empty file.
 */
import { structuredPatch } from 'diff';

export interface FileDiff {
  readonly text: string;
  readonly added: number;
  readonly removed: number;
}

export function unifiedDiff(path: string, before: string | null, after: string): FileDiff {
  const patch = structuredPatch(path, path, before ?? '', after, before === null ? '(absent)' : '(on host)', '(rendered)', { context: 3 });
  let added = 0;
  let removed = 0;
  const lines = [`--- ${path} ${before === null ? '(absent)' : '(on host)'}`, `+++ ${path} (rendered)`];
  for (const h of patch.hunks) {
    lines.push(`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`);
    for (const l of h.lines) {
      if (l.startsWith('+')) added++;
      else if (l.startsWith('-')) removed++;
      lines.push(l);
    }
  }
  return { text: patch.hunks.length === 0 ? '' : `${lines.join('\n')}\n`, added, removed };
}
