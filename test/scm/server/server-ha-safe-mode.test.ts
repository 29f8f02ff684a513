/**
 * Safe mode in an SCM HA ring in process (real Raft, LevelDB and TCP on 127.0.4.72–74): every SCM computes
 * its own safe mode from the datanodes reporting to it — leader and followers leave it together once the
 * datanodes register and the pipeline opens, a follower restarted while the datanodes are gone stays in it
 * alone — and `ozone admin safemode status --all` shows each SCM, `status` the leader, `exit --scm` forces out
 * only the SCM it names (Ozone 2.2's SafeModeCheckSubcommand / SafeModeExitSubcommand).
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
import type { ScmServer } from '../../../src/scm/server/scm-server.js';
import { ScmServers } from '../../support/scm-servers.js';
import { DatanodeSimulator } from '../../../src/scm/tools/datanode-simulator.js';
import { scmBootstrap } from '../../../src/scm/server/scm-bootstrap.js';
import { scmInit } from '../../../src/scm/server/scm-init.js';
import { bufferIo } from '../../../src/scm/tools/tool-io.js';
import { freeNodePorts } from '../../support/free-ports.js';
import { siteConf, siteProperties, siteXml } from '../../support/scm-site.js';
import { waitUntil } from '../../support/wait.js';

const HOSTS = ['127.0.4.72', '127.0.4.73', '127.0.4.74'];
const IDS = ['scm1', 'scm2', 'scm3'];
const golden = (name: string): string => readFileSync(join(import.meta.dirname, '..', 'tools', 'golden', name), 'utf8');

describe('safe mode in an SCM HA ring (127.0.4.72-74)', () => {
  const root = mkdtempSync(join(tmpdir(), 'scm-ha-safemode-'));
  const confDir = join(root, 'conf');
  const cfg = new Map<string, ScmConfig>();
  const scms = new ScmServers(cfg);
  const servers = scms.running;
  let ports: Record<string, Record<string, number>> = {};
  let sim: DatanodeSimulator | undefined;

  const props = (nodeId?: string): Record<string, string> =>
    siteProperties({
      hosts: HOSTS,
      metadataDir: (id) => join(root, id),
      ...(nodeId ? { nodeId } : {}),
      ratis: true,
      primordial: 'scm1',
      nodePorts: ports,
      extra: { 'ozone.scm.ha.ratis.leader.election.timeout': '600ms', 'ozone.scm.info.wait.duration': '60s', 'hdds.scmclient.failover.max.retry': '50' },
    });
  const start = (id: string): Promise<ScmServer> => scms.start(id);
  const stop = (id: string): Promise<void> => scms.stop(id);
  const ozone = async (...args: string[]): Promise<{ code: number; out: string; err: string }> => {
    const io = bufferIo();
    const actions = createActions({ io, env: {}, mainScript: '', stopRequested: () => new Promise(() => {}), readStdin: async () => '' });
    const code = await runProgram(['--conf', confDir, ...args], actions, { out: (s) => io.out(s.replace(/\n$/, '')), err: (s) => io.err(s.replace(/\n$/, '')) });
    const text = (lines: string[]): string => {
      let t = lines.length === 0 ? '' : `${lines.join('\n')}\n`;
      IDS.forEach((id, i) => (t = t.replaceAll(`${HOSTS[i]}:${ports[id]!['ozone.scm.client.port']}`, `{${id}}`)));
      return t;
    };
    return { code, out: text(io.stdout), err: text(io.stderr) };
  };
  const inSafeMode = (id: string): boolean => servers.get(id)!.context.safeMode.inSafeMode();

  beforeAll(async () => {
    ports = Object.fromEntries(await Promise.all(IDS.map(async (id, i) => [id, await freeNodePorts(HOSTS[i]!)] as const)));
    for (const id of IDS) cfg.set(id, await resolveScmConfig(siteConf(props(id)), systemHostLocality));
    mkdirSync(confDir);
    writeFileSync(join(confDir, 'ozone-site.xml'), siteXml(props()));
    await scmInit(cfg.get('scm1')!, bufferIo());
    await start('scm1');
    await waitUntil(() => servers.get('scm1')!.context.replicator.isLeaderReady(), 'scm1 leader-ready');
    for (const id of ['scm2', 'scm3']) await scmBootstrap(cfg.get(id)!, bufferIo());
    await Promise.all(['scm2', 'scm3'].map((id) => start(id)));
  });

  afterAll(async () => {
    await sim?.close();
    await scms.stopAll();
    rmSync(root, { recursive: true, force: true });
  });

  it('without datanodes every SCM of the ring is in safe mode; status asks the leader, --all every SCM', async () => {
    const all = await ozone('admin', 'safemode', 'status', '--all');
    expect(all).toEqual({ code: 0, out: 'Service ID: scmservice\n{scm1} [scm1]: in safe mode\n{scm2} [scm2]: in safe mode\n{scm3} [scm3]: in safe mode\n', err: '' });
    const leader = IDS.find((id) => servers.get(id)!.context.replicator.isLeaderReady())!;
    expect(await ozone('admin', 'safemode', 'status')).toEqual({ code: 0, out: `Service ID: scmservice\n{${leader}} [${leader}]: in safe mode\n`, err: '' });
  });

  it('datanodes reporting to every SCM take leader and followers out of safe mode, each on its own', async () => {
    sim = new DatanodeSimulator(IDS.map((id) => cfg.get(id)!.local.self), { count: 3, prefix: 'hasm', intervalMs: 100, clock: systemClock, logger: silentLogger });
    sim.start();
    await waitUntil(() => IDS.every((id) => !inSafeMode(id)), 'every SCM out of safe mode');
    for (const id of IDS) {
      const ready = servers.get(id)!.context.safeMode.ruleStatuses().find((r) => r.ruleName === 'StateMachineReadyRule')!;
      expect(ready).toEqual({ ruleName: 'StateMachineReadyRule', validate: true, statusText: 'Refreshed SCM State Machine after leader ready: true' });
    }
    expect(await ozone('admin', 'safemode', 'wait', '-t', '5')).toEqual({ code: 0, out: 'SCM is out of safe mode.\n', err: '' });
  });

  it('a follower restarted while the datanodes are gone stays in safe mode alone; exit --scm forces out only that SCM', async () => {
    await sim!.close();
    sim = undefined;
    const leader = IDS.find((id) => servers.get(id)!.context.replicator.isLeaderReady())!;
    const follower = IDS.filter((id) => id !== leader).at(-1)!;
    await stop(follower);
    await start(follower);
    const status = await ozone('admin', 'safemode', 'status', '--all');
    const expected = golden('safemode-status-all-ha.txt').replace(/\{scm\d\} \[scm\d\]: .*\n/g, (line) => (line.startsWith(`{${follower}}`) ? `{${follower}} [${follower}]: in safe mode\n` : line.replace('in safe mode', 'out of safe mode')));
    expect(status).toEqual({ code: 0, out: expected, err: '' });
    const i = IDS.indexOf(follower);
    expect(await ozone('admin', 'safemode', 'exit', '--scm', `${HOSTS[i]}:${ports[follower]!['ozone.scm.client.port']}`)).toEqual({ code: 0, out: 'SCM exit safe mode successfully.\n', err: '' });
    expect(IDS.map(inSafeMode)).toEqual([false, false, false]);
  });
});
