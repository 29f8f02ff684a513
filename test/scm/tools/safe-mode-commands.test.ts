/**
 * `ozone admin safemode status|wait|exit` output against golden files of Ozone 2.2's lines
 * (SafeModeCheckSubcommand, SafeModeWaitSubcommand, SafeModeExitSubcommand), with fake SCM clients, a real
 * SafeModeManager over fake state for the rule texts, and a fake clock for `wait`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/common/logger.js';
import { SAFE_MODE_DEFAULTS } from '../../../src/scm/config/safe-mode-config.js';
import type { ScmNode } from '../../../src/scm/config/scm-topology.js';
import type { NodeHealth } from '../../../src/scm/managers/node-manager.js';
import { SafeModeManager, type SafeModeRuleStatus } from '../../../src/scm/managers/safe-mode-manager.js';
import type { SafeModeSources } from '../../../src/scm/managers/safe-mode-rule.js';
import type { ContainerInfo, PipelineInfo } from '../../../src/scm/state/records.js';
import { matchesAddress, ruleStatusOrder, runSafeModeExit, runSafeModeStatus, runSafeModeWait, type SafeModeClient, type SafeModeStatusOptions } from '../../../src/scm/tools/safe-mode-commands.js';
import { bufferIo } from '../../../src/scm/tools/tool-io.js';
import { FakeClock } from '../../support/fake-clock.js';

const golden = (name: string): string => readFileSync(join(import.meta.dirname, 'golden', name), 'utf8');
const out = (io: { stdout: string[] }): string => `${io.stdout.join('\n')}\n`;

const PORTS = { client: 9860, block: 9863, datanode: 9861, security: 9961, ratis: 9894, grpc: 9895, http: 9876, https: 9877 };
const NODES: ScmNode[] = ['scm1', 'scm2', 'scm3'].map((id) => ({ nodeId: id, host: `${id}.example.com`, ports: PORTS }));
const P1 = '5b0f8f42-8d2c-4c6e-9f3a-2a1d7c9e0b11';

/** the rule statuses of an SCM with 2 of 3 datanodes registered, an unreported closed container, one half-healthy pipeline */
function waitingScmRules(): SafeModeRuleStatus[] {
  const container: ContainerInfo = { containerID: 7, state: 'CLOSED', pipelineID: P1, replicationConfig: { replicationType: 'RATIS', replicationFactor: 'THREE' }, usedBytes: 1, numberOfKeys: 4, stateEnterTime: 0, owner: 'o', sequenceId: 0, deleteTransactionId: 0 };
  const empty: ContainerInfo = { ...container, containerID: 8, numberOfKeys: 0 };
  const pipeline: PipelineInfo = { id: P1, replicationConfig: { replicationType: 'RATIS', replicationFactor: 'THREE' }, state: 'OPEN', nodes: ['a', 'b', 'c'].map((u) => ({ uuid: u, hostName: u, ipAddress: '10.0.0.1' })), leaderId: null, creationTimestamp: 0 };
  const health = new Map<string, NodeHealth>([['a', 'HEALTHY'], ['b', 'HEALTHY']]);
  const sources: SafeModeSources = {
    containers: () => [container, empty],
    pipelines: () => [pipeline],
    pipeline: (id) => (id === P1 ? pipeline : undefined),
    nodeHealth: (u) => health.get(u),
    stateMachineReady: () => true,
  };
  const m = new SafeModeManager(SAFE_MODE_DEFAULTS, sources, { raft: true, logger: silentLogger, clock: new FakeClock() });
  m.fire({ type: 'NODE_REGISTRATION', datanode: 'a' });
  m.fire({ type: 'NODE_REGISTRATION', datanode: 'b' });
  m.fire({ type: 'PIPELINE_REPORT', datanode: 'a', pipelineIDs: [P1] });
  m.fire({ type: 'STATEMACHINE_READY' });
  return m.ruleStatuses();
}

