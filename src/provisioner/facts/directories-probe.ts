/** Directories (exists, empty, owner, mode, writable or creatable) and free disk space under given paths. */
import { posix } from 'node:path';
import { sh, shJoin } from '../hosts/shell-quote.js';
import { parseDfPosix } from './df-output.js';
import type { DirectoryFacts, DiskFacts } from './host-facts.js';
import { nearestExisting, surveyPaths } from './path-survey.js';
import { run, type ProbeContext } from './probe-context.js';

export async function probeDirectoriesAndDisk(ctx: ProbeContext): Promise<{ directories: DirectoryFacts[]; disk: DiskFacts[] }> {
  const dirs = (ctx.spec.directories ?? []).map((d) => posix.normalize(d));
  const diskPaths = (ctx.spec.diskPaths ?? []).map((d) => posix.normalize(d));
  if (dirs.length === 0 && diskPaths.length === 0) return { directories: [], disk: [] };
  const survey = await surveyPaths(ctx, [...dirs, ...diskPaths]);

  // What to test for writability: the directory itself, or the ancestor it would be created under.
  const writeTargets = dirs.map((d) => (survey.get(d)?.type === 'directory' ? d : nearestExisting(survey, d)));
  const checks = writeTargets.flatMap((t, i) => (t === null ? [] : [sh`test -w ${t} && echo ${i}`]));
  const [writable, emptiness, df] = await Promise.all([
    checks.length > 0 ? run(ctx, shJoin(checks, '; '), { privileged: true }) : Promise.resolve(null),
    Promise.all(
      dirs.map((d) =>
        survey.get(d)?.type === 'directory' ? run(ctx, sh`ls -A -- ${d} | head -n 1`, { privileged: true }) : Promise.resolve(null),
      ),
    ),
    (async () => {
      const measured = diskPaths.map((p) => nearestExisting(survey, p));
      const existing = [...new Set(measured.filter((m): m is string => m !== null))];
      if (existing.length === 0) return { measured, lines: new Map<string, ReturnType<typeof parseDfPosix>[number]>() };
      const r = await run(ctx, sh`LC_ALL=C df -Pk -- ${existing}`, { privileged: true });
      const parsed = parseDfPosix(r.stdout);
      const lines = new Map(existing.map((p, i) => [p, parsed[i]!] as const).filter(([, l]) => l !== undefined));
      return { measured, lines };
    })(),
  ]);
  const writableIdx = new Set((writable?.stdout ?? '').split('\n').filter((l) => /^\d+$/.test(l)).map(Number));

  const directories: DirectoryFacts[] = dirs.map((d, i) => {
    const s = survey.get(d);
    const isDir = s?.type === 'directory';
    return {
      path: d,
      exists: s !== undefined,
      notDirectory: s !== undefined && !isDir,
      empty: isDir ? emptiness[i]!.stdout.trim() === '' : null,
      owner: s?.owner ?? null,
      group: s?.group ?? null,
      mode: s?.mode ?? null,
      writable: writableIdx.has(i) && (isDir || s === undefined),
      existingAncestor: s === undefined ? nearestExisting(survey, d) : null,
    };
  });
  const disk: DiskFacts[] = [];
  diskPaths.forEach((p, i) => {
    const m = df.measured[i];
    const line = m ? df.lines.get(m) : undefined;
    if (!m || !line) return;
    disk.push({ path: p, measured: m, mountPoint: line.mountPoint, totalBytes: line.totalKiB * 1024, availableBytes: line.availableKiB * 1024 });
  });
  return { directories, disk };
}
