/**
 * Safe mode of a real SCM in process (standalone, real LevelDB and TCP on 127.0.4.71, simulated datanodes),
 * driven through the `ozone` command line (runProgram + createActions against an ozone-site.xml) and the
 * protocols: a new SCM is in safe mode and refuses block and container allocation with Ozone's
 * SAFE_MODE_EXCEPTION; two datanodes are not enough for the pre-check, a third makes the SCM create a
 * pipeline, and once it opens the SCM leaves safe mode and allocates; a restarted SCM waits for its datanodes'
 * reports while an allocation made meanwhile waits; datanodes that never return keep it in safe mode until
 * `ozone admin safemode exit`.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/common/clock.js';
import { silentLogger } from '../../../src/common/logger.js';
import { createActions } from '../../../src/scm/cli/actions.js';
import { runProgram } from '../../../src/scm/cli/program.js';
import { systemHostLocality } from '../../../src/scm/config/host-locality.js';
import { resolveScmConfig, type ScmConfig } from '../../../src/scm/config/scm-config.js';
import type { BlockProtocol } from '../../../src/scm/protocols/block-protocol.js';
import type { ClientProtocol } from '../../../src/scm/protocols/client-protocol.js';
import { startScmServer, type ScmServer } from '../../../src/scm/server/scm-server.js';
import { DatanodeSimulator } from '../../../src/scm/tools/datanode-simulator.js';
import { scmInit } from '../../../src/scm/server/scm-init.js';
import { bufferIo } from '../../../src/scm/tools/tool-io.js';
import { RpcClient } from '../../../src/scm/transport/rpc-client.js';
import { freeNodePorts } from '../../support/free-ports.js';
import { siteConf, siteProperties, siteXml } from '../../support/scm-site.js';
import { waitUntil } from '../../support/wait.js';

const H = '127.0.4.71';
const RATIS_THREE = { replicationType: 'RATIS', replicationFactor: 'THREE' } as const;
const golden = (name: string): string => readFileSync(join(import.meta.dirname, '..', 'tools', 'golden', name), 'utf8');

describe('SCM safe mode in process (127.0.4.71)', () => {
  const root = mkdtempSync(join(tmpdir(), 'scm-safemode-'));
  const confDir = join(root, 'conf');
  let ports: Record<string, number> = {};
  let scm: ScmServer | undefined;
  const sims: DatanodeSimulator[] = [];
  const closers: Array<() => Promise<void>> = [];

  const props = (requestTimeout: string, nodeId?: string): Record<string, string> =>
    siteProperties({ hosts: [H], metadataDir: (id) => join(root, id), ...(nodeId ? { nodeId } : {}), nodePorts: { scm1: ports }, extra: { 'ozone.scm.ha.ratis.request.timeout': requestTimeout } });
  const config = (requestTimeout: string): Promise<ScmConfig> => resolveScmConfig(siteConf(props(requestTimeout, 'scm1')), systemHostLocality);
  const start = async (requestTimeout: string): Promise<ScmServer> => (scm = await startScmServer({ config: await config(requestTimeout), logger: silentLogger }));
  const client = <P extends ClientProtocol | BlockProtocol>(port: number): RpcClient<P> => {
    const c = new RpcClient<P>(H, port, { timeoutMs: 60_000 });
    closers.push(() => c.close());
    return c;
  };
  const admin = (): RpcClient<ClientProtocol> => client<ClientProtocol>(ports['ozone.scm.client.port']!);
  const blocks = (): RpcClient<BlockProtocol> => client<BlockProtocol>(ports['ozone.scm.block.client.port']!);
  const datanodes = (prefix: string, count: number): DatanodeSimulator => {
    const self = { nodeId: 'scm1', host: H, ports: { client: 0, block: 0, datanode: ports['ozone.scm.datanode.port']!, security: 0, ratis: 0, grpc: 0, http: 0, https: 0 } };
    const sim = new DatanodeSimulator([self], { count, prefix, intervalMs: 100, clock: systemClock, logger: silentLogger });
    sims.push(sim);
    sim.start();
    return sim;
  };
  const stopDatanodes = async (): Promise<void> => {
    for (const s of sims.splice(0)) await s.close();
  };
  /** `ozone --conf <client conf> <args>` in process: exit code, stdout and stderr */
  const ozone = async (...args: string[]): Promise<{ code: number; out: string; err: string }> => {
    const io = bufferIo();
    const actions = createActions({ io, env: {}, mainScript: '', stopRequested: () => new Promise(() => {}), readStdin: async () => '' });
    const code = await runProgram(['--conf', confDir, ...args], actions, { out: (s) => io.out(s.replace(/\n$/, '')), err: (s) => io.err(s.replace(/\n$/, '')) });
    const address = `${H}:${ports['ozone.scm.client.port']}`;
    const text = (lines: string[]): string => (lines.length === 0 ? '' : `${lines.join('\n')}\n`).replaceAll(address, '{scm1}');
    return { code, out: text(io.stdout), err: text(io.stderr) };
  };

  beforeAll(async () => {
    ports = await freeNodePorts(H);
    mkdirSync(confDir);
    writeFileSync(join(confDir, 'ozone-site.xml'), siteXml(props('500ms')));
    await scmInit(await config('500ms'), bufferIo());
    await start('500ms');
  });

  afterAll(async () => {
    await stopDatanodes();
    for (const c of closers.splice(0).reverse()) await c();
    await scm?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('a new SCM is in safe mode: allocation is refused with SAFE_MODE_EXCEPTION, status/prom/CLI say so', async () => {
    expect(scm!.status()).toMatchObject({ safeMode: { inSafeMode: true, preCheckComplete: false } });
    expect(await admin().call('inSafeMode', {})).toEqual({ inSafeMode: true, preCheckComplete: false });
    await expect(blocks().call('allocateBlock', { size: 1024, replication: RATIS_THREE, owner: 't' })).rejects.toMatchObject({
      code: 'RPC_REMOTE',
      remoteCode: 'SAFE_MODE_EXCEPTION',
      message: 'SafeModePrecheck failed for allocateBlock',
    });
    await expect(admin().call('createContainers', { count: 1 })).rejects.toMatchObject({ remoteCode: 'SAFE_MODE_EXCEPTION', message: 'SafeModePrecheck failed for allocateContainer' });
    const prom = await (await fetch(`http://${H}:${scm!.addresses.http!.port}/prom`)).text();
    expect(prom).toMatch(/^scm_safe_mode 1$/m);

    expect(await ozone('admin', 'safemode', 'status')).toEqual({ code: 0, out: 'Service ID: scmservice\n{scm1} [scm1]: in safe mode\n', err: '' });
    const verbose = await ozone('admin', 'safemode', 'status', '--verbose');
    expect(verbose.code).toBe(0);
    expect(verbose.out).toBe(golden('safemode-status-new-scm-verbose.txt'));
    const wait = await ozone('admin', 'safemode', 'wait', '-t', '1');
    expect(wait.code).toBe(255);
    expect(wait.out.split('\n')[0]).toBe('SCM is in safe mode. Will retry in 1 sec. Remaining time (sec): 1');
    expect(wait.out).toMatch(/SCM is in safe mode\. No more retries\.\n$/);
    expect(wait.err.split('\n')[0]).toBe('Safe mode is not ended within the timeout period.');
    expect(wait.err).toContain('code: SAFE_MODE_WAIT_TIMEOUT');
  });

  it('two datanodes do not pass the pre-check; the third does, a pipeline is created and opens, and the SCM leaves safe mode', async () => {
    datanodes('smA', 2);
    await waitUntil(() => (scm!.status().datanodes as Record<string, number>).HEALTHY === 2, 'two healthy datanodes');
    await waitUntil(async () => (await admin().call('getSafeModeRuleStatuses', {})).find((r) => r.ruleName === 'DataNodeSafeModeRule')!.statusText.includes('(=2)'), 'two registrations counted');
    expect(scm!.context.safeMode.state).toBe('INITIAL');
    expect(scm!.context.stateStore.snapshotState.pipelines.size).toBe(0); // no pipeline creation before the pre-check
    datanodes('smB', 1);
    await waitUntil(async () => !(await admin().call('inSafeMode', {})).inSafeMode, 'the SCM leaves safe mode');
    const pipelines = [...scm!.context.stateStore.snapshotState.pipelines.values()];
    expect(pipelines).toHaveLength(1);
    expect(pipelines[0]).toMatchObject({ state: 'OPEN', replicationConfig: RATIS_THREE });
    expect((await admin().call('getSafeModeRuleStatuses', {})).every((r) => r.validate)).toBe(true);
    const [b] = await blocks().call('allocateBlock', { size: 1024, replication: RATIS_THREE, owner: 't' });
    expect(b!.pipeline.id).toBe(pipelines[0]!.id);

    const status = await ozone('admin', 'safemode', 'status', '--verbose');
    expect(status).toEqual({ code: 0, out: golden('safemode-status-out-verbose.txt'), err: '' });
    expect(await ozone('admin', 'safemode', 'wait')).toEqual({ code: 0, out: 'SCM is out of safe mode.\n', err: '' });
    expect(scm!.status()).toMatchObject({ safeMode: { inSafeMode: false, preCheckComplete: true } });
  });

  it('a restarted SCM is in safe mode until its datanodes report the pipeline again; an allocation made meanwhile waits and succeeds', async () => {
    const pipeline = [...scm!.context.stateStore.snapshotState.pipelines.keys()][0]!;
    await scm!.close();
    const restarted = await start('30s');
    const allocation = blocks().call('allocateBlock', { size: 1024, replication: RATIS_THREE, owner: 't' });
    const [b] = await allocation;
    expect(b!.pipeline.id).toBe(pipeline);
    expect(restarted.context.safeMode.inSafeMode()).toBe(false);
    const rules = await admin().call('getSafeModeRuleStatuses', {});
    // the pipeline OPEN at start had to be reported again: one of one
    expect(rules.find((r) => r.ruleName === 'OneReplicaPipelineSafeModeRule')).toEqual({ ruleName: 'OneReplicaPipelineSafeModeRule', validate: true, statusText: expect.stringMatching(/^reported Ratis\/THREE pipelines with at least one datanode \(=1\) >= threshold \(=1\)/) });
    expect(rules.find((r) => r.ruleName === 'HealthyPipelineSafeModeRule')!.statusText).toBe('healthy Ratis/THREE pipelines (=1) >= healthyPipelineThresholdCount (=1)');
    expect(restarted.context.stateStore.snapshotState.pipelines.size).toBe(1);
  });

  it('datanodes that never come back keep a restarted SCM in safe mode (OneReplicaPipelineSafeModeRule); `safemode exit` forces it out', async () => {
    const old = [...scm!.context.stateStore.snapshotState.pipelines.keys()][0]!;
    await stopDatanodes();
    await scm!.close();
    await start('30s');
    datanodes('smNew', 3);
    // the new datanodes pass the pre-check and get a pipeline of their own, which opens and is reported...
    const rule = async (name: string): Promise<{ validate: boolean; statusText: string }> => (await admin().call('getSafeModeRuleStatuses', {})).find((r) => r.ruleName === name)!;
    await waitUntil(async () => (await rule('HealthyPipelineSafeModeRule')).validate, 'a healthy pipeline');
    await waitUntil(async () => (await rule('OneReplicaPipelineSafeModeRule')).statusText.includes('(=1) >= threshold (=2)'), 'the new pipeline reported');
    // ...but the pipeline the SCM knew at start is never reported again
    const status = await ozone('admin', 'safemode', 'status', '--verbose');
    expect(status.out).toContain('{scm1} [scm1]: in safe mode\n');
    expect(status.out).toContain(`validated:false, OneReplicaPipelineSafeModeRule, reported Ratis/THREE pipelines with at least one datanode (=1) >= threshold (=2)\nSample pipelines not satisfying the criteria : [Pipeline-${old}]\n`);
    expect(scm!.context.safeMode.inSafeMode()).toBe(true);
    expect(await ozone('admin', 'safemode', 'exit')).toEqual({ code: 0, out: 'SCM exit safe mode successfully.\n', err: '' });
    expect(await admin().call('inSafeMode', {})).toEqual({ inSafeMode: false, preCheckComplete: true });
    const [b] = await blocks().call('allocateBlock', { size: 1024, replication: RATIS_THREE, owner: 't' });
    expect(b!.containerBlockID.localID).toBeGreaterThan(0);
  });
});