/** A fake SCM per node: its safe mode answer (or an error), the rule statuses, and the ring's roles. */
function fakeScms(inSafeMode: Record<string, boolean | Error>, leader = 'scm2'): { service: () => SafeModeClient; node: (n: ScmNode) => SafeModeClient; asked: string[] } {
  const asked: string[] = [];
  const rules = waitingScmRules();
  const clientOf = (nodeId: string | undefined): SafeModeClient =>
    ({
      call: async (method: string) => {
        if (method === 'getScmInfo') {
          const roles = NODES.map((n, i) => ({ host: n.host, ratisPort: 9894, role: n.nodeId === leader ? 'LEADER' : 'FOLLOWER', scmUuid: `uuid-${i}`, ip: `10.0.0.${i + 1}` }));
          return { clusterId: 'CID-x', scmId: 'uuid-1', roles, peerRoles: roles.map((r) => `${r.host}:9894:${r.role}:${r.scmUuid}:${r.ip}`) };
        }
        asked.push(`${nodeId}:${method}`);
        const answer = inSafeMode[nodeId!];
        if (answer instanceof Error) throw answer;
        if (method === 'inSafeMode') return { inSafeMode: answer, preCheckComplete: true };
        if (method === 'getSafeModeRuleStatuses') return rules;
        if (method === 'forceExitSafeMode') return { exitedSafeMode: true };
        throw new Error(`unexpected ${method}`);
      },
    }) as unknown as SafeModeClient;
  return { service: () => clientOf(undefined), node: (n) => clientOf(n.nodeId), asked };
}

const statusOptions = (scms: ReturnType<typeof fakeScms>, errors: unknown[], over: Partial<SafeModeStatusOptions> = {}): SafeModeStatusOptions => ({
  serviceId: 'scmservice',
  nodes: NODES,
  all: false,
  verbose: false,
  service: scms.service,
  node: scms.node,
  reportError: (e) => errors.push(e),
  ...over,
});

describe('ozone admin safemode status (golden)', () => {
  it('HA: the service id, then the leader found through the roles, with its client address and node id', async () => {
    const io = bufferIo();
    const scms = fakeScms({ scm1: false, scm2: true, scm3: false });
    await runSafeModeStatus(statusOptions(scms, []), io);
    expect(out(io)).toBe(golden('safemode-status-leader.txt'));
    expect(scms.asked).toEqual(['scm2:inSafeMode']);
  });

  it('--verbose: every rule as validated:<bool>, <rule>, <status> in Java HashMap order of the rule names', async () => {
    const io = bufferIo();
    await runSafeModeStatus(statusOptions(fakeScms({ scm1: false, scm2: true, scm3: false }), [], { verbose: true }), io);
    expect(out(io)).toBe(golden('safemode-status-leader-verbose.txt'));
    expect(ruleStatusOrder(waitingScmRules()).map((r) => r.ruleName)).toEqual([
      'DataNodeSafeModeRule', 'RatisContainerSafeModeRule', 'HealthyPipelineSafeModeRule', 'StateMachineReadyRule', 'OneReplicaPipelineSafeModeRule', 'ECContainerSafeModeRule',
    ]);
  });

  it('--all asks every SCM of the service; one that fails is reported and the others still answer', async () => {
    const io = bufferIo();
    const errors: unknown[] = [];
    await runSafeModeStatus(statusOptions(fakeScms({ scm1: false, scm2: true, scm3: new Error('connection to scm3.example.com:9860 was lost') }), errors, { all: true }), io);
    expect(out(io)).toBe(golden('safemode-status-all.txt'));
    expect(errors).toEqual([expect.objectContaining({ message: 'connection to scm3.example.com:9860 was lost' })]);
  });

  it('--scm picks that configured SCM (host with or without the port); an unknown one is an error', async () => {
    const scms = fakeScms({ scm1: false, scm2: true, scm3: false });
    const io = bufferIo();
    await runSafeModeStatus(statusOptions(scms, [], { scm: 'SCM3.example.com:9860' }), io);
    expect(io.stdout).toEqual(['Service ID: scmservice', 'scm3.example.com:9860 [scm3]: out of safe mode']);
    await expect(runSafeModeStatus(statusOptions(scms, [], { scm: 'scm9.example.com:9860' }), bufferIo())).rejects.toMatchObject({
      code: 'SAFE_MODE_UNKNOWN_SCM',
      message: 'Specified --scm address scm9.example.com:9860 does not match any node in service scmservice. Nodes: scm1.example.com:9860 [scm1], scm2.example.com:9860 [scm2], scm3.example.com:9860 [scm3]',
    });
    expect(matchesAddress('scm1.example.com', 'scm1.example.com:9860')).toBe(true);
    expect(matchesAddress('scm1.example.com:9861', 'scm1.example.com:9860')).toBe(false);
  });

  it('a leader that is not a configured SCM: "Could not determine leader node"', async () => {
    await expect(runSafeModeStatus(statusOptions(fakeScms({ scm1: false }, 'scm7'), []), bufferIo())).rejects.toMatchObject({ code: 'SAFE_MODE_UNKNOWN_SCM', message: 'Could not determine leader node' });
  });

  it('without a service id: "SCM is out of safe mode." from the one SCM', async () => {
    const io = bufferIo();
    await runSafeModeStatus(statusOptions(fakeScms({ scm1: false }), [], { serviceId: undefined, nodes: NODES.slice(0, 1) }), io);
    expect(out(io)).toBe(golden('safemode-status-non-ha.txt'));
  });
});

