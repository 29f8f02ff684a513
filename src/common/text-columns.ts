/**
 * Plain-text columns for command output (`token list`, `cert list`, `scmctl status`): each column padded
 * to its widest cell, two spaces between columns, no trailing blanks.
 */
export function formatColumns(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}
