/**
 * A simulated SCM cluster behind strict FakeHosts, for deterministic tests of facts → plan → apply loops.
 * Each FakeHost answers the read-only facts commands from its in-memory filesystem, and the commands apply
 * sends (mkdir, lock, rm, `bin/ozone` with scm.env) by changing that filesystem and a shared Raft ring model:
 *
 *  - `scm --init` writes VERSION (new clusterID unless one exists) and makes the node a one-member ring;
 *  - `scm --bootstrap` needs a running leader; writes VERSION with its clusterID;
 *  - `--daemon start` runs the node; an initialised node becomes a member; a ring elects the first running
 *    member as leader once a majority of members runs; `--daemon stop` stops it (a leader's ring re-elects);
 *  - `admin scm roles --json` answers when the ring has a leader; `admin scm transfer -n ID` moves leadership;
 *  - secure topologies: `admin scm token create --type scm --node-id N … --json` (on an initialised node,
 *    with a leader) mints a single-use token; `scm --bootstrap --token-file - --ca-cert-hash H` reads it
 *    from stdin and refuses a missing, used or foreign one (exit 255); tokens minted are in `tokens`;
 *  - `admin scm decommission --nodeid UUID` removes a member (not the leader); `addStranger` puts a member
 *    the topology does not declare into a ring.
 *
 * Every ozone operation is appended to `ops` (e.g. `stop svc/scm2`), and after each one the number of running
 * members is checked against the majority (`quorumLostDuring`), so tests can assert ordering and quorum.
 * Nothing here is a mock of production code: production code runs unchanged against these hosts.
 */
import { createHash, randomUUID } from 'node:crypto';
import { posix } from 'node:path';
import type { RemoteHost } from '../../src/provisioner/hosts/remote-host.js';
import type { Topology } from '../../src/provisioner/topology/model.js';
import { FakeHost, type ExecCall, type FakeFile, type Responder } from './fake-host.js';

export interface SimNode {
  readonly key: string;
  readonly host: string;
  readonly address: string;
  readonly ratisPort: number;
  readonly primordial: boolean;
  readonly configDir: string;
  readonly dbDir: string;
  readonly serviceId: string;
  scmUuid: string | null;
  clusterId: string | null;
  running: boolean;
  member: boolean;
}

export interface SimOptions {
  /** make one ozone operation fail: (op, node key) → exit code and stderr, or null */
  readonly fail?: (op: string, key: string) => { exitCode: number; stderr: string } | null;
  /** called after every ozone operation (e.g. to abort a run midway) */
  readonly afterOp?: (op: string, key: string) => void;
  readonly readOnly?: boolean;
  readonly commandPolicy?: (command: string, sudo: boolean) => string | null;
}

const dir = (mode = 0o755): FakeFile => ({ type: 'directory', mode, owner: 'ozone', group: 'ozone', uid: 1000, gid: 1000 });

export class SimCluster {
  readonly nodes = new Map<string, SimNode>();
  readonly hosts = new Map<string, FakeHost>();
  readonly ops: string[] = [];
  readonly quorumLostDuring: string[] = [];
  leader = new Map<string, string | null>();
  /** secure topologies: minted join tokens → node id they are for, and whether used */
  readonly tokens = new Map<string, { nodeId: string; used: boolean }>();
  /** ring members the topology does not declare, per service */
  readonly strangerMembers = new Map<string, Array<{ scmUuid: string; address: string; ratisPort: number }>>();
  readonly caCertHash = `sha256:${'ab'.repeat(32)}`;
  /**
   * per node key: how many more `roles` answers list it as UNREACHABLE (the leader has not heard from it
   * lately: a slow follower on a loaded machine), whatever its real state
   */
  readonly unreachableInRoles = new Map<string, number>();
  /** `<install>/current/bin/ozone` paths that exist (through the `current` symlink) */
  private readonly binaries = new Set<string>();

