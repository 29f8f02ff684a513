/**
 * The real implementations of the `ozone` commands: load the configuration, run a tool or the server,
 * print results and coded errors, and return the exit code. Long-running commands (`ozone scm`,
 * `ozone datanode`) resolve when SIGTERM/SIGINT has closed them cleanly.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../../common/clock.js';
import { isCodedError } from '../../common/coded-error.js';
import { createLogger, type Logger } from '../../common/logger.js';
import { certificateInfo } from '../ca/forge-x509.js';
import { hasIdentity, loadIdentity } from '../ca/identity-store.js';
import { redactTokens } from '../security/join-token.js';
import { readPrivateFile } from '../security/private-file.js';
import { clientTls, scmServerCheck } from '../security/tls-identities.js';
import { obtainIdentity, runCertList, runCertRequest, runCertRevoke } from '../tools/cert-commands.js';
import { clientTlsFor, metadataDirOf, securityEnabled } from '../tools/client-identity.js';
import { joinClientOptions, type JoinClientOptions } from '../tools/secure-join.js';
import { readTokenFile } from '../server/token-file.js';
import type { RpcEndpoint } from '../transport/rpc-endpoint.js';
import { runTokenCreate, runTokenList, runTokenRevoke } from '../tools/token-commands.js';
import { systemHostLocality } from '../config/host-locality.js';
import { loadOzoneConf, type OzoneConf } from '../config/ozone-conf.js';
import { readSizing, readTiming, resolveScmConfig, type ScmConfig } from '../config/scm-config.js';
import { clientService, endpointsOf, readScmTopology } from '../config/scm-topology.js';
import { newClusterId, readVersionFile, SOFTWARE_LAYOUT_VERSION } from '../storage/version-file.js';
import { daemonPaths, daemonStart, daemonStatus, daemonStop } from '../server/daemon.js';
import { runContainerCreate } from '../tools/container-create.js';
import { versionBanner } from '../tools/version-banner.js';
import type { LiveScmLocator } from '../tools/ldb.js';
import { fetchRoles, runRoles } from '../tools/roles.js';
import { scmClient } from '../tools/scm-client.js';
import { EXIT_FAILURE, EXIT_USAGE, ToolError } from '../tools/tool-error.js';
import type { ToolIo } from '../tools/tool-io.js';
import { validateContainerIds, runContainerInfo } from '../tools/container-info.js';
import { runContainerList } from '../tools/container-list.js';
import { runDatanodeList } from '../tools/datanode-list.js';
import { runFinalizationStatus, runFinalizeUpgrade } from '../tools/finalize-upgrade.js';
import { runGetconfKey, runGetconfScms } from '../tools/getconf.js';
import { runPipelineList } from '../tools/pipeline-list.js';
import type { CliActions, GlobalOptions } from './cli-types.js';
import { safeModeAction } from './safe-mode-action.js';

// The server, LevelDB and the tools built on them load when a command that needs them runs, not at every
// start: `admin scm roles` (what scmctl asks every SCM host on each plan) starts ~100 ms sooner.
const serverModule = (): Promise<typeof import('../server/scm-server.js')> => import('../server/scm-server.js');
const ldbModule = (): Promise<typeof import('../tools/ldb.js')> => import('../tools/ldb.js');

export interface ActionEnv {
  readonly io: ToolIo;
  readonly env: NodeJS.ProcessEnv;
  /** absolute path of the built main.js, used to spawn the daemon */
  readonly mainScript: string;
  /** catches SIGTERM/SIGINT from the first call on, and resolves when one arrives */
  readonly stopRequested: () => Promise<string>;
  /** all of stdin (a token handed over with `--token-file -`) */
  readonly readStdin: () => Promise<string>;
}

