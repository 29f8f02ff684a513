/**
 * Standalone → one-node Raft ring → two nodes, in process (real LevelDB, real TCP on 127.0.4.21–22):
 * an SCM initialised and used with `ozone.scm.ratis.enable=false` is started with Ratis enabled, becomes a
 * one-node ring at its standalone `0#N` keeping every container (VERSION gains scmHA=true), cannot go back
 * to standalone, and a bootstrapped second SCM receives the data as a checkpoint (the log starts after N).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/common/clock.js';
import { silentLogger } from '../../../src/common/logger.js';
import { systemHostLocality } from '../../../src/scm/config/host-locality.js';
import { resolveScmConfig, type ScmConfig } from '../../../src/scm/config/scm-config.js';
import { ensureRaftGroup, hasRaftState } from '../../../src/scm/replication/raft-group.js';
import { startScmServer, type ScmServer } from '../../../src/scm/server/scm-server.js';
import { readVersionFile } from '../../../src/scm/storage/version-file.js';
import { DatanodeSimulator } from '../../../src/scm/tools/datanode-simulator.js';
import { runFreon } from '../../../src/scm/tools/freon.js';
import { scmBootstrap } from '../../../src/scm/server/scm-bootstrap.js';
import { scmInit } from '../../../src/scm/server/scm-init.js';
import { bufferIo } from '../../../src/scm/tools/tool-io.js';
import { FailoverRpcClient } from '../../../src/scm/transport/rpc-failover-client.js';
import { freeNodePorts } from '../../support/free-ports.js';
import { siteConf, siteProperties } from '../../support/scm-site.js';
import { waitUntil } from '../../support/wait.js';

const HOSTS = ['127.0.4.21', '127.0.4.22'];

describe('standalone SCM converted to a Raft ring (127.0.4.21-22)', () => {
  const root = mkdtempSync(join(tmpdir(), 'scm-conv-it-'));
  let ports: Record<string, Record<string, number>> = {};
  const running: ScmServer[] = [];
  let sim: DatanodeSimulator | undefined;

  const config = async (nodeId: string, count: number, ratis: boolean): Promise<ScmConfig> =>
    resolveScmConfig(
      siteConf(siteProperties({
        hosts: HOSTS.slice(0, count),
        metadataDir: (id) => join(root, id),
        nodeId,
        ratis,
        primordial: 'scm1',
        nodePorts: ports,
        extra: { 'ozone.scm.ha.ratis.leader.election.timeout': '600ms', 'ozone.scm.info.wait.duration': '60s', 'ozone.scm.container.size': '8MB', 'ozone.scm.block.size': '1MB' },
      })),
      systemHostLocality,
    );
  const start = async (c: ScmConfig): Promise<ScmServer> => {
    const s = await startScmServer({ config: c, logger: silentLogger });
    running.push(s);
    return s;
  };
  const stop = async (s: ScmServer): Promise<void> => {
    running.splice(running.indexOf(s), 1);
    await s.close();
  };
  const containers = (s: ScmServer): string => JSON.stringify([...s.context.stateStore.snapshotState.containers.values()].sort((a, b) => a.containerID - b.containerID));

  beforeAll(async () => {
    ports = { scm1: await freeNodePorts(HOSTS[0]!), scm2: await freeNodePorts(HOSTS[1]!) };
  });
  afterAll(async () => {
    await sim?.close();
    for (const s of running.splice(0).reverse()) await s.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('keeps the data through standalone → one-node ring → two nodes', async () => {
    const standalone = await config('scm1', 1, false);
    await scmInit(standalone, bufferIo());
    expect(readVersionFile(standalone.dirs.versionFile)!.scmHA).toBeUndefined();
    let scm1 = await start(standalone);
    const self = standalone.local.self;
    sim = new DatanodeSimulator([self], { count: 3, prefix: 'conv', intervalMs: 100, clock: systemClock, logger: silentLogger });
    sim.start();
    const client = new FailoverRpcClient([{ nodeId: 'scm1', host: self.host, port: self.ports.block }], { retryIntervalMs: 50, maxFailovers: 200 });
    try {
      const r = await runFreon(client, { numOfThreads: 4, numOfVolumes: 1, numOfBuckets: 1, numOfKeys: 200, keySize: 512 * 1024, bufferSize: 4096, replicationType: 'RATIS', factor: 'THREE', validateWrites: false, json: '', blockSize: 1024 * 1024 }, systemClock, bufferIo());
      expect(r.status).toBe('Success');
    } finally {
      await client.close();
    }
    await sim.close();
    sim = undefined;
    const before = containers(scm1);
    const applied = scm1.context.stateStore.lastApplied()!;
    expect(applied.term).toBe(0);
    await stop(scm1);

    // Ratis on: a one-node ring whose log starts after the standalone state
    const ring1 = await config('scm1', 1, true);
    scm1 = await start(ring1);
    await waitUntil(() => scm1.context.replicator.isLeaderReady(), 'converted SCM leads');
    expect(scm1.status()).toMatchObject({ mode: 'raft', role: 'LEADER', raft: { snapshotIndex: applied.index } });
    expect(containers(scm1)).toBe(before);
    const v = readVersionFile(ring1.dirs.versionFile)!;
    expect(v).toMatchObject({ scmHA: true, primaryScmNodeId: v.scmUuid });
    expect(hasRaftState(ring1, v.clusterId)).toBe(true);
    await stop(scm1);

    // no way back to standalone once the Raft log exists
    await expect(startScmServer({ config: standalone, logger: silentLogger })).rejects.toMatchObject({ code: 'SCM_HA_MODE_MISMATCH' });

    // a second SCM: bootstrapped, added by the leader, gets the data as a checkpoint
    const two1 = await config('scm1', 2, true);
    const two2 = await config('scm2', 2, true);
    scm1 = await start(two1);
    await waitUntil(() => scm1.context.replicator.isLeaderReady(), 'scm1 leads');
    expect(await scmBootstrap(two2, bufferIo())).toMatchObject({ status: 'bootstrapped', version: { clusterId: v.clusterId } });
    const scm2 = await start(two2);
    expect(scm2.context.replicator.status().raft).toMatchObject({ lastCheckpoint: { from: 'scm1' } });
    expect(scm2.context.replicator.status().raft!.checkpointsInstalled).toBeGreaterThanOrEqual(1);
    expect(readdirSync(two2.dirs.snapshot)).toContainEqual(expect.stringMatching(/^scm\.db-scm1-\d+\.ckpt$/));
    await waitUntil(() => containers(scm2) === before, 'scm2 holds the same containers');
    expect((scm1.status().ring as unknown[]).length).toBe(2);
  });

  it('--init converts a standalone SCM too, and a conversion interrupted before VERSION was updated completes at start', async () => {
    for (const r of running.splice(0).reverse()) await r.close(); // the first test's ring
    // --init path (Ozone ≥2.0 converts at --init as well)
    const dir = (id: string): string => join(root, `init-${id}`);
    const mk = async (ratis: boolean): Promise<ScmConfig> =>
      resolveScmConfig(siteConf(siteProperties({ hosts: [HOSTS[0]!], metadataDir: dir, nodeId: 'scm1', ratis, nodePorts: ports })), systemHostLocality);
    const off = await mk(false);
    await scmInit(off, bufferIo());
    const s = await start(off);
    await s.context.replicator.submit({ type: 'allocateBatch', sequence: 'containerId', expectedLastId: 0, newLastId: 7 });
    await stop(s);
    const on = await mk(true);
    const io = bufferIo();
    expect(await scmInit(on, io)).toMatchObject({ status: 'already-initialized', version: { scmHA: true } });
    expect(io.stdout.join('\n')).toMatch(/Converting this SCM to a one-node Raft ring; its data \(0#1\) becomes the ring's initial snapshot\./);
    expect(io.stdout.join('\n')).toMatch(/HAEnabled=true/);
    const ring = await start(on);
    await waitUntil(() => ring.context.replicator.isLeaderReady(), 'leads');
    expect(ring.context.stateStore.view.sequence('containerId')).toBe(7);
    await stop(ring);

    // interrupted conversion: the group exists, VERSION still says standalone → the start completes it
    const dir2 = (id: string): string => join(root, `half-${id}`);
    const off2 = await resolveScmConfig(siteConf(siteProperties({ hosts: [HOSTS[0]!], metadataDir: dir2, nodeId: 'scm1', ratis: false, nodePorts: ports })), systemHostLocality);
    await scmInit(off2, bufferIo());
    const on2 = await resolveScmConfig(siteConf(siteProperties({ hosts: [HOSTS[0]!], metadataDir: dir2, nodeId: 'scm1', ratis: true, nodePorts: ports })), systemHostLocality);
    const v = readVersionFile(on2.dirs.versionFile)!;
    expect(await ensureRaftGroup(on2, v, undefined)).toBe('created');
    expect(readVersionFile(on2.dirs.versionFile)!.scmHA).toBeUndefined();
    const resumed = await start(on2);
    await waitUntil(() => resumed.context.replicator.isLeaderReady(), 'leads');
    expect(readVersionFile(on2.dirs.versionFile)).toMatchObject({ scmHA: true, clusterId: v.clusterId, scmUuid: v.scmUuid });
    await stop(resumed);
    expect(await ensureRaftGroup(on2, v, undefined)).toBe('existing');
  });
});