  constructor(
    readonly topology: Topology,
    private readonly options: SimOptions = {},
  ) {
    for (const s of topology.services) {
      this.leader.set(s.serviceId, null);
      for (const n of s.nodes) {
        this.nodes.set(`${s.serviceId}/${n.nodeId}`, {
          key: `${s.serviceId}/${n.nodeId}`,
          host: n.host,
          address: n.address,
          ratisPort: n.ports.ratis,
          primordial: n.primordial,
          configDir: n.directories.config,
          dbDir: n.directories.db,
          serviceId: s.serviceId,
          scmUuid: null,
          clusterId: null,
          running: false,
          member: false,
        });
      }
    }
    for (const h of topology.hosts) this.hosts.set(h.name, this.makeHost(h.name, h.address));
  }

  /**
   * The same cluster state behind new hosts that fail on anything but reading (FakeHost with `commandPolicy`
   * and `readOnly: true`): for proving that a phase only reads.
   */
  readOnlyCopy(commandPolicy: (command: string, sudo: boolean) => string | null): SimCluster {
    const copy = new SimCluster(this.topology, { commandPolicy, readOnly: true });
    for (const [k, n] of this.nodes) Object.assign(copy.nodes.get(k)!, { ...n });
    for (const [k, v] of this.leader) copy.leader.set(k, v);
    for (const b of this.binaries) copy.binaries.add(b);
    for (const [name, h] of this.hosts) {
      const target = copy.host(name).files;
      target.clear();
      for (const [p, f] of h.files) target.set(p, f);
    }
    return copy;
  }

  host(name: string): FakeHost {
    return this.hosts.get(name)!;
  }

  /**
   * A HostPool `connect` that hands out this cluster's hosts: one connection per call, like a transport (its
   * close() ends that connection only; the host and its recorded calls stay).
   */
  connect = async (spec: { name: string }): Promise<RemoteHost> => {
    const h = this.host(spec.name);
    let closed = false;
    const open = (): void => {
      if (closed) throw new Error(`sim connection to ${spec.name} used after close()`);
    };
    return {
      info: h.info,
      exec: (c, o) => (open(), h.exec(c, o)),
      readFile: (p, o) => (open(), h.readFile(p, o)),
      writeFileAtomic: (p, c, o) => (open(), h.writeFileAtomic(p, c, o)),
      upload: (src, p, o) => (open(), h.upload(src, p, o)),
      stat: (p, o) => (open(), h.stat(p, o)),
      close: async () => {
        closed = true;
      },
    };
  };

  private serviceNodes(serviceId: string): SimNode[] {
    return [...this.nodes.values()].filter((n) => n.serviceId === serviceId);
  }

  private elect(serviceId: string): void {
    const members = this.serviceNodes(serviceId).filter((n) => n.member);
    const up = members.filter((n) => n.running);
    const cur = this.leader.get(serviceId);
    if (cur && this.nodes.get(cur)?.running) return;
    this.leader.set(serviceId, up.length >= Math.floor(members.length / 2) + 1 ? (up[0]?.key ?? null) : null);
  }

  private checkQuorum(op: string): void {
    for (const s of this.topology.services) {
      const members = this.serviceNodes(s.serviceId).filter((n) => n.member);
      if (members.length < 2) continue;
      const up = members.filter((n) => n.running).length;
      if (up < Math.floor(members.length / 2) + 1 && this.everHealthy.has(s.serviceId)) this.quorumLostDuring.push(op);
      if (up === members.length) this.everHealthy.add(s.serviceId);
    }
  }
  private readonly everHealthy = new Set<string>();

  private writeVersion(n: SimNode): void {
    const h = this.host(n.host);
    h.files.set(posix.join(n.dbDir, 'scm/current/VERSION'), {
      ...fileOf(`#sim\nnodeType=SCM\nclusterID=${n.clusterId}\nscmUuid=${n.scmUuid}\nscmHA=true\nlayoutVersion=10\ncTime=1\n`),
    });
  }

  addStranger(serviceId: string, m: { scmUuid: string; address: string; ratisPort: number }): void {
    this.strangerMembers.set(serviceId, [...(this.strangerMembers.get(serviceId) ?? []), m]);
  }