export function installRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'scmctl') return dir;
    dir = dirname(dir);
  }
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(installRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Prints a failure the way operators need it: the message, the fix, the stable code. */
export function report(io: ToolIo, err: unknown, options: { message?: boolean } = {}): void {
  // a token-shaped string never reaches a terminal or a log through an error message
  if (isCodedError(err)) {
    if (options.message !== false) io.err(redactTokens(err.message));
    if (err.hint) io.err(`  hint: ${redactTokens(err.hint)}`);
    const remote = (err as { remoteCode?: string }).remoteCode;
    const cause = causeCode(err.cause);
    io.err(`  code: ${err.code}${remote ? ` (${remote})` : ''}${cause && cause !== remote ? ` (cause: ${cause})` : ''}`);
  } else {
    io.err(redactTokens(err instanceof Error ? (err.stack ?? err.message) : String(err)));
  }
}

/** The code that explains a wrapped failure: the first server-side code in the cause chain, else the deepest coded one. */
function causeCode(cause: unknown): string | undefined {
  let deepest: string | undefined;
  for (let c = cause, depth = 0; c !== undefined && depth < 10; c = (c as { cause?: unknown }).cause, depth++) {
    if (!isCodedError(c)) continue;
    const remote = (c as { remoteCode?: string }).remoteCode;
    if (remote) return remote;
    deepest = c.code;
  }
  return deepest;
}

/** Failover settings of commands that wait for a leader as --bootstrap does (ozone.scm.info.wait.duration). */
function waitingJoin(c: OzoneConf, io: ToolIo): JoinClientOptions {
  return joinClientOptions(readTiming(c), io);
}

function exitCodeOf(err: unknown, fallback: number): number {
  return err instanceof ToolError ? err.exitCode : fallback;
}

export function createActions(ctx: ActionEnv): CliActions {
  const { io, env } = ctx;
  const client = <N extends Parameters<typeof scmClient>[1]>(g: GlobalOptions, port: N, o: { serviceId?: string; scm?: string }, extra: Parameters<typeof scmClient>[2] = {}) =>
    scmClient(conf(g), port, { ...(o.serviceId ? { serviceId: o.serviceId } : {}), ...(o.scm ? { scm: o.scm } : {}), env, ...extra });
  /** runs `run` with a client of the client port (closed afterwards); exit 0, or the reported error's code */
  const withAdminClient = (g: GlobalOptions, o: { serviceId?: string; scm?: string }, run: (c: ReturnType<typeof client<'client'>>) => Promise<unknown>): Promise<number> =>
    guarded(EXIT_FAILURE, async () => {
      const c = client(g, 'client', o);
      try {
        await run(c);
        return 0;
      } finally {
        await c.close();
      }
    });
  const securityEndpoints = (c: OzoneConf): RpcEndpoint[] => endpointsOf(clientService(readScmTopology(c)).nodes, 'security');
  const logger = (): Logger => createLogger({ sink: { write: (s) => io.err(s.replace(/\n$/, '')) }, level: (env.OZONE_LOG_LEVEL as 'debug' | 'info' | undefined) ?? 'info' });
  const conf = (g: GlobalOptions): OzoneConf => loadOzoneConf({ ...(g.conf === undefined ? {} : { confDir: g.conf }), env });
  const localConfig = async (g: GlobalOptions): Promise<ScmConfig> => resolveScmConfig(conf(g), systemHostLocality);
  const guarded = async (fallbackExit: number, fn: () => Promise<number>): Promise<number> => {
    try {
      return await fn();
    } catch (err) {
      report(io, err);
      return exitCodeOf(err, fallbackExit);
    }
  };

  return {
    async safeMode(g, o) {
      return guarded(EXIT_FAILURE, () => safeModeAction(conf(g), o, { env, io, clock: systemClock, report: (err) => report(io, err) }));
    },

    async version() {
      for (const line of versionBanner({ version: packageVersion(), release: 'scmctl embedded SCM', layoutVersion: SOFTWARE_LAYOUT_VERSION, nodeVersion: process.version, platform: `${process.platform}-${process.arch}` })) io.out(line);
      return 0;
    },

    async scm(g, o) {
      if (o.genclusterid) {
        io.out(newClusterId());
        return 0;
      }
      if (o.init && o.bootstrap) {
        io.err('--init and --bootstrap cannot be used together');
        return EXIT_USAGE;
      }
      if (g.daemon !== undefined) {
        const paths = daemonPaths(env, installRoot());
        if (g.daemon === 'status') return daemonStatus(paths);
        if (g.daemon === 'stop') return guarded(EXIT_FAILURE, () => daemonStop(paths, systemClock, io, { timeoutMs: Number(env.OZONE_STOP_TIMEOUT ?? 30) * 1000 }));
        const args = [ctx.mainScript, ...(g.conf === undefined ? [] : ['--conf', g.conf]), 'scm'];
        return guarded(EXIT_FAILURE, () => daemonStart(paths, { execPath: process.execPath, args, env }, systemClock, io));
      }
      if (o.init) {
        return guarded(EXIT_FAILURE, async () => {
          try {
            await (await import('../server/scm-init.js')).scmInit(await localConfig(g), io, o.clusterid === undefined ? {} : { clusterIdUuid: o.clusterid });
            return 0;
          } catch (err) {
            report(io, err);
            io.err('scm init failed');
            return exitCodeOf(err, EXIT_FAILURE);
          }
        });
      }
      if (o.bootstrap) {
        return guarded(EXIT_FAILURE, async () => {
          try {
            const token = o.tokenFile === undefined ? undefined : await readTokenFile(o.tokenFile, ctx.readStdin);
            await (await import('../server/scm-bootstrap.js')).scmBootstrap(await localConfig(g), io, { ...(token ? { token } : {}), ...(o.caCertHash ? { caCertHash: o.caCertHash } : {}) });
            return 0;
          } catch (err) {
            report(io, err);
            io.err('scm bootstrap failed');
            return exitCodeOf(err, EXIT_FAILURE);
          }
        });
      }
      return guarded(EXIT_FAILURE, async () => {
        const config = await localConfig(g);
        const log = logger().child({ scm: config.local.self.nodeId });
        const starting = new AbortController();
        void ctx.stopRequested().then((sig) => starting.abort(new ToolError('USAGE', `received ${sig} while starting`)));
        let onFatal: (err: Error) => void = () => {};
        const fatal = new Promise<Error>((resolve) => (onFatal = resolve));
        const reportFatal = (err: Error): void => {
          const code = (err as { code?: unknown }).code;
          io.err(`SCM stopping after a fatal error${typeof code === 'string' ? ` [${code}]` : ''}: ${err.message}`);
          const hint = (err as { hint?: unknown }).hint;
          if (typeof hint === 'string') io.err(`  hint: ${hint}`);
        };
        // A fatal error can strike while the server still starts (a joining SCM waits for the leader to add
        // it): the process ends then too, and never keeps its ports open with a dead core.
        const { startScmServer } = await serverModule();
        const starting$ = startScmServer({ config, logger: log, signal: starting.signal, onFatal: (err) => onFatal(err) });
        const first = await Promise.race([starting$.then((server) => ({ server })), fatal.then((err) => ({ err }))]);
        if ('err' in first) {
          reportFatal(first.err);
          starting.abort(first.err);
          const late = await Promise.race([starting$.catch(() => null), new Promise<null>((r) => setTimeout(() => r(null), 5000).unref())]);
          await late?.close();
          return 1;
        }
        const server = first.server;
        const outcome = await Promise.race([ctx.stopRequested().then((sig) => ({ sig })), fatal.then((err) => ({ err }))]);
        if ('err' in outcome) {
          reportFatal(outcome.err);
          await server.close();
          return 1;
        }
        io.err(`received ${outcome.sig}, shutting down`);
        await server.close();
        return 0;
      });
    },

    async roles(g, o) {
      return withAdminClient(g, o, (c) => runRoles(c, o.format, io));
    },

    async transfer(g, o) {
      return guarded(EXIT_FAILURE, async () => {
        const c = client(g, 'client', o);
        try {
          let target = o.nodeId;
          if (o.random) {
            const followers = (await fetchRoles(c)).filter((r) => r.role === 'FOLLOWER');
            if (followers.length === 0) throw new ToolError('USAGE', 'there is no follower to transfer leadership to');
            target = followers[Math.floor(Math.random() * followers.length)]!.scmUuid;
          }
          const res = await c.call('transferLeadership', { target: target ?? '' });
          // TransferScmLeaderSubCommand prints the id it was given, or "random node" for -r
          io.out(`Transfer leadership successfully to ${o.random ? 'random node' : (o.nodeId ?? res.newLeader)}.`);
          return 0;
        } finally {
          await c.close();
        }
      });
    },

    async containerCreate(g, o) {
      return guarded(EXIT_FAILURE, async () => {
        const c = client(g, 'client', o, { callTimeoutMs: 600_000 });
        try {
          await runContainerCreate(c, { count: o.count, replication: { replicationType: o.replicationType, replicationFactor: o.factor }, owner: o.owner }, io);
          return 0;
        } finally {
          await c.close();
        }
      });
    },

    async ldbList(g, o) {
      return guarded(EXIT_FAILURE, async () => {
        const { openForRead, ldbList } = await ldbModule();
        const { db, cleanup } = await openForRead(o.db, liveLocator(g));
        try {
          await ldbList(db, io);
          return 0;
        } finally {
          await cleanup();
        }
      });
    },

    async ldbScan(g, o, s) {
      return guarded(EXIT_FAILURE, async () => {
        const { openForRead, ldbScan } = await ldbModule();
        const { db, cleanup } = await openForRead(o.db, liveLocator(g));
        try {
          await ldbScan(db, s, io);
          return 0;
        } finally {
          await cleanup();
        }
      });
    },

    async ldbCheckpoint(g, o, output) {
      return guarded(EXIT_FAILURE, async () => {
        const { openForRead, ldbCheckpoint } = await ldbModule();
        const { db, cleanup } = await openForRead(o.db, liveLocator(g));
        try {
          await ldbCheckpoint(db, output, io);
          return 0;
        } finally {
          await cleanup();
        }
      });
    },

    async freon(g, o) {
      return guarded(EXIT_FAILURE, async () => {
        const c = conf(g);
        const blocks = scmClient(c, 'block', { env, onFailover: (from, to, reason) => io.err(`Failing over from ${from.nodeId} (${from.host}:${from.port}) to ${to.nodeId} (${to.host}:${to.port}): ${reason.message}`) });
        try {
          const { runFreon } = await import('../tools/freon.js');
          const result = await runFreon(blocks, { ...o, blockSize: readSizing(c).blockSizeBytes }, systemClock, io);
          return result.status === 'Success' ? 0 : EXIT_FAILURE;
        } finally {
          await blocks.close();
        }
      });
    },

    async datanode(g, o) {
      return guarded(EXIT_FAILURE, async () => {
        const c = conf(g);
        const scms = clientService(readScmTopology(c)).nodes;
        const identity = securityEnabled(c) ? await datanodeIdentity(c, o) : undefined;
        const prefix = o.prefix ?? identity?.host ?? hostname();
        if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(prefix)) throw new ToolError('USAGE', `--prefix ${JSON.stringify(prefix)}: a host name prefix is letters, digits, '.', '_' and '-'`, { exitCode: 2 });
        // the datanodes' "disks" (containers, pipelines) outlive the process, as a real datanode's do
        const meta = metadataDirOf(c);
        const [{ FileDatanodeDisks }, { DatanodeSimulator }] = await Promise.all([import('../tools/datanode-disk.js'), import('../tools/datanode-simulator.js')]);
        const disks = meta !== undefined ? new FileDatanodeDisks(join(meta, 'dn', prefix, 'disks')) : undefined;
        const sim = new DatanodeSimulator(scms, { count: o.count, prefix, intervalMs: readTiming(c).heartbeatIntervalMs, clock: systemClock, logger: logger(), ...(identity ? { tls: identity.tls } : {}), ...(disks ? { disks } : {}) });
        sim.start();
        io.err(`Started ${o.count} simulated datanodes (${prefix}-dn1..${o.count}) reporting to ${scms.map((s) => `${s.nodeId}(${s.host}:${s.ports.datanode})`).join(', ')}`);
        const sig = await ctx.stopRequested();
        io.err(`received ${sig}, stopping datanodes (${JSON.stringify(sim.stats)})`);
        await sim.close();
        return 0;
      });
    },

    async tokenCreate(g, o) {
      return withAdminClient(g, o, (c) => runTokenCreate(c, o, io));
    },

    async tokenList(g, o) {
      return withAdminClient(g, o, (c) => runTokenList(c, o.json, io));
    },

    async tokenRevoke(g, o) {
      return withAdminClient(g, o, (c) => runTokenRevoke(c, o.id, io));
    },

    async decommission(g, o) {
      const c = client(g, 'client', o);
      try {
        const r = await c.call('decommissionScm', { nodeId: o.nodeId });
        io.out(`Decommissioned Scm ${r.removed}`);
        return 0;
      } catch (err) {
        // Ozone: "Error decommissioning Scm <id>, <message>", exit non-zero
        io.err(`Error decommissioning Scm ${o.nodeId}, ${redactTokens((err as Error).message)}`);
        report(io, err, { message: false });
        return exitCodeOf(err, EXIT_FAILURE);
      } finally {
        await c.close();
      }
    },

    async certList(g, o) {
      return withAdminClient(g, o, (c) => runCertList(c, { json: o.json, ...(o.role ? { role: o.role } : {}), ...(o.count !== undefined ? { count: o.count } : {}), ...(o.start !== undefined ? { start: o.start } : {}) }, io));
    },

    async certRevoke(g, o) {
      return withAdminClient(g, o, (c) => runCertRevoke(c, o, io));
    },

    // ---- operator listings, getconf, upgrade finalization (Ozone's formats: see each tool file) ----
    // Execution errors exit 255 (Ozone GenericCli); the calls go to the leader through the failover client.

    async datanodeList(g, o) {
      return withAdminClient(g, o, (c) => runDatanodeList(c, o, io));
    },

    async pipelineList(g, o) {
      return withAdminClient(g, o, (c) => runPipelineList(c, o, io, env));
    },

    async containerList(g, o) {
      return withAdminClient(g, o, (c) => runContainerList(c, conf(g), o, io));
    },

    async containerInfo(g, o) {
      return guarded(EXIT_FAILURE, async () => {
        const ids = validateContainerIds(o.ids);
        return withAdminClient(g, o, (c) => runContainerInfo(c, { ids, json: o.json }, io));
      });
    },

    async getconf(g, o) {
      return guarded(EXIT_FAILURE, async () => {
        const c = conf(g);
        if (o.what === 'confKey') runGetconfKey(c, o.key, io);
        else await runGetconfScms(c, io);
        return 0;
      });
    },

    async finalizeUpgrade(g, o) {
      return withAdminClient(g, o, (c) => runFinalizeUpgrade(c, { takeover: o.takeover }, systemClock, io));
    },

    async finalizationStatus(g, o) {
      return withAdminClient(g, o, (c) => runFinalizationStatus(c, io));
    },

    async certRequest(g, o) {
      return guarded(EXIT_FAILURE, async () => {
        const c = conf(g);
        const token = await readTokenFile(o.tokenFile, ctx.readStdin);
        await runCertRequest(securityEndpoints(c), { token, caCertHash: o.caCertHash, out: o.out }, waitingJoin(c, io), io);
        return 0;
      });
    },
  };

  /**
   * A secure simulator's datanode identity: `--identity-dir` (default `<metadata>/dn/<prefix>`), obtained
   * with `--token-file`/`--ca-cert-hash` the first time (the token's host becomes the datanodes' host).
   */
  async function datanodeIdentity(c: OzoneConf, o: { prefix?: string; identityDir?: string; tokenFile?: string; caCertHash?: string }): Promise<{ host: string; tls: ReturnType<typeof clientTls> }> {
    const meta = metadataDirOf(c);
    const dir = o.identityDir ?? (meta !== undefined ? join(meta, 'dn', o.prefix ?? hostname()) : undefined);
    if (dir === undefined) {
      throw new ToolError('USAGE', 'this cluster is secure: give the datanode identity directory (--identity-dir DIR, or a configuration with ozone.metadata.dirs), and --token-file/--ca-cert-hash the first time');
    }
    if (!hasIdentity(dir)) {
      if (o.tokenFile === undefined || o.caCertHash === undefined) {
        throw new ToolError('USAGE', `this cluster is secure and ${dir} holds no datanode identity: give --token-file and --ca-cert-hash the first time`, {
          hint: `on an SCM host: ozone admin scm token create --type datanode --host ${o.prefix ?? hostname()}`,
        });
      }
      const token = await readTokenFile(o.tokenFile, ctx.readStdin);
      const serial = await obtainIdentity(securityEndpoints(c), { token, caCertHash: o.caCertHash, dir }, waitingJoin(c, io));
      io.err(`Datanode certificate ${serial} saved under ${dir}.`);
    }
    const id = loadIdentity(dir, 'obtain it with --token-file and --ca-cert-hash', (path) => readPrivateFile(path));
    const { subject } = certificateInfo(id.certPem);
    const host = subject.CN.startsWith('dn@') ? subject.CN.slice(3) : (o.prefix ?? hostname());
    return { host, tls: clientTls(id, id.rootPem, { clusterId: subject.O, sameHost: true }) };
  }

  function liveLocator(g: GlobalOptions): LiveScmLocator {
    return async (dbPath) => {
      try {
        const config = await localConfig(g);
        if (!existsSync(config.dirs.scmDb) || realpathSync(config.dirs.scmDb) !== dbPath) return undefined;
        const version = readVersionFile(config.dirs.versionFile);
        if (!version) return undefined;
        const host = config.bind.grpc === '0.0.0.0' ? '127.0.0.1' : config.bind.grpc;
        // a secure SCM's inter-SCM port requires mutual TLS: the tool authenticates with the admin identity;
        // it dials this SCM at its bind address, which need not be the host its certificate names
        const admin = clientTlsFor(config.conf, env);
        const tls = admin ? { ...admin, verifyServer: scmServerCheck({ clusterId: version.clusterId }) } : undefined;
        return { host, grpcPort: config.local.self.ports.grpc, clusterId: version.clusterId, ...(tls ? { tls } : {}) };
      } catch {
        return undefined;
      }
    };
  }
}
