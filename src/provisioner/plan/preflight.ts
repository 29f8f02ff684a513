/**
 * Preflight checks (kubeadm-style: named, each failure ignorable by name with `--ignore-preflight-errors`,
 * or all of them with `all`), pure functions of the topology and the facts.
 *
 * | name        | on            | fails when                                                                 |
 * |-------------|---------------|----------------------------------------------------------------------------|
 * | ssh         | every host    | the host cannot be reached or read (never ignorable)                       |
 * | sudo        | become hosts  | sudo refuses (never ignorable)                                             |
 * | os-arch     | SCM hosts     | not Linux, or the CPU architecture differs from the runtime bundle's       |
 * | runtime     | SCM hosts     | embedded: no Node.js ≥ the bundle's minimum (not bundled, none on PATH);   |
 * |             |               | apache-ozone: runtime.java.home has no working bin/java                    |
 * | ports       | stopped SCMs  | one of the node's eight ports is in use on its address                     |
 * | directories | every host    | a directory to use is a file, or not writable/creatable by the user        |
 * | disk        | SCM hosts     | less than 1 GiB free for metadata, db or Raft log                          |
 * | clock-skew  | every host    | the host clock differs from the operator's by more than 10 s               |
 * | cluster-id  | SCM services  | the nodes' VERSION files disagree, or init would make a second cluster     |
 * | identity    | SCM nodes     | a node's scmUuid differs from the ring's member at its address             |
 *
 * `cluster-id` and `identity` come from dangerous-states.ts and are never ignorable either.
 */
import { unameArch } from '../bundle/bundle-manifest.js';
import type { DirectoryFacts, JavaFacts } from '../facts/host-facts.js';
import type { Host, Topology } from '../topology/model.js';
import { SCM_PORT_NAMES } from '../topology/model.js';
import { scmNodesOnHost } from '../topology/queries.js';
import type { ClusterFacts } from './cluster-facts.js';
import { PlanError } from './plan-error.js';
import { nodeKey, type PlanBundle, type PreflightResult } from './plan-model.js';
import { hostSudo } from './probe-specs.js';

export const IGNORABLE_CHECKS = ['os-arch', 'runtime', 'ports', 'directories', 'disk', 'clock-skew'] as const;
export const FIXED_CHECKS = ['ssh', 'sudo', 'cluster-id', 'identity'] as const;

export const MIN_FREE_BYTES = 1024 ** 3;
export const MAX_CLOCK_SKEW_MS = 10_000;

/** Validates `--ignore-preflight-errors` values (comma lists allowed); returns the normalised set. */
export function parseIgnoreList(values: readonly string[], extra: readonly string[] = []): ReadonlySet<string> {
  const out = new Set<string>();
  const ignorable: readonly string[] = [...IGNORABLE_CHECKS, ...extra];
  for (const v of values.flatMap((x) => x.split(',')).map((x) => x.trim().toLowerCase()).filter(Boolean)) {
    if (v === 'all') {
      for (const c of ignorable) out.add(c);
      continue;
    }
    if ((FIXED_CHECKS as readonly string[]).includes(v)) {
      throw new PlanError('PLAN_UNKNOWN_CHECK', `the preflight check "${v}" cannot be ignored`, {
        hint: `ignorable checks: ${ignorable.join(', ')}, all`,
      });
    }
    if (!ignorable.includes(v)) {
      throw new PlanError('PLAN_UNKNOWN_CHECK', `there is no preflight check named "${v}"`, { hint: `checks: ${ignorable.join(', ')}, all` });
    }
    out.add(v);
  }
  return out;
}

function gib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