  private ozone(n: SimNode, args: string, stdin?: string): { stdout?: string; stderr?: string; exitCode: number } {
    const op = args.startsWith('scm --init')
      ? 'init'
      : args.startsWith('scm --bootstrap')
        ? 'bootstrap'
        : args.startsWith('--daemon start')
          ? 'start'
          : args.startsWith('--daemon stop')
            ? 'stop'
            : args.startsWith('--daemon status')
              ? 'status'
              : args.startsWith('admin scm roles')
                ? 'roles'
                : args.startsWith('admin scm transfer')
                  ? 'transfer'
                  : args.startsWith('admin scm token create')
                    ? 'token'
                    : args.startsWith('admin scm decommission')
                      ? 'decommission'
                      : args === 'version'
                    ? 'version'
                    : `unknown:${args}`;
    const mutating = ['init', 'bootstrap', 'start', 'stop', 'transfer', 'token', 'decommission'].includes(op);
    if (mutating) this.ops.push(`${op} ${n.key}`);
    const injected = this.options.fail?.(op, n.key);
    if (injected) return injected;
    const result = this.dispatch(op, n, args, stdin);
    if (mutating) {
      this.checkQuorum(`${op} ${n.key}`);
      this.options.afterOp?.(op, n.key);
    }
    return result;
  }

