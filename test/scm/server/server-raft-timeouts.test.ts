/**
 * Raft timing keys reach the replicator (in process, real TCP on 127.0.4.41–42): with its follower gone, a
 * two-member ring's leader cannot commit; a command then fails with REPLICATION_TIMEOUT after
 * `ozone.scm.ha.ratis.request.timeout` (it may still apply later), and leader-only calls keep answering
 * with Ozone's not-leader text once check-quorum (election timeout) deposed it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/common/logger.js';
import { systemHostLocality } from '../../../src/scm/config/host-locality.js';
import { resolveScmConfig, type ScmConfig } from '../../../src/scm/config/scm-config.js';
import { startScmServer, type ScmServer } from '../../../src/scm/server/scm-server.js';
import { scmBootstrap } from '../../../src/scm/server/scm-bootstrap.js';
import { scmInit } from '../../../src/scm/server/scm-init.js';
import { bufferIo } from '../../../src/scm/tools/tool-io.js';
import { RpcClient } from '../../../src/scm/transport/rpc-client.js';
import type { UntypedProtocol } from '../../../src/scm/transport/protocol-definition.js';
import { freeNodePorts } from '../../support/free-ports.js';
import { siteConf, siteProperties } from '../../support/scm-site.js';
import { waitUntil } from '../../support/wait.js';

const HOSTS = ['127.0.4.41', '127.0.4.42'];

describe('Raft timeouts through the SCM (127.0.4.41-42)', () => {
  const root = mkdtempSync(join(tmpdir(), 'scm-timeouts-'));
  const running: ScmServer[] = [];
  let cfg1: ScmConfig;
  let cfg2: ScmConfig;

  beforeAll(async () => {
    const ports = { scm1: await freeNodePorts(HOSTS[0]!), scm2: await freeNodePorts(HOSTS[1]!) };
    const make = (nodeId: string): Promise<ScmConfig> =>
      resolveScmConfig(
        siteConf(siteProperties({
          hosts: HOSTS,
          metadataDir: (id) => join(root, id),
          nodeId,
          ratis: true,
          primordial: 'scm1',
          nodePorts: ports,
          // a long election timeout keeps the isolated leader in office while its commands time out
          extra: { 'ozone.scm.ha.ratis.leader.election.timeout': '4s', 'ozone.scm.ha.ratis.request.timeout': '1200ms', 'ozone.scm.info.wait.duration': '60s' },
        })),
        systemHostLocality,
      );
    cfg1 = await make('scm1');
    cfg2 = await make('scm2');
  });
  afterAll(async () => {
    for (const s of running.splice(0).reverse()) await s.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('times a command out after the request timeout when no quorum answers; a deposed leader answers NotLeader', async () => {
    await scmInit(cfg1, bufferIo());
    const scm1 = await startScmServer({ config: cfg1, logger: silentLogger });
    running.push(scm1);
    await waitUntil(() => scm1.context.replicator.isLeaderReady(), 'scm1 leads');
    await scmBootstrap(cfg2, bufferIo());
    const scm2 = await startScmServer({ config: cfg2, logger: silentLogger });
    running.push(scm2);
    await scm2.close();
    running.splice(running.indexOf(scm2), 1);

    const started = Date.now();
    const err = await scm1.context.replicator.submit({ type: 'saveConfiguration', serviceName: 'x', config: {} }).catch((e: unknown) => e);
    // either the timeout, or (on a very slow machine) check-quorum deposed the leader first
    expect(['REPLICATION_TIMEOUT', 'REPLICATION_NOT_LEADER']).toContain((err as { code: string }).code);
    if ((err as { code: string }).code === 'REPLICATION_TIMEOUT') expect(Date.now() - started).toBeGreaterThanOrEqual(1100);

    // check-quorum: without a majority the leader steps down; clients get Ozone's not-leader text
    await waitUntil(() => !scm1.context.replicator.isLeaderReady() && scm1.context.replicator.role() !== 'LEADER', 'scm1 steps down', 30_000);
    const admin = new RpcClient<UntypedProtocol>(HOSTS[0]!, cfg1.local.self.ports.client);
    try {
      await expect(admin.call('getScmInfo', {})).rejects.toMatchObject({ code: 'RPC_NOT_LEADER', message: expect.stringMatching(/^(FOLLOWER|CANDIDATE) Server:[0-9a-f-]{36}\(127\.0\.4\.41\) is not the leader\./) });
    } finally {
      await admin.close();
    }
  });
});
