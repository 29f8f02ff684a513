/** `df -Pk PATH…` output (POSIX format), pure: one line per path in argument order after the header. */
export interface DfLine {
  readonly filesystem: string;
  readonly totalKiB: number;
  readonly availableKiB: number;
  readonly mountPoint: string;
}

export function parseDfPosix(text: string): DfLine[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const out: DfLine[] = [];
  for (const line of lines.slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6) continue;
    const total = Number.parseInt(f[1]!, 10);
    const avail = Number.parseInt(f[3]!, 10);
    if (!Number.isFinite(total) || !Number.isFinite(avail)) continue;
    out.push({ filesystem: f[0]!, totalKiB: total, availableKiB: avail, mountPoint: f.slice(5).join(' ') });
  }
  return out;
}