  private dispatch(op: string, n: SimNode, args: string, stdin?: string): { stdout?: string; stderr?: string; exitCode: number } {
    const leaderKey = this.leader.get(n.serviceId) ?? null;
    switch (op) {
      case 'version':
        return { stdout: '              /    0.1.0(scmctl embedded SCM)\n\nWith scmctl embedded SCM: HDDS layout version 10; node v20\n', exitCode: 0 };
      case 'init': {
        if (!n.primordial) return { stdout: 'SCM init command can only be executed on Primordial SCM.\n', exitCode: 0 };
        if (!n.clusterId) {
          n.clusterId = `CID-${randomUUID()}`;
          n.scmUuid = randomUUID();
          n.member = true;
          this.writeVersion(n);
        }
        return { stdout: `SCM initialization succeeded. cid=${n.clusterId}; scmId=${n.scmUuid}\n`, exitCode: 0 };
      }
      case 'bootstrap': {
        const leader = leaderKey ? this.nodes.get(leaderKey)! : null;
        if (!leader) return { stderr: 'no leader answered getScmInfo\n', exitCode: 1 };
        if (n.clusterId && n.clusterId !== leader.clusterId) return { stderr: 'Could not bootstrap: cluster id mismatch\n', exitCode: 255 };
        if (!n.clusterId && this.topology.security.enabled) {
          if (!args.includes('--token-file -') || !args.includes(`--ca-cert-hash ${this.caCertHash}`)) return { stderr: 'code: BOOTSTRAP_NEEDS_TOKEN\n', exitCode: 255 };
          const t = this.tokens.get((stdin ?? '').trim());
          if (!t || t.used || !n.key.endsWith(`/${t.nodeId}`)) return { stderr: 'code: BOOTSTRAP_FAILED (cause: TOKEN_INVALID)\n', exitCode: 255 };
          t.used = true;
        }
        if (!n.clusterId) {
          n.clusterId = leader.clusterId;
          n.scmUuid = randomUUID();
          this.writeVersion(n);
        }
        return { stdout: `SCM BootStrap is successful for ClusterID ${n.clusterId}, SCMID ${n.scmUuid}\n`, exitCode: 0 };
      }
      case 'start': {
        if (!n.clusterId) return { stderr: 'SCM_NOT_INITIALIZED\n', exitCode: 1 };
        if (!n.running) {
          n.running = true;
          n.member = true;
        }
        this.elect(n.serviceId);
        return { stdout: 'Starting scm\n', exitCode: 0 };
      }
      case 'stop': {
        n.running = false;
        if (leaderKey === n.key) this.leader.set(n.serviceId, null);
        this.elect(n.serviceId);
        return { stdout: '', exitCode: 0 };
      }
      case 'status':
        return { stdout: '', exitCode: n.running ? 0 : 3 }; // Ozone's hadoop_status_daemon: silent, 0 or 3
      case 'roles': {
        if (!n.running && !this.serviceNodes(n.serviceId).some((x) => x.running)) return { stderr: 'connection refused\n', exitCode: 1 };
        if (!leaderKey) return { stderr: 'no leader\n', exitCode: 1 };
        const out: Record<string, unknown> = {};
        for (const m of this.serviceNodes(n.serviceId).filter((x) => x.member)) {
          const lagging = this.unreachableInRoles.get(m.key) ?? 0;
          if (lagging > 0) this.unreachableInRoles.set(m.key, lagging - 1);
          const role = lagging > 0 ? 'UNREACHABLE' : m.key === leaderKey ? 'LEADER' : 'FOLLOWER';
          out[m.address] = { address: `${m.address}:${m.ratisPort}`, raftPeerRole: role, ID: m.scmUuid, InetAddress: m.address };
        }
        for (const m of this.strangerMembers.get(n.serviceId) ?? []) out[m.address] = { address: `${m.address}:${m.ratisPort}`, raftPeerRole: 'FOLLOWER', ID: m.scmUuid, InetAddress: m.address };
        return { stdout: JSON.stringify(out), exitCode: 0 };
      }
      case 'transfer': {
        const target = args.split(/\s+/).pop()!;
        const t = this.serviceNodes(n.serviceId).find((x) => x.scmUuid === target || x.key.endsWith(`/${target}`));
        if (!t || !t.running || !t.member) return { stderr: `no such peer ${target}\n`, exitCode: 1 };
        this.leader.set(n.serviceId, t.key);
        return { stdout: 'Transfer leadership successfully\n', exitCode: 0 };
      }
      case 'token': {
        if (!this.topology.security.enabled || !n.clusterId) return { stderr: 'code: SCM_SECURITY_DISABLED\n', exitCode: 1 };
        if (!leaderKey) return { stderr: 'no leader\n', exitCode: 1 };
        const nodeId = /--node-id (\S+)/.exec(args)?.[1];
        if (!/--type scm/.test(args) || !nodeId || !args.includes('--json')) return { stderr: `unsupported ${args}\n`, exitCode: 2 };
        const id = createHash('sha1').update(`${this.tokens.size}`).digest('hex').replace(/[^a-z0-9]/g, '').slice(0, 6);
        const token = `${id}.${createHash('sha256').update(`${id}${nodeId}`).digest('hex').slice(0, 32)}`;
        this.tokens.set(token, { nodeId, used: false });
        return { stdout: JSON.stringify({ token, caCertHash: this.caCertHash, id }), exitCode: 0 };
      }
      case 'decommission': {
        const uuid = /--nodeid (\S+)/.exec(args)?.[1];
        const leader = leaderKey ? this.nodes.get(leaderKey) : undefined;
        if (!leader) return { stderr: 'no leader\n', exitCode: 1 };
        if (leader.scmUuid === uuid) return { stderr: 'Cannot remove current leader.\n', exitCode: 1 };
        const list = this.strangerMembers.get(n.serviceId) ?? [];
        const stranger = list.find((x) => x.scmUuid === uuid);
        const member = this.serviceNodes(n.serviceId).find((x) => x.scmUuid === uuid && x.member);
        if (stranger) this.strangerMembers.set(n.serviceId, list.filter((x) => x !== stranger));
        else if (member) member.member = false;
        else return { stderr: `${uuid} is neither the scmUuid nor the node id of a ring member\n`, exitCode: 1 };
        return { stdout: `Decommissioned Scm ${uuid}\n`, exitCode: 0 };
      }
      default:
        return { stderr: `unsupported ${args}\n`, exitCode: 2 };
    }
  }

  private nodeByConf(host: string, confDir: string): SimNode | undefined {
    return [...this.nodes.values()].find((n) => n.host === host && n.configDir === confDir);
  }

