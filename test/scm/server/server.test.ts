/**
 * In-process integration of the SCM server (real LevelDB, real TCP on 127.0.4.x, ephemeral ports):
 * init → start → simulated datanodes → freon through the block port → roles/status → restart keeps the
 * data and ids keep growing; leader gating and NotLeader hints on a follower; bootstrap against it.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/common/clock.js';
import { silentLogger } from '../../../src/common/logger.js';
import { systemHostLocality } from '../../../src/scm/config/host-locality.js';
import { resolveScmConfig, type ScmConfig } from '../../../src/scm/config/scm-config.js';
import type { ScmNode } from '../../../src/scm/config/scm-topology.js';
import { catchUpFromLeader } from '../../../src/scm/replication/checkpoint-downloader.js';
import { ScmStateStore } from '../../../src/scm/replication/scm-state-store.js';
import { startScmServer, type ScmServer } from '../../../src/scm/server/scm-server.js';
import type { AllocatedBlock } from '../../../src/scm/managers/block-manager.js';
import { ScmDb } from '../../../src/scm/storage/scm-db.js';
import { readVersionFile } from '../../../src/scm/storage/version-file.js';
import { DatanodeSimulator } from '../../../src/scm/tools/datanode-simulator.js';
import { runFreon } from '../../../src/scm/tools/freon.js';
import { ldbScan } from '../../../src/scm/tools/ldb.js';
import { fetchRoles } from '../../../src/scm/tools/roles.js';
import { formatPeerRole } from '../../../src/scm/protocol-servers/roles.js';
import { scmBootstrap } from '../../../src/scm/server/scm-bootstrap.js';
import { scmInit } from '../../../src/scm/server/scm-init.js';
import { bufferIo } from '../../../src/scm/tools/tool-io.js';
import { FailoverRpcClient } from '../../../src/scm/transport/rpc-failover-client.js';
import { RpcClient } from '../../../src/scm/transport/rpc-client.js';
import type { UntypedProtocol } from '../../../src/scm/transport/protocol-definition.js';
import type { InterScmProtocol } from '../../../src/scm/protocols/inter-scm-protocol.js';
import { FollowerReplicator } from '../../support/follower-replicator.js';
import { siteConf, siteProperties } from '../../support/scm-site.js';
import { waitUntil } from '../../support/wait.js';
import { treeDigest } from '../../support/tree-digest.js';

const H1 = '127.0.4.1';
const H2 = '127.0.4.2';
const H3 = '127.0.4.3';
const OTHER_CID = 'CID-00000000-0000-4000-8000-000000000000';
const ZERO = { grpc: 0, datanode: 0, block: 0, client: 0, security: 0, http: 0 };

describe('SCM server in process (127.0.4.x)', () => {
  const root = mkdtempSync(join(tmpdir(), 'scm-it-'));
  const meta = (id: string): string => join(root, id);
  let cfg1: ScmConfig;
  let scm1: ScmServer | undefined;
  let sim: DatanodeSimulator | undefined;
  const closers: Array<() => Promise<void>> = [];
  let liveNode: ScmNode;

  const start1 = async (): Promise<ScmServer> => {
    const s = await startScmServer({ config: cfg1, logger: silentLogger, portOverrides: ZERO });
    const a = s.addresses;
    liveNode = { nodeId: 'scm1', host: H1, ports: { client: a.client!.port, block: a.block!.port, datanode: a.datanode!.port, security: a.security!.port, grpc: a.grpc!.port, ratis: 9894, http: a.http!.port, https: 9877 } };
    return s;
  };

  beforeAll(async () => {
    cfg1 = await resolveScmConfig(siteConf(siteProperties({ hosts: [H1], metadataDir: meta, nodeId: 'scm1', extra: { 'ozone.scm.container.size': '8MB', 'ozone.scm.block.size': '1MB' } })), systemHostLocality);
    await scmInit(cfg1, bufferIo());
    scm1 = await start1();
    sim = new DatanodeSimulator([liveNode], { count: 3, prefix: 'it', intervalMs: 100, clock: systemClock, logger: silentLogger });
    sim.start();
    await waitUntil(() => (scm1!.status().datanodes as Record<string, number>).HEALTHY === 3, '3 healthy datanodes');
  });

  afterAll(async () => {
    await sim?.close();
    for (const c of closers.splice(0).reverse()) await c();
    await scm1?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('allocates blocks for freon through the leader, creating pipelines and containers as needed', async () => {
    const client = new FailoverRpcClient<UntypedProtocol>([{ nodeId: 'scm1', host: H1, port: liveNode.ports.block }], { retryIntervalMs: 50 });
    closers.push(() => client.close());
    const io = bufferIo();
    const r = await runFreon(client, { numOfThreads: 8, numOfVolumes: 1, numOfBuckets: 2, numOfKeys: 150, keySize: 512 * 1024, bufferSize: 4096, replicationType: 'RATIS', factor: 'THREE', validateWrites: false, json: '', blockSize: 1024 * 1024 }, systemClock, io);
    expect(r).toMatchObject({ status: 'Success', keysAllocated: 300, blocks: 300, failures: 0 });
    expect(r.containers).toBeGreaterThan(1);
    expect(JSON.parse(io.stdout[0]!)).toMatchObject({ status: 'Success', keysAllocated: 300 });
    const status = scm1!.status();
    expect(status).toMatchObject({ mode: 'standalone', role: 'LEADER', term: 0, datanodes: { HEALTHY: 3 } });
    expect((status.pipelines as Record<string, number>).OPEN).toBe(1);
    expect(sim!.stats.droppedStale + sim!.stats.droppedNotLeader).toBe(0);
    // full containers (8MB at 90%) get closed through the datanodes' reports
    await expect.poll(() => (scm1!.status().containers as Record<string, number>).CLOSED ?? 0, { timeout: 30_000 }).toBeGreaterThan(0);
  });

  it('answers roles with one LEADER line in Ozone format and serves /prom', async () => {
    const client = new FailoverRpcClient<UntypedProtocol>([{ nodeId: 'scm1', host: H1, port: liveNode.ports.client }]);
    closers.push(() => client.close());
    const lines = (await fetchRoles(client)).map(formatPeerRole);
    expect(lines).toEqual([`${H1}:9894:LEADER:${readVersionFile(cfg1.dirs.versionFile)!.scmUuid}:${H1}`]);
    const prom = await (await fetch(`http://${H1}:${liveNode.ports.http}/prom`)).text();
    expect(prom).toMatch(/^scm_raft_role\{role="LEADER"\} 1$/m);
    expect(prom).toMatch(/^scm_rpc_request_duration_seconds_count\{port="block",method="allocateBlock",outcome="ok"\} \d+/m);
  });

  it('addScm checks the cluster id and needs Raft; the security port answers SCM_SECURITY_DISABLED', async () => {
    const block = new RpcClient<UntypedProtocol>(H1, liveNode.ports.block);
    const security = new RpcClient<UntypedProtocol>(H1, liveNode.ports.security);
    closers.push(() => block.close(), () => security.close());
    const cid = readVersionFile(cfg1.dirs.versionFile)!.clusterId;
    const u9 = '9c5ebe1d-46de-41f6-9e61-f564b7b1c324';
    await expect(block.call('addScm', { clusterId: OTHER_CID, scmId: u9, ratisAddress: '127.0.4.9:9894' })).rejects.toMatchObject({
      remoteCode: 'SCM_CLUSTER_ID_MISMATCH',
      message: `SCM ${u9} with addr 127.0.4.9:9894 has cluster Id ${OTHER_CID} but leader SCM cluster id is ${cid}`,
    });
    await expect(block.call('addScm', { clusterId: cid, scmId: u9, ratisAddress: '127.0.4.9:9894' })).rejects.toMatchObject({ remoteCode: 'REPLICATION_UNSUPPORTED' });
    // malformed requests get a coded error naming the field, never a JavaScript message
    await expect(block.call('addScm', { clusterId: cid, scmId: 'u9', ratisAddress: '127.0.4.9:9894' })).rejects.toMatchObject({ remoteCode: 'RPC_INVALID_PARAMS', message: expect.stringMatching(/^params\.scmId: expected /) });
    await expect(block.call('addScm', { clusterId: cid, scmId: u9 })).rejects.toMatchObject({ remoteCode: 'RPC_INVALID_PARAMS', message: expect.stringMatching(/^params\.ratisAddress: /) });
    await expect(block.call('addScm', { clusterId: cid, scmId: u9, ratisAddress: '127.0.4.9:9894', extra: 1 })).rejects.toMatchObject({ remoteCode: 'RPC_INVALID_PARAMS', message: expect.stringMatching(/^params\.extra: expected no such field/) });
    await expect(block.call('allocateBlock', null)).rejects.toMatchObject({ remoteCode: 'RPC_INVALID_PARAMS' });
    await expect(security.call('getCaCertificate', {})).rejects.toMatchObject({ remoteCode: 'SCM_SECURITY_DISABLED' });
  });

  it('streams a consistent checkpoint over the inter-SCM port, refusing another cluster', async () => {
    const c = new RpcClient<InterScmProtocol>(H1, liveNode.ports.grpc);
    closers.push(() => c.close());
    let bytes = 0;
    for await (const chunk of c.stream('downloadCheckpoint', { clusterId: readVersionFile(cfg1.dirs.versionFile)!.clusterId })) bytes += chunk.byteLength;
    expect(bytes).toBeGreaterThan(1000);
    const bad = (async () => {
      for await (const _ of c.stream('downloadCheckpoint', { clusterId: OTHER_CID })) void _;
    })();
    await expect(bad).rejects.toMatchObject({ code: 'RPC_REMOTE', remoteCode: 'SCM_CLUSTER_ID_MISMATCH' });
  });

  it('a lagging SCM downloads the leader\'s checkpoint over 9895 and installs it only if newer', async () => {
    const dir = meta('lagging');
    await (await ScmDb.open(join(dir, 'scm.db'), { create: true })).close();
    const clusterId = readVersionFile(cfg1.dirs.versionFile)!.clusterId;
    const sm = await ScmStateStore.open(join(dir, 'scm.db'), clusterId);
    closers.push(() => sm.close());
    const leader = { nodeId: 'scm1', host: H1, grpcPort: liveNode.ports.grpc };
    const trailer = await catchUpFromLeader(sm, leader, clusterId, join(dir, 'snapshot'), { clock: systemClock });
    expect(trailer.transactionInfo).toEqual(sm.lastApplied());
    // the leader may have moved on (containers closing) since the checkpoint, but never lost anything
    expect([...sm.snapshotState.containers.keys()]).toEqual([...scm1!.context.stateStore.snapshotState.containers.keys()]);
    expect(sm.lastApplied()!.index).toBeLessThanOrEqual(scm1!.context.stateStore.lastApplied()!.index);
    expect(readdirSync(join(dir, 'snapshot'))).toEqual([expect.stringMatching(/^scm\.db-scm1-\d+\.ckpt$/)]);
    // Asked again, the leader's checkpoint is installed only if it is newer: the live leader may still apply
    // entries (datanode reports closing containers), so each retry either moves strictly forward or is refused
    // with CHECKPOINT_NOT_NEWER and leaves the local state as it was; a quiet leader refuses within a few tries.
    let installed = trailer.transactionInfo;
    let refused = false;
    for (let attempt = 0; attempt < 10 && !refused; attempt++) {
      try {
        const next = await catchUpFromLeader(sm, leader, clusterId, join(dir, 'snapshot'), { clock: systemClock });
        expect(next.transactionInfo!.index).toBeGreaterThan(installed!.index);
        installed = next.transactionInfo;
      } catch (err) {
        expect(err).toMatchObject({ code: 'CHECKPOINT_NOT_NEWER' });
        refused = true;
      }
      expect(sm.lastApplied()).toEqual(installed);
    }
    expect(refused).toBe(true);
  });

  it('a follower refuses leader-only calls with Ozone\'s NotLeader text and a host:port hint; clients follow it', async () => {
    const cfg2 = await resolveScmConfig(
      siteConf(siteProperties({ hosts: [H1, H2], metadataDir: meta, nodeId: 'scm2', nodePorts: { scm1: { 'ozone.scm.block.client.port': liveNode.ports.block } } })),
      systemHostLocality,
    );
    await scmInit(cfg2, bufferIo());
    const leaderUuid = readVersionFile(cfg1.dirs.versionFile)!.scmUuid;
    const follower = await startScmServer({
      config: cfg2,
      logger: silentLogger,
      portOverrides: ZERO,
      createReplicator: async () => new FollowerReplicator({ scmUuid: leaderUuid, host: H1, nodeId: 'scm1' }),
    });
    closers.push(() => follower.close());
    const direct = new RpcClient<UntypedProtocol>(H2, follower.addresses.block!.port);
    closers.push(() => direct.close());
    const followerUuid = readVersionFile(cfg2.dirs.versionFile)!.scmUuid;
    const err = await direct.call('allocateBlock', { size: 1, replication: { replicationType: 'RATIS', replicationFactor: 'THREE' }, owner: 't' }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'RPC_NOT_LEADER',
      leader: `${H1}:${liveNode.ports.block}`,
      message: `FOLLOWER Server:${followerUuid}(${H2}) is not the leader. Suggested leader is Server:${H1}:${liveNode.ports.block}.`,
    });
    const failover = new FailoverRpcClient<UntypedProtocol>([{ nodeId: 'scm2', host: H2, port: follower.addresses.block!.port }, { nodeId: 'scm1', host: H1, port: liveNode.ports.block }], { retryIntervalMs: 20 });
    closers.push(() => failover.close());
    const [block] = (await failover.call('allocateBlock', { size: 1, replication: { replicationType: 'RATIS', replicationFactor: 'THREE' }, owner: 't' })) as AllocatedBlock[];
    expect(block!.containerBlockID.localID).toBeGreaterThan(0);
    // the datanode port is served by every SCM, but only a leader hands out commands
    const dn = new RpcClient<UntypedProtocol>(H2, follower.addresses.datanode!.port);
    closers.push(() => dn.close());
    expect(await dn.call('heartbeat', { datanode: { uuid: '5e0c2d1a-0000-4000-8000-000000000001', hostName: 'h', ipAddress: H2 } })).toEqual({ role: 'FOLLOWER', term: 3, scmUuid: followerUuid, commands: [] });
    const admin = new RpcClient<UntypedProtocol>(H2, follower.addresses.client!.port);
    closers.push(() => admin.close());
    expect(await admin.call('status', {})).toMatchObject({ role: 'FOLLOWER', mode: 'raft' });
    await expect(admin.call('getScmInfo', {})).rejects.toMatchObject({ code: 'RPC_NOT_LEADER', leader: `${H1}:9860` });
  });

  it('bootstrap fetches the clusterID from the leader; a mismatch exits 255 and changes nothing on disk', async () => {
    const base = { hosts: [H1, H3], metadataDir: (id: string) => meta(`bs-${id}`), ratis: true, primordial: 'scm1', nodePorts: { scm1: { 'ozone.scm.block.client.port': liveNode.ports.block } } };
    const cfg3 = await resolveScmConfig(siteConf(siteProperties({ ...base, nodeId: 'scm2' })), systemHostLocality);
    const io = bufferIo();
    expect(await scmBootstrap(cfg3, io)).toMatchObject({ status: 'bootstrapped' });
    const leader = readVersionFile(cfg1.dirs.versionFile)!;
    expect(readVersionFile(cfg3.dirs.versionFile)).toMatchObject({ clusterId: leader.clusterId, scmHA: true, primaryScmNodeId: leader.scmUuid });
    expect(await scmBootstrap(cfg3, bufferIo())).toMatchObject({ status: 'already-bootstrapped' });

    // a node initialised on its own (another cluster) must not be bootstrapped into this one
    const lone = await resolveScmConfig(siteConf(siteProperties({ hosts: [H3], metadataDir: (id) => meta(`lone-${id}`), nodeId: 'scm1', ratis: true })), systemHostLocality);
    await scmInit(lone, bufferIo());
    const other = await resolveScmConfig(siteConf(siteProperties({ ...base, metadataDir: (id) => meta(`lone-${id === 'scm2' ? 'scm1' : id}`), nodeId: 'scm2' })), systemHostLocality);
    const before = treeDigest(meta('lone-scm1'));
    const err = await scmBootstrap(other, bufferIo()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BOOTSTRAP_CLUSTER_ID_MISMATCH', exitCode: 255 });
    expect((err as Error).message).toBe(
      `Could not bootstrap as SCM is already initialized with cluster id ${readVersionFile(lone.dirs.versionFile)!.clusterId} but cluster id for existing leader SCM instance is ${leader.clusterId}`,
    );
    expect(treeDigest(meta('lone-scm1'))).toBe(before);

    // primordial: a no-op; Ratis disabled: refused
    const prim = await resolveScmConfig(siteConf(siteProperties({ ...base, nodeId: 'scm1' })), systemHostLocality);
    expect(await scmBootstrap(prim, bufferIo())).toEqual({ status: 'skipped-primordial' });
    await expect(scmBootstrap({ ...cfg3, ratisEnabled: false }, bufferIo())).rejects.toMatchObject({ code: 'BOOTSTRAP_FAILED', exitCode: 255 });
  });

  it('init is idempotent and a no-op on non-primordial nodes', async () => {
    const io = bufferIo();
    const again = await scmInit(cfg1, io, { clusterIdUuid: '11111111-2222-3333-4444-555555555555' });
    expect(again).toMatchObject({ status: 'already-initialized', version: { clusterId: readVersionFile(cfg1.dirs.versionFile)!.clusterId } });
    const nonPrim = await resolveScmConfig(siteConf(siteProperties({ hosts: [H1, H2], metadataDir: (id) => meta(`np-${id}`), nodeId: 'scm2', primordial: 'scm1' })), systemHostLocality);
    expect(await scmInit(nonPrim, bufferIo())).toEqual({ status: 'skipped-not-primordial' });
    expect(readVersionFile(nonPrim.dirs.versionFile)).toBeUndefined();
  });

  it('a restart keeps containers and sequence ids; new ids continue above the old ones', async () => {
    const before = scm1!.context.stateStore.snapshotState;
    const containers = JSON.stringify([...before.containers.values()]);
    const lastLocal = before.sequence('localId');
    const applied = scm1!.context.stateStore.lastApplied()!;
    await sim!.close();
    await scm1!.close();
    const io = bufferIo();
    const db = await ScmDb.open(cfg1.dirs.scmDb, { create: false });
    await ldbScan(db, { columnFamily: 'sequenceId', withKeys: true, limit: -1, compact: true, count: false }, io);
    await db.close();
    expect(io.stdout[0]).toContain(`"localId": ${lastLocal}`);
    scm1 = await start1();
    expect(scm1.context.stateStore.lastApplied()).toEqual(applied);
    expect(JSON.stringify([...scm1.context.stateStore.snapshotState.containers.values()])).toBe(containers);
    sim = new DatanodeSimulator([liveNode], { count: 3, prefix: 'it', intervalMs: 100, clock: systemClock, logger: silentLogger });
    sim.start();
    const client = new FailoverRpcClient<UntypedProtocol>([{ nodeId: 'scm1', host: H1, port: liveNode.ports.block }], { retryIntervalMs: 50 });
    closers.push(() => client.close());
    const [b] = (await client.call('allocateBlock', { size: 1024, replication: { replicationType: 'RATIS', replicationFactor: 'THREE' }, owner: 't' })) as AllocatedBlock[];
    expect(b!.containerBlockID.localID).toBeGreaterThan(lastLocal);
  });
});
