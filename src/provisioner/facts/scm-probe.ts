/**
 * The SCM on the host: its VERSION file, whether it runs (systemd unit, `ozone --daemon status scm`, or the
 * pid file), and, when it runs, its view of the ring (`ozone admin scm roles --json`).
 */
import { posix } from 'node:path';
import { isHostError } from '../hosts/host-error.js';
import { sh } from '../hosts/shell-quote.js';
import type { RolesFacts, ScmFacts, ScmVersionFile } from './host-facts.js';
import { parseJavaProperties } from './java-properties.js';
import { OZONE_DEFAULT_TIMEOUT_MS, ozoneCommand } from './ozone-command.js';
import { readOptions, run, type ProbeContext } from './probe-context.js';
import { parseRolesJson } from './roles-json.js';

export function versionFilePath(dbDir: string): string {
  return posix.join(dbDir, 'scm', 'current', 'VERSION');
}

export function toVersionFile(path: string, text: string): ScmVersionFile {
  const p = parseJavaProperties(text);
  const int = (k: string): number | null => (p[k] !== undefined && /^-?\d+$/.test(p[k]!) ? Number.parseInt(p[k]!, 10) : null);
  return {
    path,
    nodeType: p['nodeType'] ?? null,
    clusterId: p['clusterID'] ?? null,
    scmUuid: p['scmUuid'] ?? null,
    scmHa: p['scmHA'] === undefined ? null : p['scmHA'] === 'true',
    primaryScmNodeId: p['primaryScmNodeId'] ?? null,
    layoutVersion: int('layoutVersion'),
    cTime: int('cTime'),
    scmCertSerialId: p['scmCertSerialId'] ?? null,
    properties: p,
  };
}

async function pidAlive(ctx: ProbeContext, pidFile: string): Promise<number | null> {
  const raw = await ctx.host.readFile(pidFile, readOptions(ctx, true));
  const pid = raw ? Number.parseInt(raw.toString('utf8').trim(), 10) : Number.NaN;
  if (!Number.isInteger(pid) || pid <= 0) return null;
  const s = await ctx.host.stat(`/proc/${pid}`, ctx.signal ? { signal: ctx.signal } : {});
  return s.exists ? pid : null;
}

/**
 * Who asks `admin scm roles` on this host. Every SCM of a service answers with the leader's view of the ring,
 * so a cluster reads it through one SCM per service (plan/ring-reads.ts) rather than starting the command on
 * every SCM host. Without a turn the SCM is asked whenever it runs.
 */
export interface RolesTurn {
  /**
   * whether to start asking at once, beside the host's first reads, before it is known whether the SCM runs
   * (an answer that turns out not to be wanted is dropped): saves two round trips where the command is cheap
   */
  readonly early: boolean;
  /** once whether the SCM runs is known: true → ask now; false → roles stays null (not asked here, or not running) */
  decide(running: boolean): boolean;
  /** the answer, when asked */
  answered(roles: RolesFacts): void;
}

export async function probeRoles(ctx: ProbeContext): Promise<RolesFacts> {
  const oz = ctx.spec.ozone!;
  try {
    const r = await run(ctx, ozoneCommand(oz, ['admin', 'scm', 'roles', '--json', ...(oz.rolesArgs ?? [])]), {
      timeoutMs: oz.timeoutMs ?? OZONE_DEFAULT_TIMEOUT_MS,
    });
    if (r.exitCode !== 0) return { ok: false, exitCode: r.exitCode, message: (r.stderr || r.stdout).trim().slice(0, 500) };
    const peers = parseRolesJson(r.stdout);
    return peers ? { ok: true, peers } : { ok: false, exitCode: 0, message: `unexpected output: ${r.stdout.trim().slice(0, 200)}` };
  } catch (err) {
    if (isHostError(err, 'HOST_COMMAND_TIMEOUT')) return { ok: false, exitCode: -1, message: err.detail };
    throw err;
  }
}

/**
 * Whether `ozone --daemon status scm` answered (Ozone's hadoop_status_daemon: 0 running, 1 stale pid file,
 * 3 not running, nothing printed) rather than failed to run (a broken release: a crash prints a trace).
 */
export function daemonStatusAnswered(r: { exitCode: number; stdout: string; stderr: string }): boolean {
  if (r.exitCode === 0 || r.exitCode === 3) return true;
  return r.exitCode === 1 && `${r.stdout}${r.stderr}`.trim() === '';
}

/**
 * `initSystem` is the init system probe still under way: the VERSION file and the pid file are read at once,
 * beside the host's other reads (one wave less on an SCM host); only how to ask whether the SCM runs waits
 * for it.
 */
export async function probeScm(ctx: ProbeContext, initSystem: Promise<'systemd' | 'other'>, turn?: RolesTurn): Promise<ScmFacts | null> {
  const scm = ctx.spec.scm;
  if (!scm) return null;
  const early = turn?.early && ctx.spec.ozone ? probeRoles(ctx) : null;
  early?.catch(() => {}); // awaited below only if wanted
  const vpath = versionFilePath(scm.dbDir);
  const versionRaw = ctx.host.readFile(vpath, readOptions(ctx, true));
  const pid = scm.pidFile ? pidAlive(ctx, scm.pidFile) : Promise.resolve(null);
  const status = initSystem.then((init) => {
    const systemd = scm.systemdUnit !== undefined && init === 'systemd';
    return Promise.all([
      systemd ? run(ctx, sh`systemctl is-active -- ${scm.systemdUnit!}`) : Promise.resolve(null),
      ctx.spec.ozone && !systemd
        ? // privileged: with sudo the SCM runs as root, and the pid file `ozone-<user>-scm.pid` is named after the user asking
          run(ctx, ozoneCommand(ctx.spec.ozone, ['--daemon', 'status', 'scm']), { privileged: true, timeoutMs: ctx.spec.ozone.timeoutMs ?? OZONE_DEFAULT_TIMEOUT_MS })
        : Promise.resolve(null),
    ]);
  });
  const [versionText, pidAliveAt, [unit, daemon]] = await Promise.all([versionRaw, pid, status]);
  let running = false;
  let source: ScmFacts['runningSource'] = 'none';
  if (unit) {
    running = unit.stdout.trim() === 'active';
    source = 'systemd';
  } else if (daemon && daemonStatusAnswered(daemon)) {
    running = daemon.exitCode === 0;
    source = 'daemon-status';
  } else if (scm.pidFile) {
    // no status command, or the release's own tool failed (a broken or half-installed release): the pid file tells
    running = pidAliveAt !== null;
    source = 'pid-file';
  }
  const askable = running && ctx.spec.ozone !== undefined;
  let rolesFacts: RolesFacts | null = null;
  if (turn ? turn.decide(askable) : askable) {
    rolesFacts = await (early ?? probeRoles(ctx));
    turn?.answered(rolesFacts);
  }
  return {
    version: versionText ? toVersionFile(vpath, versionText.toString('utf8')) : null,
    running,
    runningSource: source,
    pid: pidAliveAt,
    roles: rolesFacts,
  };
}