describe('ozone admin safemode wait (golden, fake clock)', () => {
  /** runs wait with a client whose answers come from `answers` in turn (the last one repeats) */
  const runWait = async (answers: boolean[], timeoutSeconds: number): Promise<{ io: ReturnType<typeof bufferIo>; result: unknown; calls: number }> => {
    const clock = new FakeClock();
    const io = bufferIo();
    let calls = 0;
    const client = { call: async () => ({ inSafeMode: answers[Math.min(calls++, answers.length - 1)]!, preCheckComplete: true }) } as unknown as SafeModeClient;
    let result: unknown = 'pending';
    const run = runSafeModeWait(client, timeoutSeconds, clock, io).then(() => 'ok', (e: unknown) => e);
    void run.then((r) => (result = r));
    for (let i = 0; i < timeoutSeconds + 5 && result === 'pending'; i++) {
      for (let k = 0; k < 5; k++) await Promise.resolve();
      clock.advance(1000);
    }
    return { io, result: await run, calls };
  };

  it('polls once a second until the SCM is out of safe mode (exit 0)', async () => {
    const { io, result, calls } = await runWait([true, true, false], 30);
    expect(result).toBe('ok');
    expect(out(io)).toBe(golden('safemode-wait-out.txt'));
    expect(calls).toBe(3);
  });

  it('gives up after --timeout seconds: "No more retries." and the timeout error (exit 255)', async () => {
    const { io, result } = await runWait([true], 3);
    expect(out(io)).toBe(golden('safemode-wait-timeout.txt'));
    expect(result).toMatchObject({ code: 'SAFE_MODE_WAIT_TIMEOUT', message: 'Safe mode is not ended within the timeout period.' });
  });

  it('-t 0 does not ask at all, as Ozone', async () => {
    const { io, result, calls } = await runWait([false], 0);
    expect(io.stdout).toEqual([]);
    expect(calls).toBe(0);
    expect(result).toMatchObject({ code: 'SAFE_MODE_WAIT_TIMEOUT' });
  });
});

describe('ozone admin safemode exit (golden)', () => {
  it('prints Ozone\'s line when the SCM left safe mode', async () => {
    const io = bufferIo();
    const scms = fakeScms({ scm1: true });
    await runSafeModeExit(scms.node(NODES[0]!), io);
    expect(out(io)).toBe(golden('safemode-exit.txt'));
    expect(scms.asked).toEqual(['scm1:forceExitSafeMode']);
  });
});