  private makeHost(name: string, address: string): FakeHost {
    const files: Record<string, FakeFile> = {
      '/etc/os-release': fileOf('ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12"\n'),
      '/proc/net/tcp': fileOf('  sl  local_address rem_address   st\n'),
      '/srv': dir(),
    };
    let host!: FakeHost;
    const fs = (): Map<string, FakeFile> => host.files;
    const exists = (p: string): FakeFile | undefined => fs().get(p) ?? ([...fs().keys()].some((k) => k.startsWith(`${p}/`)) ? dir() : undefined);
    const argsAfterDashDash = (cmd: string, stop: string | null = null): string[] => {
      let rest = cmd.slice(cmd.indexOf(' -- ') + 4);
      if (stop && rest.includes(stop)) rest = rest.slice(0, rest.indexOf(stop));
      return rest.trim().split(/\s+/).map(unquote);
    };
    const responders: Responder[] = [
      { match: /^date -u \+%s%N$/, reply: () => ({ stdout: `${BigInt(Date.now()) * 1_000_000n}\n` }) },
      { match: 'uname -s -n -r -m', reply: { stdout: `Linux ${name} 6.1.0 x86_64\n` } },
      { match: 'uname -s -m', reply: { stdout: 'Linux x86_64\n' } },
      { match: 'id', reply: { stdout: 'uid=1000(ozone) gid=1000(ozone) groups=1000(ozone)\n' } },
      { match: 'node --version 2>/dev/null', reply: { stdout: 'v20.19.1\n' } },
      { match: /\/node\/bin\/node --version 2>\/dev\/null$/, reply: { exitCode: 127 } },
      {
        match: /^LC_ALL=C sha256sum -- /,
        reply: (c: ExecCall) => {
          let stdout = '';
          let stderr = '';
          for (const p of argsAfterDashDash(c.command)) {
            const f = fs().get(p);
            if (f?.type === 'file') stdout += `${createHash('sha256').update(f.content).digest('hex')}  ${p}\n`;
            else stderr += `sha256sum: ${p}: No such file or directory\n`;
          }
          return { stdout, stderr, exitCode: stderr ? 1 : 0 };
        },
      },
      {
        match: /^LC_ALL=C stat -c '%F\|%U\|%G\|%a\|%n' -- /,
        reply: (c: ExecCall) => {
          const lines = argsAfterDashDash(c.command, ' 2>/dev/null').flatMap((p) => {
            const f = p === '/' ? dir() : exists(p);
            if (!f) return [];
            return [`${f.type === 'directory' ? 'directory' : f.type === 'file' ? 'regular file' : 'symbolic link'}|ozone|ozone|755|${p}`];
          });
          return { stdout: lines.join('\n') + '\n', exitCode: 0 };
        },
      },
      { match: /^test -d \/run\/systemd\/system /, reply: { stdout: '' } }, // the hosts run no systemd
      { match: /^test -w /, reply: (c: ExecCall) => ({ stdout: [...c.command.matchAll(/&& echo (\d+)/g)].map((m) => m[1]).join('\n') + '\n' }) },
      {
        match: /^LC_ALL=C find .* -maxdepth 0 -empty$/,
        reply: (c: ExecCall) => {
          const dirs = c.command.slice('LC_ALL=C find '.length, -' -maxdepth 0 -empty'.length).split(' ').map(unquote);
          const empty = dirs.filter((d) => exists(d)?.type === 'directory' && ![...fs().keys()].some((k) => k.startsWith(`${d}/`)));
          return { stdout: empty.map((d) => `${d}\n`).join('') };
        },
      },
      {
        match: /^LC_ALL=C df -Pk -- /,
        reply: (c: ExecCall) => ({
          stdout: `Filesystem 1024-blocks Used Available Capacity Mounted on\n${argsAfterDashDash(c.command).map(() => '/dev/vda 100000000 1000 99999000 1% /').join('\n')}\n`,
        }),
      },
      // facts: env NAME=VALUE… <bin> args
      {
        match: /^env .*\/current\/bin\/ozone /,
        reply: (c: ExecCall) => {
          const conf = /OZONE_CONF_DIR=([^'\s]+)/.exec(c.command)?.[1];
          const bin = /\s(\S+\/current\/bin\/ozone) /.exec(c.command)![1]!;
          if (!this.binaries.has(bin)) return { exitCode: 127, stderr: `${bin}: not found\n` };
          const n = conf ? this.nodeByConf(name, unquote(conf)) : undefined;
          const args = c.command.slice(c.command.indexOf(bin) + bin.length + 1);
          if (!n) return { exitCode: 1, stderr: 'no node\n' };
          return this.ozone(n, args);
        },
      },
      // apply: set -a; . <config>/scm.env; set +a; exec <bin> args
      {
        match: /^set -a; \. \S+ set \+a; exec \S+ /,
        reply: (c: ExecCall) => {
          const m = /^set -a; \. (\S+); set \+a; exec (\S+) (.*)$/s.exec(c.command)!;
          const n = this.nodeByConf(name, posix.dirname(unquote(m[1]!)));
          if (!n) return { exitCode: 1, stderr: 'no node\n' };
          if (!this.binaries.has(unquote(m[2]!))) return { exitCode: 127, stderr: 'ozone: not found\n' };
          return this.ozone(n, m[3]!, c.stdin);
        },
      },
      {
        // umask 022 && [mkdir -p -m 0700 -- <data dirs>] && [mkdir -p -- <others>]: new directories get the mode
        match: /^umask 022 && mkdir -p /,
        reply: (c: ExecCall) => {
          for (const part of c.command.split(' && ').slice(1)) {
            const mode = /^mkdir -p -m 0700 -- /.test(part) ? 0o700 : 0o755;
            for (const p of argsAfterDashDash(part)) if (!exists(p)) fs().set(p, dir(mode));
          }
          return { exitCode: 0 };
        },
      },
      {
        match: /^rm -f -- \S+$/,
        reply: (c: ExecCall) => {
          fs().delete(unquote(c.command.slice('rm -f -- '.length)));
          return { exitCode: 0 };
        },
      },
      {
        match: /if ln -- \S+ \S+ 2>\/dev\/null/,
        reply: (c: ExecCall) => {
          const lock = unquote(/if ln -- \S+ (\S+) 2>\/dev\/null/.exec(c.command)![1]!);
          const cur = fs().get(lock);
          if (cur?.type === 'file') return { stdout: cur.content.toString('utf8'), exitCode: 3 };
          fs().set(lock, fileOf(c.stdin ?? ''));
          return { stdout: 'acquired\n', exitCode: 0 };
        },
      },
    ];
    host = new FakeHost({
      name,
      info: { address, user: 'ozone' },
      files,
      responders,
      ...(this.options.commandPolicy ? { commandPolicy: this.options.commandPolicy } : {}),
      ...(this.options.readOnly ? { readOnly: true } : {}),
    });
    return host;
  }

  /** Installs a release the way installBundle leaves it (for ExecutorDeps.install). */
  install = async (h: { info: { name: string } }, bundle: { release: string }, installDir: string): Promise<{ changed: boolean; action: 'installed'; release: string; releaseDir: string; previous: string | null }> => {
    const host = this.host(h.info.name);
    const prev = host.files.get(posix.join(installDir, 'current'));
    this.ops.push(`install ${h.info.name}`);
    host.files.set(posix.join(installDir, 'releases', bundle.release, 'bin/ozone'), fileOf('#!/bin/sh\n'));
    host.files.set(posix.join(installDir, 'current'), { type: 'symlink', target: `releases/${bundle.release}` });
    this.binaries.add(posix.join(installDir, 'current/bin/ozone'));
    return { changed: true, action: 'installed', release: bundle.release, releaseDir: posix.join(installDir, 'releases', bundle.release), previous: prev?.type === 'symlink' ? prev.target : null };
  };
}

function fileOf(content: string): FakeFile {
  return { type: 'file', content: Buffer.from(content), mode: 0o644, owner: 'ozone', group: 'ozone', uid: 1000, gid: 1000 };
}

function unquote(s: string): string {
  return s.startsWith("'") && s.endsWith("'") ? s.slice(1, -1).replace(/'\\''/g, "'") : s;
}
