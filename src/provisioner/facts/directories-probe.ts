/** Directories (exists, empty, owner, mode, writable or creatable) and free disk space under given paths. */
import { posix } from 'node:path';
import { sh, shJoin, type ShellCommand } from '../hosts/shell-quote.js';
import { parseDfPosix } from './df-output.js';
import type { DirectoryFacts, DiskFacts } from './host-facts.js';
import { nearestExisting, surveyPaths, withAncestors } from './path-survey.js';
import { run, type ProbeContext } from './probe-context.js';

/**
 * One wave per host (issue 13: a wave is an SSH channel and a batch on every host): the survey of the paths
 * and their ancestors goes together with the writability test of every candidate (each path and each
 * ancestor: the one that matters is known only after the survey), whether each directory is empty and `df` of
 * the disk paths. What is read is decided from the survey afterwards, so the answers are those of asking after it;
 * only when a disk path does not exist yet is `df` asked again, of its nearest existing ancestor.
 */
export async function probeDirectoriesAndDisk(ctx: ProbeContext): Promise<{ directories: DirectoryFacts[]; disk: DiskFacts[] }> {
  const dirs = (ctx.spec.directories ?? []).map((d) => posix.normalize(d));
  const diskPaths = (ctx.spec.diskPaths ?? []).map((d) => posix.normalize(d));
  if (dirs.length === 0 && diskPaths.length === 0) return { directories: [], disk: [] };
  const candidates = withAncestors(dirs);
  const uniqueDisk = [...new Set(diskPaths)];
  const [survey, writable, emptiness, dfAll] = await Promise.all([
    surveyPaths(ctx, [...dirs, ...diskPaths]),
    candidates.length > 0 ? run(ctx, shJoin(candidates.map((c, i) => sh`test -w ${c} && echo ${i}`), '; '), { privileged: true }) : Promise.resolve(null),
    dirs.length > 0 ? run(ctx, emptinessScript(dirs), { privileged: true }) : Promise.resolve(null),
    uniqueDisk.length > 0 ? run(ctx, sh`LC_ALL=C df -Pk -- ${uniqueDisk}`, { privileged: true }) : Promise.resolve(null),
  ]);
  const writableSet = new Set((writable?.stdout ?? '').split('\n').filter((l) => /^\d+$/.test(l)).map((l) => candidates[Number(l)]));

  const directories: DirectoryFacts[] = dirs.map((d, i) => {
    const s = survey.get(d);
    const isDir = s?.type === 'directory';
    // what to test for writability: the directory itself, or the ancestor it would be created under
    const target = isDir ? d : nearestExisting(survey, d);
    return {
      path: d,
      exists: s !== undefined,
      notDirectory: s !== undefined && !isDir,
      empty: isDir ? emptyAnswer(d, emptiness) : null,
      owner: s?.owner ?? null,
      group: s?.group ?? null,
      mode: s?.mode ?? null,
      writable: target !== null && writableSet.has(target) && (isDir || s === undefined),
      existingAncestor: s === undefined ? nearestExisting(survey, d) : null,
    };
  });
  return { directories, disk: await diskFacts(ctx, diskPaths, uniqueDisk, survey, dfAll) };
}

/**
 * Which of the directories are empty: `find -empty` of all of them at once (one process, not an `ls` per
 * directory: issue 13) prints each empty one on its own line; an unreadable one is named in find's error.
 * The paths are absolute (the spec is checked), so none reads as an option.
 */
export function emptinessScript(dirs: readonly string[]): ShellCommand {
  return sh`LC_ALL=C find ${dirs} -maxdepth 0 -empty`;
}

/** find's answer for one directory → empty, not empty, or unknown (it could not be read). */
export function emptyAnswer(dir: string, r: { stdout: string; stderr: string } | null): boolean | null {
  if (r === null) return null;
  if (r.stdout.split('\n').includes(dir)) return true;
  return r.stderr.includes(`'${dir}'`) ? null : false;
}

/** Free space under each disk path, measured at the path or, when it does not exist yet, at its nearest existing ancestor. */
async function diskFacts(
  ctx: ProbeContext,
  diskPaths: readonly string[],
  uniqueDisk: readonly string[],
  survey: Awaited<ReturnType<typeof surveyPaths>>,
  dfAll: { stdout: string } | null,
): Promise<DiskFacts[]> {
  const measured = diskPaths.map((p) => nearestExisting(survey, p));
  const lines = new Map<string, ReturnType<typeof parseDfPosix>[number]>();
  if (dfAll !== null && uniqueDisk.every((p) => survey.has(p))) {
    const parsed = parseDfPosix(dfAll.stdout);
    uniqueDisk.forEach((p, i) => parsed[i] !== undefined && lines.set(p, parsed[i]!));
  } else {
    const existing = [...new Set(measured.filter((m): m is string => m !== null))];
    if (existing.length > 0) {
      const r = await run(ctx, sh`LC_ALL=C df -Pk -- ${existing}`, { privileged: true });
      const parsed = parseDfPosix(r.stdout);
      existing.forEach((p, i) => parsed[i] !== undefined && lines.set(p, parsed[i]!));
    }
  }
  const disk: DiskFacts[] = [];
  diskPaths.forEach((p, i) => {
    const m = measured[i];
    const line = m ? lines.get(m) : undefined;
    if (!m || !line) return;
    disk.push({ path: p, measured: m, mountPoint: line.mountPoint, totalBytes: line.totalKiB * 1024, availableBytes: line.availableKiB * 1024 });
  });
  return disk;
}
