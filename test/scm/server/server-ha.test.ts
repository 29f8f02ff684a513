/**
 * In-process SCM HA (real LevelDB, real TCP on 127.0.4.11–13, free ports chosen up front, real Raft):
 * --init makes a one-member ring, --bootstrap + first start joins through the leader (addSCM), roles show
 * one LEADER, freon allocates through the leader with datanodes reporting to every SCM, every replica
 * holds identical containers, a closed leader is replaced and clients follow the hint, the old leader
 * returns and catches up, and a member added after the log was compacted installs the leader's checkpoint.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/common/clock.js';
import { silentLogger } from '../../../src/common/logger.js';
import { systemHostLocality } from '../../../src/scm/config/host-locality.js';
import { resolveScmConfig, type ScmConfig } from '../../../src/scm/config/scm-config.js';
import { raftStoreLocation } from '../../../src/scm/replication/raft-group.js';
import type { ScmServer } from '../../../src/scm/server/scm-server.js';
import { ScmServers } from '../../support/scm-servers.js';
import type { AllocatedBlock } from '../../../src/scm/managers/block-manager.js';
import { readVersionFile } from '../../../src/scm/storage/version-file.js';
import { DatanodeSimulator } from '../../../src/scm/tools/datanode-simulator.js';
import { runFreon } from '../../../src/scm/tools/freon.js';
import { fetchRoles } from '../../../src/scm/tools/roles.js';
import { formatPeerRole } from '../../../src/scm/protocol-servers/roles.js';
import { scmBootstrap } from '../../../src/scm/server/scm-bootstrap.js';
import { scmInit } from '../../../src/scm/server/scm-init.js';
import { bufferIo } from '../../../src/scm/tools/tool-io.js';
import { runContainerCreate } from '../../../src/scm/tools/container-create.js';
import { FailoverRpcClient } from '../../../src/scm/transport/rpc-failover-client.js';
import type { UntypedProtocol } from '../../../src/scm/transport/protocol-definition.js';
import { freeNodePorts } from '../../support/free-ports.js';
import { siteConf, siteProperties } from '../../support/scm-site.js';
import { waitUntil } from '../../support/wait.js';

const HOSTS = ['127.0.4.11', '127.0.4.12', '127.0.4.13', '127.0.4.14'];
const IDS = ['scm1', 'scm2', 'scm3', 'scm4'];
const FREON = { numOfVolumes: 1, numOfBuckets: 1, keySize: 512 * 1024, bufferSize: 4096, replicationType: 'RATIS', factor: 'THREE', validateWrites: false, json: '', blockSize: 1024 * 1024 } as const;

describe('SCM HA in process (127.0.4.11-14)', () => {
  const root = mkdtempSync(join(tmpdir(), 'scm-ha-it-'));
  const cfg = new Map<string, ScmConfig>();
  const scms = new ScmServers(cfg);
  const servers = scms.running;
  let sim: DatanodeSimulator | undefined;
  let ports: Record<string, Record<string, number>> = {};
  const closers: Array<() => Promise<void>> = [];

  const configFor = async (nodeId: string, count: number): Promise<ScmConfig> =>
    resolveScmConfig(
      siteConf(
        siteProperties({
          hosts: HOSTS.slice(0, count),
          metadataDir: (id) => join(root, id),
          nodeId,
          ratis: true,
          primordial: 'scm1',
          nodePorts: ports,
          extra: {
            'ozone.scm.ha.ratis.leader.election.timeout': '600ms',
            'ozone.scm.ha.ratis.snapshot.threshold': '40',
            'ozone.scm.ha.ratis.log.purge.gap': '5',
            'ozone.scm.info.wait.duration': '60s',
            'hdds.scmclient.failover.max.retry': '200',
            'ozone.scm.container.size': '8MB',
            'ozone.scm.block.size': '1MB',
            'ozone.scm.sequence.id.batch.size': '50',
          },
        }),
      ),
      systemHostLocality,
    );
  const start = (id: string): Promise<ScmServer> => scms.start(id);
  const stop = (id: string): Promise<void> => scms.stop(id);
  const leaderId = (): string | undefined => [...servers.entries()].find(([, s]) => s.context.replicator.isLeaderReady())?.[0];
  const blockClient = (): FailoverRpcClient<UntypedProtocol> => {
    const c = new FailoverRpcClient<UntypedProtocol>(
      IDS.slice(0, 3).map((id) => ({ nodeId: id, host: cfg.get(id)!.local.self.host, port: cfg.get(id)!.local.self.ports.block })),
      { retryIntervalMs: 50, maxFailovers: 400 },
    );
    closers.push(() => c.close());
    return c;
  };
  const containersOf = (id: string): string => JSON.stringify([...servers.get(id)!.context.stateStore.snapshotState.containers.values()].sort((a, b) => a.containerID - b.containerID));
  const converged = async (ids: readonly string[]): Promise<void> => {
    await waitUntil(() => {
      const applied = ids.map((id) => servers.get(id)!.context.replicator.status().appliedIndex);
      const commit = servers.get(leaderId() ?? ids[0]!)!.context.replicator.status().commitIndex;
      return applied.every((a) => a === commit) && new Set(ids.map(containersOf)).size === 1;
    }, `replicas ${ids.join(',')} converge`);
  };

  beforeAll(async () => {
    ports = Object.fromEntries(await Promise.all(IDS.map(async (id, i) => [id, await freeNodePorts(HOSTS[i]!)] as const)));
    for (const id of IDS.slice(0, 3)) cfg.set(id, await configFor(id, 3));
  });

  afterAll(async () => {
    await sim?.close();
    for (const c of closers.splice(0).reverse()) await c();
    await scms.stopAll();
    rmSync(root, { recursive: true, force: true });
  });

  it('--init creates VERSION with scmHA=true and a leader-ready one-member group; a second --init keeps the clusterID', async () => {
    const io = bufferIo();
    const r = await scmInit(cfg.get('scm1')!, io);
    expect(r.status).toBe('initialized');
    const v = readVersionFile(cfg.get('scm1')!.dirs.versionFile)!;
    expect(v).toMatchObject({ scmHA: true, primaryScmNodeId: v.scmUuid });
    expect(io.stdout.join('\n')).toMatch(/Raft group [0-9a-f-]{36} of this SCM is leader-ready \(term 2, applied index 2\)/);
    expect(readdirSync(raftStoreLocation(cfg.get('scm1')!, v.clusterId)).length).toBeGreaterThan(0);
    const again = bufferIo();
    expect(await scmInit(cfg.get('scm1')!, again, { clusterIdUuid: '11111111-2222-3333-4444-555555555555' })).toMatchObject({ status: 'already-initialized', version: { clusterId: v.clusterId } });
    expect(again.stdout.join('\n')).toContain('HAEnabled=true');
    // non-primordial nodes: init is a no-op
    expect(await scmInit(cfg.get('scm2')!, bufferIo())).toEqual({ status: 'skipped-not-primordial' });
    expect(readVersionFile(cfg.get('scm2')!.dirs.versionFile)).toBeUndefined();
  });

  it('bootstrapped SCMs join the ring at first start; roles show one LEADER and two FOLLOWERs', async () => {
    await start('scm1');
    await waitUntil(() => servers.get('scm1')!.context.replicator.isLeaderReady(), 'scm1 leader-ready');
    for (const id of ['scm2', 'scm3']) expect(await scmBootstrap(cfg.get(id)!, bufferIo())).toMatchObject({ status: 'bootstrapped' });
    // both join at once: the leader changes membership one at a time, the second waits for the first
    await Promise.all(['scm2', 'scm3'].map((id) => start(id)));
    for (const id of ['scm2', 'scm3']) expect(servers.get(id)!.status()).toMatchObject({ raft: { membership: 'voter' } });
    const cid = readVersionFile(cfg.get('scm1')!.dirs.versionFile)!.clusterId;
    for (const id of ['scm2', 'scm3']) expect(readVersionFile(cfg.get(id)!.dirs.versionFile)).toMatchObject({ clusterId: cid, scmHA: true });
    const client = new FailoverRpcClient<UntypedProtocol>(IDS.slice(0, 3).map((id) => ({ nodeId: id, host: cfg.get(id)!.local.self.host, port: cfg.get(id)!.local.self.ports.client })), { retryIntervalMs: 50 });
    closers.push(() => client.close());
    await waitUntil(async () => (await fetchRoles(client)).filter((r) => r.role === 'FOLLOWER').length === 2, 'two followers');
    const roles = await fetchRoles(client);
    for (const r of roles.filter((x) => x.role === 'FOLLOWER')) expect(r.health).toMatchObject({ reachable: true, lagging: false });
    const lines = roles.map(formatPeerRole);
    expect(lines.filter((l) => l.includes(':LEADER:'))).toHaveLength(1);
    for (const id of IDS.slice(0, 3)) {
      const self = cfg.get(id)!.local.self;
      const uuid = readVersionFile(cfg.get(id)!.dirs.versionFile)!.scmUuid;
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${self.host.replace(/\./g, '\\.')}:${self.ports.ratis}:(LEADER|FOLLOWER):${uuid}:${self.host.replace(/\./g, '\\.')}$`)));
    }
    const status = servers.get('scm2')!.status();
    expect(status).toMatchObject({ mode: 'raft', role: 'FOLLOWER', raft: { membership: 'voter' } });
    expect(status.ring).toHaveLength(3);
  });

  it('freon allocates through the leader with datanodes reporting to every SCM; all replicas hold identical containers', async () => {
    const nodes = IDS.slice(0, 3).map((id) => cfg.get(id)!.local.self);
    sim = new DatanodeSimulator(nodes, { count: 3, prefix: 'ha', intervalMs: 100, clock: systemClock, logger: silentLogger });
    sim.start();
    await waitUntil(() => IDS.slice(0, 3).every((id) => (servers.get(id)!.status().datanodes as Record<string, number>).HEALTHY === 3), 'every SCM sees 3 healthy datanodes');
    const r = await runFreon(blockClient(), { ...FREON, numOfThreads: 8, numOfKeys: 300 }, systemClock, bufferIo());
    expect(r).toMatchObject({ status: 'Success', keysAllocated: 300, failures: 0 });
    await converged(IDS.slice(0, 3));
    expect(servers.get('scm3')!.context.stateStore.snapshotState.containers.size).toBeGreaterThan(1);
    expect(sim.stats.executed).toBeGreaterThan(0);
  });

  it('a closed leader is replaced; clients follow the hint; the old leader returns and catches up', async () => {
    const old = leaderId()!;
    const oldTerm = servers.get(old)!.context.replicator.term();
    const client = blockClient();
    // allocations keep running while the leader goes away; ids never repeat across leaders (HDDS-8973)
    const ids: number[] = [];
    let running = true;
    const workers = Array.from({ length: 4 }, async () => {
      const c = blockClient();
      while (running) {
        const [b] = (await c.call('allocateBlock', { size: 1024, replication: { replicationType: 'RATIS', replicationFactor: 'THREE' }, owner: 't' })) as AllocatedBlock[];
        ids.push(b!.containerBlockID.localID);
      }
    });
    await waitUntil(() => ids.length >= 200, '200 allocations before the leader stops');
    await stop(old);
    const atStop = ids.length;
    await waitUntil(() => ids.length >= atStop + 200, '200 allocations by the new leader');
    running = false;
    await Promise.all(workers);
    expect(new Set(ids).size).toBe(ids.length);
    const next = leaderId()!;
    expect(next).not.toBe(old);
    expect(servers.get(next)!.context.replicator.term()).toBeGreaterThan(oldTerm);
    const r = await runFreon(client, { ...FREON, numOfThreads: 4, numOfKeys: 100 }, systemClock, bufferIo());
    expect(r.status).toBe('Success');
    await start(old);
    await converged(IDS.slice(0, 3));
    expect(servers.get(old)!.context.replicator.role()).toBe('FOLLOWER');
  });

  it('admin scm transfer moves leadership to a node id or scmUuid', async () => {
    const admin = new FailoverRpcClient<UntypedProtocol>(IDS.slice(0, 3).map((id) => ({ nodeId: id, host: cfg.get(id)!.local.self.host, port: cfg.get(id)!.local.self.ports.client })), { retryIntervalMs: 50, maxFailovers: 100 });
    closers.push(() => admin.close());
    const from = leaderId()!;
    const to = IDS.slice(0, 3).find((id) => id !== from)!;
    const uuid = readVersionFile(cfg.get(to)!.dirs.versionFile)!.scmUuid;
    expect(await admin.call('transferLeadership', { target: to })).toEqual({ newLeader: uuid });
    await waitUntil(() => leaderId() === to, `${to} leader-ready`);
    const back = readVersionFile(cfg.get(from)!.dirs.versionFile)!.scmUuid;
    expect(await admin.call('transferLeadership', { target: back })).toEqual({ newLeader: back });
    await waitUntil(() => leaderId() === from, `${from} leader-ready again`);
    await expect(admin.call('transferLeadership', { target: 'nobody' })).rejects.toMatchObject({ remoteCode: 'SCM_INVALID_ARGUMENT' });
  });

  it('an SCM added after the log was compacted catches up by installing the leader\'s checkpoint', async () => {
    for (const id of IDS) cfg.set(id, await configFor(id, 4));
    // enough replicated entries for several snapshots and a compacted log (threshold 40, 5 kept)
    const r = await runFreon(blockClient(), { ...FREON, numOfThreads: 8, numOfKeys: 400 }, systemClock, bufferIo());
    expect(r.status).toBe('Success');
    const admin = new FailoverRpcClient<UntypedProtocol>(IDS.slice(0, 3).map((id) => ({ nodeId: id, host: cfg.get(id)!.local.self.host, port: cfg.get(id)!.local.self.ports.client })), { retryIntervalMs: 50, maxFailovers: 100 });
    closers.push(() => admin.close());
    const io = bufferIo();
    const created = await runContainerCreate(admin, { count: 2500, replication: { replicationType: 'RATIS', replicationFactor: 'THREE' }, owner: 'bulk' }, io);
    expect(created.last - created.first + 1).toBe(2500);
    expect(io.stdout).toEqual([`2500 containers are created: #${created.first}..#${created.last}.`]);
    const leader = servers.get(leaderId()!)!;
    expect([...leader.context.stateStore.snapshotState.containers.values()].filter((c) => c.owner === 'bulk')).toHaveLength(2500);
    await waitUntil(() => (leader.context.replicator.status().raft?.snapshotIndex ?? 0) > 40, 'leader snapshot');
    expect(await scmBootstrap(cfg.get('scm4')!, bufferIo())).toMatchObject({ status: 'bootstrapped' });
    const s4 = await start('scm4');
    const raft = s4.context.replicator.status().raft!;
    expect(raft.snapshotsInstalled).toBeGreaterThanOrEqual(1);
    expect(raft.checkpointsInstalled).toBeGreaterThanOrEqual(1);
    expect(readdirSync(cfg.get('scm4')!.dirs.snapshot)).toContainEqual(expect.stringMatching(/^scm\.db-scm[123]-\d+\.ckpt$/));
    await converged(IDS);
    expect(s4.status().ring).toHaveLength(4);
    expect(existsSync(join(cfg.get('scm4')!.dirs.db, 'dbInconsistentMarker'))).toBe(false);
  });
});