export function runPreflight(topology: Topology, facts: ClusterFacts, bundle: PlanBundle | null, ignore: ReadonlySet<string>): PreflightResult[] {
  const out: PreflightResult[] = [];
  // `error`: a host that could not be read (its code and fix); `fix`: what to do about a failed check
  const add = (check: string, host: string, ok: boolean, message: string, error?: { code: string; hint?: string }, fix?: string): void => {
    const ignorable = (IGNORABLE_CHECKS as readonly string[]).includes(check);
    out.push({
      check,
      host,
      status: ok ? 'pass' : ignorable && ignore.has(check) ? 'ignored' : 'fail',
      message,
      ignorable,
      ...(error ? { code: error.code, ...(error.hint ? { hint: error.hint } : {}) } : {}),
      ...(!ok && fix !== undefined ? { hint: fix } : {}),
    });
  };
  for (const host of topology.hosts) {
    const obs = facts.hosts[host.name];
    if (!obs || !obs.ok) {
      const error = obs ? obs.error : { code: 'FACTS_MISSING', message: `host ${host.name}: no facts` };
      add(error.code === 'SUDO_FAILED' ? 'sudo' : 'ssh', host.name, false, error.message, error);
      continue;
    }
    const f = obs.facts;
    add('ssh', host.name, true, host.transport.kind === 'local' ? 'local host' : `reached as ${f.user.name}${f.hostKeyFingerprint ? ` (host key ${f.hostKeyFingerprint})` : ''}`);
    if (hostSudo(host)) add('sudo', host.name, true, 'sudo works');
    const nodes = scmNodesOnHost(topology, host.name);
    if (nodes.length > 0) {
      if (bundle) {
        const archOk = f.os.kernel === 'Linux' && (bundle.platform !== 'linux' || unameArch(bundle.arch).includes(f.os.arch));
        add('os-arch', host.name, archOk, archOk ? `${f.os.kernel} ${f.os.arch}` : `the host is ${f.os.kernel} ${f.os.arch}, the runtime bundle is for ${bundle.platform}-${bundle.arch}`);
        if (topology.runtime.kind === 'apache-ozone') add('runtime', host.name, ...javaCheck(topology, f.runtime.java));
        else {
          const wantsBundled = topology.runtime.node === 'bundled';
          const canBundled = bundle.bundledNode && topology.runtime.node !== 'system';
          const systemOk = f.runtime.system?.satisfies === true && !wantsBundled;
          const ok = canBundled || systemOk;
          add(
            'runtime',
            host.name,
            ok,
            canBundled
              ? 'Node.js comes with the runtime bundle'
              : systemOk
                ? `Node.js ${f.runtime.system!.version} on PATH`
                : wantsBundled
                  ? 'runtime.node is "bundled" but the bundle has no Node.js: create it with --with-node'
                  : `no Node.js ≥ ${f.runtime.minNodeMajor} on PATH (${f.runtime.system?.version ?? 'none'}) and the bundle has none`,
          );
        }
      }
      const ports = new Map(f.ports.map((p) => [p.port, p]));
      for (const n of nodes) {
        const scm = obs.nodes[nodeKey(n.serviceId, n.nodeId)]?.scm;
        if (scm?.running) continue;
        const busy = SCM_PORT_NAMES.map((name) => ({ name, p: ports.get(n.ports[name]) })).filter((x) => x.p?.state === 'in-use');
        add(
          'ports',
          host.name,
          busy.length === 0,
          busy.length === 0
            ? `${n.nodeId}: ports ${SCM_PORT_NAMES.map((x) => n.ports[x]).join(', ')} free on ${host.address}`
            : `${n.nodeId}: ${busy.map((b) => `${b.name} port ${b.p!.port} is in use (${b.p!.listeners.join(', ') || 'listening'})`).join('; ')}`,
          undefined,
          `stop what listens on ${host.name}, or give ${n.nodeId} other ports in the topology`,
        );
      }
      for (const d of f.disk) {
        add('disk', host.name, d.availableBytes >= MIN_FREE_BYTES, `${d.path}: ${gib(d.availableBytes)} free on ${d.mountPoint}`, undefined, `free space on ${d.mountPoint} of ${host.name} (at least ${gib(MIN_FREE_BYTES)}), or put the directory on another file system`);
      }
    }
    const badDirs = f.directories.filter((d) => d.notDirectory || !d.writable);
    add(
      'directories',
      host.name,
      badDirs.length === 0,
      badDirs.length === 0 ? `${f.directories.length} directories usable` : badDirs.map((d) => directoryProblem(d, f.user.name)).join('; '),
      undefined,
      badDirs.length === 0 ? undefined : directoryFix(host, badDirs, f.user.name),
    );
    if (f.clock) {
      const skew = Math.abs(f.clock.skewMs) - f.clock.uncertaintyMs;
      add('clock-skew', host.name, skew <= MAX_CLOCK_SKEW_MS, `clock ${f.clock.skewMs >= 0 ? 'ahead' : 'behind'} by ${Math.abs(f.clock.skewMs)} ms (±${f.clock.uncertaintyMs} ms)`, undefined, `synchronise the clock of ${host.name} (chrony or systemd-timesyncd with the site's NTP server)`);
    }
  }
  return out;
}

/** `/srv/scm1/meta is not writable by ozone (owner root:root, mode 0755)` */
function directoryProblem(d: DirectoryFacts, user: string): string {
  if (d.notDirectory) return `${d.path} is not a directory`;
  if (!d.exists) return `${d.path} does not exist and ${user} cannot create it${d.existingAncestor ? ` in ${d.existingAncestor}` : ''}`;
  const owner = d.owner !== null ? ` (owner ${d.owner}${d.group !== null ? `:${d.group}` : ''}${d.mode !== null ? `, mode ${d.mode.toString(8).padStart(4, '0')}` : ''})` : '';
  return `${d.path} is not writable by ${user}${owner}`;
}

/**
 * What to do about unusable directories — never "ignore the check": apply would fail on them. Give the
 * user running the SCMs the directories, or let scmctl work as root (become on SSH hosts; sudo for local).
 */
function directoryFix(host: Host, bad: readonly DirectoryFacts[], user: string): string {
  const files = bad.filter((d) => d.notDirectory).map((d) => d.path);
  const dirs = bad.filter((d) => !d.notDirectory).map((d) => d.path);
  const parts: string[] = [];
  if (files.length > 0) parts.push(`move ${files.join(', ')} out of the way on ${host.name}, or name other directories in the topology`);
  if (dirs.length > 0) {
    const give = `on ${host.name}: sudo mkdir -p ${dirs.join(' ')} && sudo chown ${user} ${dirs.join(' ')}`;
    if (hostSudo(host)) parts.push(`even ${user} through sudo cannot write ${dirs.join(', ')} on ${host.name}: the file system is read-only or the path immutable; mount it read-write or name other directories`);
    else if (host.transport.kind === 'local') parts.push(`give ${user} the directories (${give}), or run scmctl as a user who can write there (e.g. with sudo)`);
    else parts.push(`give ${user} the directories (${give}), or let scmctl work as root: ssh.become.enabled: true`);
  }
  return parts.join('; ');
}

/** An Apache Ozone release needs Java: the hosts' JAVA_HOME must run `bin/java -version`, or the bundle ships one */
function javaCheck(topology: Topology, java: JavaFacts | null | undefined): [boolean, string] {
  const rt = topology.runtime.java;
  if (rt && 'tarball' in rt) return [true, 'Java comes with the release bundle (JAVA_HOME=<install>/current/java)'];
  if (!java) return [false, 'runtime.java names no JAVA_HOME to check'];
  return java.ok ? [true, `${java.version} at ${java.home}`] : [false, `JAVA_HOME ${java.home} has no working bin/java (${java.version}): install a JDK or JRE there (Debian: openjdk-17-jre-headless), or ship one with runtime.java.tarball`];
}
