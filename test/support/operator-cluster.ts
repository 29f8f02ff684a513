/**
 * A real in-process SCM service for the operator command tests (`ozone admin datanode|pipeline|container`,
 * `scm finalizeupgrade`): two SCMs on loopback — `scm1` a follower (FollowerReplicator: it serves the
 * datanode port and answers NotLeader with a hint on the client port, as a Raft follower does) listed first,
 * `scm2` the standalone leader — three simulated datanodes reporting to both, and an ozone-site.xml for the
 * `ozone` command line, which is run in process (createActions + runProgram, as bin/ozone does) with its
 * stdout joined the way main.ts writes it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/common/clock.js';
import { silentLogger } from '../../src/common/logger.js';
import { createActions } from '../../src/scm/cli/actions.js';
import { runProgram } from '../../src/scm/cli/program.js';
import { systemHostLocality } from '../../src/scm/config/host-locality.js';
import { resolveScmConfig, type ScmConfig } from '../../src/scm/config/scm-config.js';
import { clientService, readScmTopology } from '../../src/scm/config/scm-topology.js';
import { startScmServer, type ScmServer } from '../../src/scm/server/scm-server.js';
import { readVersionFile } from '../../src/scm/storage/version-file.js';
import { DatanodeSimulator } from '../../src/scm/tools/datanode-simulator.js';
import { scmInit } from '../../src/scm/server/scm-init.js';
import { FollowerReplicator } from './follower-replicator.js';
import { freeNodePorts } from './free-ports.js';
import { siteConf, siteProperties, siteXml } from './scm-site.js';
import { waitUntil } from './wait.js';

export interface CliRun {
  readonly code: number;
  /** stdout as bin/ozone writes it (each ToolIo line ends with one newline) */
  readonly out: string;
  readonly err: string;
}

/** Runs `ozone <argv>` in process with this environment (OZONE_CONF_DIR …); nothing is mocked. */
export async function runOzone(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const line = (t: string): string => (t.endsWith('\n') ? t : `${t}\n`);
  const actions = createActions({
    io: { out: (t) => out.push(line(t)), err: (t) => err.push(line(t)) },
    env,
    mainScript: '/nonexistent/main.js',
    stopRequested: () => new Promise<string>(() => {}),
    readStdin: async () => '',
  });
  const code = await runProgram(argv, actions, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join(''), err: err.join('') };
}

export class OperatorCluster {
  readonly root = mkdtempSync(join(tmpdir(), 'scm-operator-'));
  readonly confDir = join(this.root, 'conf');
  leader!: ScmServer;
  follower!: ScmServer;
  sim!: DatanodeSimulator;
  leaderCfg!: ScmConfig;
  private props: Record<string, string> = {};
  /** the command line's ozone-site.xml properties */
  clientProps: Record<string, string> = {};

  /** `followerHost` becomes scm1 (listed first), `leaderHost` scm2. */
  constructor(
    readonly followerHost: string,
    readonly leaderHost: string,
    readonly datanodePrefix = 'op',
  ) {}

  get env(): NodeJS.ProcessEnv {
    return { OZONE_CONF_DIR: this.confDir, TZ: 'UTC' };
  }

  run(argv: readonly string[]): Promise<CliRun> {
    return runOzone(argv, this.env);
  }

  /** Runs with the command line's configuration plus `extra` properties (a configuration directory of its own). */
  runWith(extra: Readonly<Record<string, string>>, argv: readonly string[]): Promise<CliRun> {
    const dir = mkdtempSync(join(this.root, 'conf-'));
    writeFileSync(join(dir, 'ozone-site.xml'), siteXml({ ...this.clientProps, ...extra }));
    return runOzone(argv, { ...this.env, OZONE_CONF_DIR: dir });
  }

  async start(): Promise<void> {
    const ports = { scm1: await freeNodePorts(this.followerHost), scm2: await freeNodePorts(this.leaderHost) };
    const site = (nodeId: string): Record<string, string> =>
      siteProperties({
        hosts: [this.followerHost, this.leaderHost],
        metadataDir: (id) => join(this.root, id),
        nodeId,
        nodePorts: ports,
        extra: { 'hdds.heartbeat.interval': '100ms', 'hdds.scm.replication.thread.interval': '200ms', 'hdds.scmclient.failover.retry.interval': '50ms' },
      });
    this.props = site('scm2');
    mkdirSync(this.confDir, { recursive: true });
    // the command line's configuration: both SCMs, no local node (a client host)
    const client = { ...this.props };
    delete client['ozone.scm.node.id'];
    delete client['ozone.metadata.dirs'];
    this.clientProps = client;
    writeFileSync(join(this.confDir, 'ozone-site.xml'), siteXml(client));

    this.leaderCfg = await resolveScmConfig(siteConf(this.props), systemHostLocality);
    await scmInit(this.leaderCfg, { out: () => {}, err: () => {} });
    this.leader = await startScmServer({ config: this.leaderCfg, logger: silentLogger });
    const leaderUuid = readVersionFile(this.leaderCfg.dirs.versionFile)!.scmUuid;
    const followerCfg = await resolveScmConfig(siteConf(site('scm1')), systemHostLocality);
    await scmInit(followerCfg, { out: () => {}, err: () => {} });
    this.follower = await startScmServer({ config: followerCfg, logger: silentLogger, createReplicator: async () => new FollowerReplicator({ scmUuid: leaderUuid, host: this.leaderHost, nodeId: 'scm2' }) });

    const scms = clientService(readScmTopology(siteConf(client))).nodes;
    this.sim = new DatanodeSimulator(scms, { count: 3, prefix: this.datanodePrefix, intervalMs: 100, clock: systemClock, logger: silentLogger });
    this.sim.start();
    for (const s of [this.leader, this.follower]) await waitUntil(() => (s.status().datanodes as Record<string, number>).HEALTHY === 3, '3 healthy datanodes on every SCM');
  }

  /** the leader's client port, for `--scm` */
  get leaderClientAddress(): string {
    return `${this.leaderHost}:${this.leader.addresses.client!.port}`;
  }

  get followerClientAddress(): string {
    return `${this.followerHost}:${this.follower.addresses.client!.port}`;
  }

  /** FINALIZE a container through the leader's replicated log; the datanodes close it, the leader records CLOSED. */
  async close(containerID: number): Promise<void> {
    const res = await this.leader.context.replicator.submit({ type: 'updateContainerState', containerID, event: 'FINALIZE', at: Date.now() });
    if (!res.ok) throw new Error(res.message);
    await waitUntil(() => this.leader.context.stateStore.snapshotState.containers.get(containerID)?.state === 'CLOSED', `container ${containerID} CLOSED`);
    // and every replica reported CLOSED to the leader (the listings show the last reports)
    await waitUntil(() => this.leader.context.nodes.all().every((n) => n.containers.find((r) => r.containerID === containerID)?.state === 'CLOSED'), `replicas of ${containerID} CLOSED`);
  }

  async stop(): Promise<void> {
    await this.sim?.close();
    await this.follower?.close();
    await this.leader?.close();
    rmSync(this.root, { recursive: true, force: true });
  }
}
